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
        let hashing = Task.detached { () -> String? in try? Self.sha256(source) }
        let report = scan(source, name: path, path: path)
        let digest = await hashing.value
        guard var report else { return nil }
        guard let digest else { throw .unreadable("\(path) could not be read to the end for its SHA-256") }
        report.sha256 = digest
        return report
    }

    /// What became of one file.
    enum Outcome: Sendable {
        case report(FileReport)
        case skipped
        case failed(String)
    }

    static func outcome(_ scanner: ModelScanner, _ path: String) async -> Outcome {
        do {
            guard let report = try await scanner.scanFile(path) else { return .skipped }
            return .report(report)
        } catch {
            return .failed(error.description)
        }
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
        let outcomes = await withTaskGroup(of: (Int, Outcome).self, returning: [Outcome].self) { group in
            var out = [Outcome](repeating: .skipped, count: total)
            var next = 0
            var done = 0
            let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
            while next < min(width, total) {
                let (i, path) = (next, files[next])
                group.addTask { (i, await Self.outcome(self, path)) }
                next += 1
            }
            while let (i, outcome) = await group.next() {
                out[i] = outcome
                done += 1
                progress(done, total, files[i])
                if next < total {
                    let (j, path) = (next, files[next])
                    group.addTask { (j, await Self.outcome(self, path)) }
                    next += 1
                }
            }
            return out
        }
        var reports: [FileReport] = []
        for (path, outcome) in zip(files, outcomes) {
            switch outcome {
            case .report(let report): reports.append(report)
            case .skipped: skipped.append(SkippedFile(path: path, reason: "not a model or package format the scanner judges"))
            case .failed(let reason): errors.append(SkippedFile(path: path, reason: reason))
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
