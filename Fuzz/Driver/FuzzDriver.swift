import Foundation

/// The entry point every fuzz target shares (`@main` calls ``run(_:)`` with its harness).
///
/// - Built by Fuzz/run.sh with `-sanitize=fuzzer,address -D FUZZING`, it hands the harness to libFuzzer's driver
///   (`LLVMFuzzerRunDriver`), which takes libFuzzer's usual flags and corpus folders.
/// - Built by a plain `swift build`, it replays: runs the harness once on every file named on the command line
///   (folders are read one level deep), so a corpus or a crash artifact can be replayed under a debugger or in CI
///   without the sanitizers.
public enum FuzzDriver {
    /// A harness: one input, whose bytes it must not keep. It returns 0, and stops the process (`fatalError`) when
    /// an invariant fails.
    public typealias Harness = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    public static func run(_ harness: Harness) -> Never {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, harness))
        #else
        exit(replay(Array(CommandLine.arguments.dropFirst()), harness))
        #endif
    }

    /// Runs `harness` on every file (or file in a folder) of `paths`; 66 when a path does not exist.
    static func replay(_ paths: [String], _ harness: Harness) -> CInt {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                FileHandle.standardError.write(Data("\(path): no such file or folder\n".utf8))
                return 66
            }
            if isFolder.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let bytes = [UInt8](data)
            _ = bytes.withUnsafeBufferPointer { harness($0.baseAddress, $0.count) }
        }
        print("replayed \(files.count) input(s): no invariant failed")
        return 0
    }
}

#if FUZZING
/// libFuzzer's driver (compiler-rt, LLVM 12 and later), for programs that have a `main` of their own.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzDriver.Harness) -> CInt
#endif
