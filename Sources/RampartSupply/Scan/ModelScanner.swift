import Crypto
import Foundation
import RampartCore

/// `rampart model scan`: files, folders (recursively) and archives, each judged from its on-disk layout without
/// executing, importing or unpickling anything. Files are scanned concurrently; each file's SHA-256 is computed
/// while it is scanned.
public struct ModelScanner: Sendable {
    public var options: ScanOptions

    public init(options: ScanOptions = ScanOptions()) {
        self.options = options
    }

    /// Scans one file's bytes (or a window of them) named `name`. Returns nil when the format is not one the
    /// scanner judges (a README, a vocabulary file).
    public func scan(_ source: ByteSource, name: String, path: String) -> FileReport? {
        let context = ScanContext(options: options)
        let format = context.scan(ScanInput(source: source, name: name), location: "", depth: 0)
        guard let format else { return nil }
        return FileReport(path: path, format: format, sha256: "", size: source.count, findings: context.findings.result)
    }

    /// Scans a file: the format's scan and the whole file's SHA-256 run side by side.
    public func scanFile(_ path: String) async throws(ScanFailure) -> FileReport? {
        let source = try ByteSource(path: path)
        let hashing = Task.detached { () -> Result<String, ScanFailure> in
            Result { () throws(ScanFailure) -> String in try Self.sha256(source) }
        }
        let report = scan(source, name: path, path: path)
        let digest = await hashing.value
        guard var report else { return nil }
        report.sha256 = try digest.get()
        return report
    }

    /// The scan of every path: files, and the files under folders (symbolic links are not followed; `.git` is
    /// skipped). `progress` is called after each file with the number done and the total.
    public func scan(paths: [String], progress: @escaping @Sendable (Int, Int, String) -> Void = { _, _, _ in }) async -> ScanReport {
        var files: [String] = []
        var errors: [SkippedFile] = []
        var skipped: [SkippedFile] = []
        for path in paths {
            Self.collect(path, into: &files, skipped: &skipped, errors: &errors)
        }
        let total = files.count
        let results = await withTaskGroup(of: (Int, Result<FileReport?, ScanFailure>).self) { group in
            var next = 0
            var done = 0
            var out = [Result<FileReport?, ScanFailure>?](repeating: nil, count: total)
            let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
            func add() {
                let i = next
                next += 1
                let path = files[i]
                group.addTask {
                    do throws(ScanFailure) { return (i, .success(try await self.scanFile(path))) } catch { return (i, .failure(error)) }
                }
            }
            while next < min(width, total) { add() }
            while let (i, result) = await group.next() {
                out[i] = result
                done += 1
                progress(done, total, files[i])
                if next < total { add() }
            }
            return out
        }
        var reports: [FileReport] = []
        for (path, result) in zip(files, results) {
            switch result {
            case .success(let report?)?: reports.append(report)
            case .success(nil)?: skipped.append(SkippedFile(path: path, reason: "not a model or package format the scanner judges"))
            case .failure(let failure)?: errors.append(SkippedFile(path: path, reason: failure.description))
            case nil: break
            }
        }
        return ScanReport(files: reports, skipped: skipped, errors: errors)
    }

    static func collect(_ path: String, into files: inout [String], skipped: inout [SkippedFile], errors: inout [SkippedFile]) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            errors.append(SkippedFile(path: path, reason: String(cString: strerror(errno))))
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            files.append(path)
        case S_IFLNK:
            skipped.append(SkippedFile(path: path, reason: "a symbolic link (not followed)"))
        case S_IFDIR:
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                errors.append(SkippedFile(path: path, reason: "cannot list the folder"))
                return
            }
            for entry in entries.sorted() where entry != ".git" {
                collect(path.hasSuffix("/") ? path + entry : path + "/" + entry, into: &files, skipped: &skipped, errors: &errors)
            }
        default:
            skipped.append(SkippedFile(path: path, reason: "not a regular file"))
        }
    }

    /// SHA-256 of the whole window, read in 1 MiB pieces.
    static func sha256(_ source: ByteSource) throws(ScanFailure) -> String {
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while offset < source.count {
            let n = try source.read(at: offset, into: buffer)
            guard n > 0 else { throw .truncated("the file shrank while it was read") }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += Int64(n)
        }
        return Hex.encode(hasher.finalize())
    }
}
