import Crypto
import Foundation
import RampartCore

/// What a model signature covers, as OpenSSF model signing's "files" serialization defines it: every regular file
/// under the model folder (or the one model file), named by its path relative to the folder with `/` separators (a
/// single file is named `.`), with the SHA-256 of its content, sorted by path component. The subject digest is the
/// SHA-256 of the raw resource digests one after another. Files are hashed concurrently, one file per task.
public struct ModelManifest: Sendable, Equatable {
    public struct Resource: Sendable, Equatable, Codable {
        public var name: String
        public var algorithm: String
        /// Lowercase hex.
        public var digest: String

        public init(name: String, algorithm: String = "sha256", digest: String) {
            self.name = name
            self.algorithm = algorithm
            self.digest = digest
        }
    }

    /// Paths left out at the model's root unless told otherwise (`--ignore-git-paths`, model_signing's default).
    public static let gitPaths = [".git", ".gitattributes", ".github", ".gitignore"]

    public var resources: [Resource]
    /// Model-relative paths left out, sorted.
    public var ignorePaths: [String]
    public var allowSymlinks: Bool
    /// The folder's (or file's) last path component.
    public var name: String

    public init(resources: [Resource], ignorePaths: [String], allowSymlinks: Bool, name: String) {
        self.resources = resources
        self.ignorePaths = ignorePaths
        self.allowSymlinks = allowSymlinks
        self.name = name
    }

    /// SHA-256 over the raw digests in order (in-toto subject digest).
    public var subjectDigest: String {
        var hasher = SHA256()
        for r in resources { hasher.update(data: Hex.decode(r.digest) ?? []) }
        return Hex.encode(Array(hasher.finalize()))
    }

    /// Model_signing's order: by the tuple of path components, each compared by code point.
    static func precedes(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: "/", omittingEmptySubsequences: false), y = b.split(separator: "/", omittingEmptySubsequences: false)
        for (p, q) in zip(x, y) where p != q { return Array(p.unicodeScalars.map(\.value)).lexicographicallyPrecedes(q.unicodeScalars.map(\.value)) }
        return x.count < y.count
    }

    /// Hashes the model at `path`. `ignore` holds model-relative paths (a folder ignores everything under it).
    public static func hash(path: String, ignore: [String], ignoreGitPaths: Bool = true, allowSymlinks: Bool = false,
                            only: Set<String>? = nil) async throws(SigningError) -> ModelManifest {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unreadable("\(path): \(String(cString: strerror(errno)))") }
        let root = URL(fileURLWithPath: path).standardizedFileURL
        let name = root.lastPathComponent
        var ignored = Set(ignore.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }.filter { !$0.isEmpty })
        if ignoreGitPaths { ignored.formUnion(gitPaths) }
        var files: [(name: String, path: String)] = []
        if info.st_mode & S_IFMT == S_IFREG {
            files = [(".", path)]
        } else if info.st_mode & S_IFMT == S_IFDIR {
            try walk(root.path, relative: "", ignored: ignored, allowSymlinks: allowSymlinks, into: &files)
        } else {
            throw .unreadable("\(path) is neither a file nor a folder")
        }
        if let only { files = files.filter { only.contains($0.name) } }
        files.sort { precedes($0.name, $1.name) }
        let digests = try await hashFiles(files.map(\.path))
        let resources = zip(files, digests).map { Resource(name: $0.name, digest: $1) }
        return ModelManifest(resources: resources, ignorePaths: ignored.sorted(), allowSymlinks: allowSymlinks, name: name)
    }

    static func isIgnored(_ relative: String, _ ignored: Set<String>) -> Bool {
        var prefix = ""
        for part in relative.split(separator: "/") {
            prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
            if ignored.contains(prefix) { return true }
        }
        return false
    }

    private static func walk(_ directory: String, relative: String, ignored: Set<String>, allowSymlinks: Bool,
                             into files: inout [(name: String, path: String)]) throws(SigningError) {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw .unreadable("cannot list \(directory): \(error.localizedDescription)")
        }
        for entry in entries {
            let full = directory + "/" + entry
            let name = relative.isEmpty ? entry : relative + "/" + entry
            var info = stat()
            guard lstat(full, &info) == 0 else { throw .unreadable("\(full): \(String(cString: strerror(errno)))") }
            var kind = info.st_mode & S_IFMT
            if kind == S_IFLNK {
                guard allowSymlinks else {
                    throw .symlink("\(full) is a symbolic link; sign and verify follow links only with --allow-symlinks")
                }
                var target = stat()
                guard stat(full, &target) == 0 else { throw .unreadable("\(full) is a broken symbolic link") }
                // Links to files are hashed as their target's content under the link's name; links to folders are not
                // followed (as model_signing does).
                guard target.st_mode & S_IFMT == S_IFREG else { continue }
                kind = S_IFREG
            }
            if isIgnored(name, ignored) { continue }
            switch kind {
            case S_IFREG: files.append((name, full))
            case S_IFDIR: try walk(full, relative: name, ignored: ignored, allowSymlinks: allowSymlinks, into: &files)
            default: throw .unreadable("\(full) is a special file (a pipe, socket or device), which cannot be signed")
            }
        }
    }

    /// SHA-256 of each file, concurrently (one task per file, as many at once as there are cores).
    static func hashFiles(_ paths: [String]) async throws(SigningError) -> [String] {
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
        // Each task answers its digest or why it could not (plain values: no typed-throws closures in the group).
        let results = await withTaskGroup(of: (Int, String, Bool).self, returning: [(String, Bool)].self) { group in
            var out = [(String, Bool)](repeating: ("", false), count: paths.count)
            var next = 0
            while next < min(width, paths.count) {
                let (i, path) = (next, paths[next])
                group.addTask { Self.digest(i, path) }
                next += 1
            }
            while let (i, value, ok) = await group.next() {
                out[i] = (value, ok)
                if next < paths.count {
                    let (j, path) = (next, paths[next])
                    group.addTask { Self.digest(j, path) }
                    next += 1
                }
            }
            return out
        }
        var digests: [String] = []
        for (value, ok) in results {
            guard ok else { throw .unreadable(value) }
            digests.append(value)
        }
        return digests
    }

    private static func digest(_ i: Int, _ path: String) -> (Int, String, Bool) {
        do { return (i, try sha256(file: path), true) } catch { return (i, error.description, false) }
    }

    /// SHA-256 of a whole file, read in 1 MiB pieces.
    public static func sha256(file path: String) throws(SigningError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable("\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw .unreadable("\(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return Hex.encode(Array(hasher.finalize()))
    }
}
