import Foundation

/// Bytes that can be read at any offset: a file (read with `pread`, never mapped or loaded whole), a window of one
/// (an archive member stored without compression), or bytes in memory (tests, fuzzing, small nested files).
/// Copies are cheap and share the open file.
public struct ByteSource: Sendable {
    enum Storage: Sendable {
        case file(OpenFile)
        case memory([UInt8])
    }

    let storage: Storage
    /// Where this window starts in the underlying file or buffer.
    let base: Int64
    /// The window's length in bytes.
    public let count: Int64

    /// Opens `path` for reading.
    public init(path: String) throws(ScanFailure) {
        let file = try OpenFile(path: path)
        self.init(storage: .file(file), base: 0, count: file.size)
    }

    public init(bytes: [UInt8]) {
        self.init(storage: .memory(bytes), base: 0, count: Int64(bytes.count))
    }

    init(storage: Storage, base: Int64, count: Int64) {
        self.storage = storage
        self.base = base
        self.count = count
    }

    /// The window `offset ..< offset + length` of this one.
    public func slice(_ offset: Int64, _ length: Int64) throws(ScanFailure) -> ByteSource {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else {
            throw .truncated("bytes \(offset)..<\(offset &+ length) lie outside the \(count) bytes available")
        }
        return ByteSource(storage: storage, base: base + offset, count: length)
    }

    /// Exactly `length` bytes at `offset`, or `.truncated`.
    public func read(at offset: Int64, _ length: Int) throws(ScanFailure) -> [UInt8] {
        guard length >= 0, offset >= 0, offset <= count, Int64(length) <= count - offset else {
            throw .truncated("wanted \(length) bytes at offset \(offset) of \(count)")
        }
        if length == 0 { return [] }
        switch storage {
        case .memory(let bytes):
            let start = Int(base + offset)
            return Array(bytes[start..<(start + length)])
        case .file(let file):
            return try file.read(at: base + offset, length)
        }
    }

    /// Up to `length` bytes at `offset` into `buffer` (from its start); returns how many were read (0 at the end).
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(ScanFailure) -> Int {
        guard offset < count else { return 0 }
        let length = Int(min(Int64(buffer.count), count - offset))
        switch storage {
        case .memory(let bytes):
            let start = Int(base + offset)
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + start, byteCount: length) }
            return length
        case .file(let file):
            return try file.read(at: base + offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length]))
        }
    }

    /// A sequential reader over the whole window.
    public func reader() -> ByteReader {
        ByteReader(SourceChunks(self))
    }
}

/// A file descriptor opened read-only, closed when the last `ByteSource` using it goes.
final class OpenFile: Sendable {
    let descriptor: Int32
    let size: Int64
    let path: String

    init(path: String) throws(ScanFailure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable("\(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .unreadable("\(path): \(reason)")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .unreadable("\(path): not a regular file")
        }
        descriptor = fd
        size = Int64(info.st_size)
        self.path = path
    }

    /// An already open descriptor (a spooled temporary file), owned from now on.
    init(descriptor: Int32, size: Int64, path: String) {
        self.descriptor = descriptor
        self.size = size
        self.path = path
    }

    deinit { close(descriptor) }

    func read(at offset: Int64, _ length: Int) throws(ScanFailure) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(length, 1), alignment: 8)
        defer { buffer.deallocate() }
        var done = 0
        while done < length {
            let n = try read(at: offset + Int64(done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<length]))
            guard n > 0 else { throw .truncated("\(path) ended at \(offset + Int64(done)) of the \(length) bytes wanted at \(offset)") }
            done += n
        }
        return Array(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(ScanFailure) -> Int {
        while true {
            let n = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw .unreadable("\(path): \(String(cString: strerror(errno)))")
        }
    }
}
