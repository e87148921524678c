import Foundation

/// Random access to bytes that only come as a stream (a zip inside a tar.gz, an HDF5 file inside a deflated zip
/// member): they are copied to an unlinked temporary file, so memory stays bounded and the file vanishes with the
/// last reader.
enum Spool {
    static func source(from reader: ByteReader, limit: Int64) throws(ScanFailure) -> ByteSource {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/rampart-scan-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .unreadable("cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        var owned = false
        defer { if !owned { close(fd) } }
        var size: Int64 = 0
        while true {
            var chunk: [UInt8] = []
            let more = try reader.borrow { (bytes: UnsafeRawBufferPointer) -> Int in
                chunk = Array(bytes)
                return bytes.count
            }
            guard more else { break }
            size += Int64(chunk.count)
            guard size <= limit else { throw .limit("a nested file larger than \(limit) bytes") }
            var done = 0
            while done < chunk.count {
                let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress! + done, chunk.count - done) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw .unreadable("cannot write a temporary file: \(String(cString: strerror(errno)))") }
                done += n
            }
        }
        owned = true
        return ByteSource(storage: .file(OpenFile(descriptor: fd, size: size, path: "a temporary copy")), base: 0, count: size)
    }
}
