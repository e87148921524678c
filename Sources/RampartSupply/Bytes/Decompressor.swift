import CCompression

/// Compressed streams the scanner opens: zip's raw deflate, zlib and gzip (joblib, tar.gz), xz and lzma (joblib,
/// tar.xz), bzip2. Each decompresses as it is read, through the reader's fixed buffer, and stops with a `.limit`
/// failure once it has produced `limit` bytes (a compression bomb costs time, never memory).
public enum Compression: String, Sendable, CaseIterable {
    /// Zip's method 8: deflate without a header.
    case deflate
    /// zlib or gzip, told apart by their headers.
    case zlib
    case gzip
    case xz
    /// The legacy `.lzma` ("alone") container.
    case lzma
    case bzip2

    /// The compression `bytes` (the first few of a stream) start with, if any.
    public static func detect(_ bytes: [UInt8]) -> Compression? {
        guard bytes.count >= 3 else { return nil }
        if bytes[0] == 0x1F, bytes[1] == 0x8B { return .gzip }
        if bytes.count >= 6, bytes[0..<6].elementsEqual([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if bytes[0] == 0x42, bytes[1] == 0x5A, bytes[2] == 0x68 { return .bzip2 }   // "BZh"
        // zlib: CM 8, a window of at most 32 KiB, and the header check (FCHECK) right.
        if bytes[0] & 0x0F == 8, bytes[0] >> 4 <= 7, (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 31 == 0, bytes[1] & 0x20 == 0 { return .zlib }
        // lzma alone: properties byte lc + lp·9 + pb·45 < 225 (0x5D is what every encoder writes by default), then a
        // little-endian dictionary size.
        if bytes[0] == 0x5D, bytes[1] == 0x00, bytes[2] == 0x00 { return .lzma }
        return nil
    }

    /// Whether `head` starts a zlib stream that inflates without error (a two-byte zlib header alone is too weak:
    /// a protocol-0 pickle's `(S` passes its check).
    static func inflates(_ head: [UInt8]) -> Bool {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return false }
        defer { inflateEnd(&stream) }
        var input = head
        var output = [UInt8](repeating: 0, count: 1 << 16)
        let status = input.withUnsafeMutableBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                stream.next_in = i.baseAddress
                stream.avail_in = UInt32(i.count)
                stream.next_out = o.baseAddress
                stream.avail_out = UInt32(o.count)
                return inflate(&stream, Z_SYNC_FLUSH)
            }
        }
        return status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR
    }

    func reader(over input: ByteReader, limit: Int64) throws(ScanFailure) -> ByteReader {
        switch self {
        case .deflate: ByteReader(try InflateChunks(input, windowBits: -15, limit: limit))
        case .zlib, .gzip: ByteReader(try InflateChunks(input, windowBits: 15 + 32, limit: limit))
        case .xz, .lzma: ByteReader(try LZMAChunks(input, limit: limit))
        case .bzip2: ByteReader(try BZip2Chunks(input, limit: limit))
        }
    }
}

/// zlib's inflate: raw deflate (`windowBits` −15) or zlib/gzip detected from the header (15 + 32). Concatenated
/// gzip members are read one after the other, as gzip(1) does.
final class InflateChunks: ChunkProducer {
    private let input: ByteReader
    private var stream = z_stream()
    private let windowBits: Int32
    private let limit: Int64
    private var produced: Int64 = 0
    private var done = false

    init(_ input: ByteReader, windowBits: Int32, limit: Int64) throws(ScanFailure) {
        self.input = input
        self.windowBits = windowBits
        self.limit = limit
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .limit("zlib could not start a decompressor")
        }
    }

    deinit { inflateEnd(&stream) }

    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(ScanFailure) -> Int {
        var written = 0
        while written == 0, !done {
            var status: Int32 = Z_OK
            let more = try input.borrow { (chunk: UnsafeRawBufferPointer) throws(ScanFailure) -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: chunk.baseAddress!.assumingMemoryBound(to: UInt8.self))
                stream.avail_in = UInt32(min(chunk.count, Int(UInt32.max)))
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + written
                stream.avail_out = UInt32(buffer.count - written)
                let before = stream.avail_in
                status = inflate(&stream, Z_NO_FLUSH)
                written = buffer.count - Int(stream.avail_out)
                return Int(before - stream.avail_in)
            }
            if !more {
                // The input ended: whatever inflate still holds comes out with an empty input.
                stream.next_in = nil
                stream.avail_in = 0
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + written
                stream.avail_out = UInt32(buffer.count - written)
                status = inflate(&stream, Z_FINISH)
                written = buffer.count - Int(stream.avail_out)
                if status != Z_STREAM_END {
                    if written > 0 { break }
                    throw .truncated("the compressed data ends before its last block")
                }
            }
            switch status {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                // Another gzip member may follow; raw deflate and zlib end here.
                if windowBits > 0, let next = try input.peek(), next == 0x1F {
                    inflateReset(&stream)
                } else {
                    done = true
                }
            case Z_DATA_ERROR:
                throw .malformed("corrupt compressed data: \(stream.msg.map { String(cString: $0) } ?? "inflate failed") (compressed offset \(input.offset))")
            default:
                throw .malformed("inflate failed with zlib status \(status) at compressed offset \(input.offset)")
            }
        }
        produced += Int64(written)
        if produced > limit { throw .limit("it decompresses to more than \(limit) bytes") }
        return written
    }

    func skip(_ count: Int64) throws(ScanFailure) -> Bool { false }
}

/// liblzma's auto decoder: xz and lzma-alone streams.
final class LZMAChunks: ChunkProducer {
    private let input: ByteReader
    private var stream = lzma_stream()
    private let limit: Int64
    private var produced: Int64 = 0
    private var done = false

    init(_ input: ByteReader, limit: Int64) throws(ScanFailure) {
        self.input = input
        self.limit = limit
        // 256 MiB of decoder memory at most: a header asking for more is refused, not honoured.
        guard lzma_auto_decoder(&stream, 256 << 20, 0x08 /* LZMA_CONCATENATED */) == LZMA_OK else {
            throw .limit("liblzma could not start a decoder")
        }
    }

    deinit { lzma_end(&stream) }

    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(ScanFailure) -> Int {
        var written = 0
        while written == 0, !done {
            var status = LZMA_OK
            let more = try input.borrow { (chunk: UnsafeRawBufferPointer) throws(ScanFailure) -> Int in
                stream.next_in = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
                stream.avail_in = chunk.count
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + written
                stream.avail_out = buffer.count - written
                let before = stream.avail_in
                status = lzma_code(&stream, LZMA_RUN)
                written = buffer.count - stream.avail_out
                return before - stream.avail_in
            }
            if !more {
                stream.next_in = nil
                stream.avail_in = 0
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + written
                stream.avail_out = buffer.count - written
                status = lzma_code(&stream, LZMA_FINISH)
                written = buffer.count - stream.avail_out
                if status != LZMA_STREAM_END, status != LZMA_OK {
                    throw .truncated("the xz/lzma data ends before its end marker (liblzma status \(status.rawValue))")
                }
                if status == LZMA_OK, written == 0 { throw .truncated("the xz/lzma data ends before its end marker") }
            }
            switch status {
            case LZMA_OK, LZMA_BUF_ERROR: break
            case LZMA_STREAM_END: done = true
            case LZMA_MEMLIMIT_ERROR: throw .limit("the xz/lzma header asks for more than 256 MiB of decoder memory")
            case LZMA_FORMAT_ERROR: throw .malformed("not an xz or lzma stream")
            case LZMA_DATA_ERROR: throw .malformed("corrupt xz/lzma data at compressed offset \(input.offset)")
            default: throw .malformed("liblzma failed with status \(status.rawValue) at compressed offset \(input.offset)")
            }
        }
        produced += Int64(written)
        if produced > limit { throw .limit("it decompresses to more than \(limit) bytes") }
        return written
    }

    func skip(_ count: Int64) throws(ScanFailure) -> Bool { false }
}

/// libbzip2, with concatenated streams read one after the other (as bzip2(1) does).
final class BZip2Chunks: ChunkProducer {
    private let input: ByteReader
    private var stream = bz_stream()
    private let limit: Int64
    private var produced: Int64 = 0
    private var done = false

    init(_ input: ByteReader, limit: Int64) throws(ScanFailure) {
        self.input = input
        self.limit = limit
        guard BZ2_bzDecompressInit(&stream, 0, 0) == BZ_OK else { throw .limit("libbzip2 could not start a decompressor") }
    }

    deinit { BZ2_bzDecompressEnd(&stream) }

    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(ScanFailure) -> Int {
        var written = 0
        while written == 0, !done {
            var status: Int32 = BZ_OK
            let more = try input.borrow { (chunk: UnsafeRawBufferPointer) throws(ScanFailure) -> Int in
                let n = min(chunk.count, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: chunk.baseAddress!.assumingMemoryBound(to: CChar.self))
                stream.avail_in = UInt32(n)
                stream.next_out = (buffer.baseAddress! + written).assumingMemoryBound(to: CChar.self)
                stream.avail_out = UInt32(buffer.count - written)
                status = BZ2_bzDecompress(&stream)
                written = buffer.count - Int(stream.avail_out)
                return n - Int(stream.avail_in)
            }
            if !more { throw .truncated("the bzip2 data ends before its end-of-stream marker") }
            switch status {
            case BZ_OK: break
            case BZ_STREAM_END:
                if let next = try input.peek(), next == 0x42 {
                    BZ2_bzDecompressEnd(&stream)
                    stream = bz_stream()
                    guard BZ2_bzDecompressInit(&stream, 0, 0) == BZ_OK else { throw .limit("libbzip2 could not restart") }
                } else {
                    done = true
                }
            case BZ_DATA_ERROR, BZ_DATA_ERROR_MAGIC: throw .malformed("corrupt bzip2 data at compressed offset \(input.offset)")
            default: throw .malformed("libbzip2 failed with status \(status) at compressed offset \(input.offset)")
            }
        }
        produced += Int64(written)
        if produced > limit { throw .limit("it decompresses to more than \(limit) bytes") }
        return written
    }

    func skip(_ count: Int64) throws(ScanFailure) -> Bool { false }
}
