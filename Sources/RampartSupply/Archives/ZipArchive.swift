import CCompression

/// A zip file's members, read from its central directory (as Python's `zipfile` and PyTorch's reader do), zip64
/// included, with bytes prepended to the archive tolerated. Members are opened one at a time: stored ones as a
/// window of the file, deflated ones as a decompressing reader. CRCs are checked for what is read whole and a
/// mismatch is reported, never fatal (PyTorch loads such files; a scanner that stops at them is blind).
struct ZipArchive {
    struct Member {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: Int64
        var size: Int64
        var localHeaderOffset: Int64
        /// Where the member's data starts (after its local header), filled by `open`.
        var isDirectory: Bool { name.hasSuffix("/") }
        var isEncrypted: Bool { flags & 1 != 0 }
    }

    let source: ByteSource
    private(set) var members: [Member] = []
    /// Bytes before the archive proper (a self-extracting stub, or a polyglot's other half).
    private(set) var prefix: Int64 = 0

    static let maximumMembers = 1_000_000

    init(_ source: ByteSource) throws(ScanFailure) {
        self.source = source
        let size = source.count
        guard size >= 22 else { throw .truncated("\(size) bytes is too short for a zip's end record") }
        // The end-of-central-directory record: 22 bytes plus a comment of at most 65 535.
        let tailLength = Int(min(size, 22 + 65_535))
        let tail = try source.read(at: size - Int64(tailLength), tailLength)
        var eocd = -1
        var i = tailLength - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 0x05, tail[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw .malformed("no zip end-of-central-directory record") }
        let eocdOffset = size - Int64(tailLength) + Int64(eocd)
        var entries = Int64(Self.u16(tail, eocd + 10))
        var directorySize = Int64(Self.u32(tail, eocd + 12))
        var directoryOffset = Int64(Self.u32(tail, eocd + 16))
        var directoryEnd = eocdOffset
        // Zip64: a locator just before the end record points at a zip64 end record.
        if eocdOffset >= 20 {
            let locator = try source.read(at: eocdOffset - 20, 20)
            if Self.u32(locator, 0) == 0x0706_4B50 {
                let recordOffset = Int64(bitPattern: Self.u64(locator, 8))
                guard recordOffset >= 0, recordOffset <= size - 56 else { throw .malformed("a zip64 locator points outside the file") }
                let record = try source.read(at: recordOffset, 56)
                guard Self.u32(record, 0) == 0x0606_4B50 else { throw .malformed("a zip64 locator points at something that is not a zip64 end record") }
                entries = Int64(bitPattern: Self.u64(record, 32))
                directorySize = Int64(bitPattern: Self.u64(record, 40))
                directoryOffset = Int64(bitPattern: Self.u64(record, 48))
                directoryEnd = recordOffset
            }
        }
        guard entries >= 0, entries <= Self.maximumMembers else { throw .limit("a zip of \(entries) members (the limit is \(Self.maximumMembers))") }
        guard directorySize >= 0, directoryOffset >= 0, directorySize <= directoryEnd else {
            throw .malformed("a zip central directory that does not fit before its end record")
        }
        // Bytes prepended to the archive shift every offset by the same amount (as zipfile's `concat`).
        let concat = directoryEnd - directorySize - directoryOffset
        guard concat >= 0 else { throw .malformed("a zip central directory that overlaps its end record") }
        prefix = concat
        let reader = try source.slice(directoryOffset + concat, directorySize).reader()
        var names = Set<String>()
        while members.count < entries {
            guard try reader.uint32() == 0x0201_4B50 else {
                throw .malformed("zip central directory entry \(members.count) at offset \(directoryOffset + concat + reader.offset - 4) has a bad signature")
            }
            let header = try reader.bytes(42)
            let flags = Self.u16(header, 4), method = Self.u16(header, 6)
            let crc = Self.u32(header, 12)
            var compressed = Int64(Self.u32(header, 16)), uncompressed = Int64(Self.u32(header, 20))
            let nameLength = Int(Self.u16(header, 24)), extraLength = Int(Self.u16(header, 26)), commentLength = Int(Self.u16(header, 28))
            var local = Int64(Self.u32(header, 38))
            let nameBytes = try reader.bytes(nameLength)
            let extra = try reader.bytes(extraLength)
            try reader.skip(Int64(commentLength))
            // The zip64 extra field carries, in this order, whichever of the three 32-bit fields were saturated.
            var e = 0
            while e + 4 <= extra.count {
                let id = Self.u16(extra, e), length = Int(Self.u16(extra, e + 2))
                guard e + 4 + length <= extra.count else { break }
                if id == 0x0001 {
                    var p = e + 4
                    if uncompressed == 0xFFFF_FFFF, p + 8 <= e + 4 + length { uncompressed = Int64(bitPattern: Self.u64(extra, p)); p += 8 }
                    if compressed == 0xFFFF_FFFF, p + 8 <= e + 4 + length { compressed = Int64(bitPattern: Self.u64(extra, p)); p += 8 }
                    if local == 0xFFFF_FFFF, p + 8 <= e + 4 + length { local = Int64(bitPattern: Self.u64(extra, p)); p += 8 }
                }
                e += 4 + length
            }
            guard compressed >= 0, uncompressed >= 0, local >= 0 else { throw .malformed("zip member sizes out of range") }
            let name = String(decoding: nameBytes, as: UTF8.self)
            names.insert(name)
            members.append(Member(name: name, method: method, flags: flags, crc: crc, compressedSize: compressed,
                                  size: uncompressed, localHeaderOffset: local + concat))
        }
        duplicateNames = members.count - names.count
    }

    /// Members whose names occur more than once (zip readers disagree on which one they load).
    private(set) var duplicateNames = 0

    /// The member's stored bytes: where its data starts, and the name its local header gives.
    func dataStart(of member: Member) throws(ScanFailure) -> (offset: Int64, localName: String) {
        let header = try source.read(at: member.localHeaderOffset, 30)
        guard Self.u32(header, 0) == 0x0403_4B50 else {
            throw .malformed("zip member `\(member.name)` points at offset \(member.localHeaderOffset), which is not a local header")
        }
        let nameLength = Int64(Self.u16(header, 26)), extraLength = Int64(Self.u16(header, 28))
        let localName = String(decoding: try source.read(at: member.localHeaderOffset + 30, Int(nameLength)), as: UTF8.self)
        return (member.localHeaderOffset + 30 + nameLength + extraLength, localName)
    }

    /// The member's stored (compressed) bytes as a window of the file.
    func storedBytes(of member: Member) throws(ScanFailure) -> ByteSource {
        let start = try dataStart(of: member).offset
        return try source.slice(start, member.compressedSize)
    }

    /// A reader of the member's content, decompressed, checking the CRC of what is read.
    func reader(for member: Member, limit: Int64) throws(ScanFailure) -> (reader: ByteReader, checksum: CRC32Chunks) {
        guard !member.isEncrypted else { throw .malformed("zip member `\(member.name)` is encrypted and cannot be inspected") }
        let stored = try storedBytes(of: member)
        let inner: ByteReader
        switch member.method {
        case 0:
            guard member.compressedSize == member.size else {
                throw .malformed("zip member `\(member.name)` is stored but its sizes differ (\(member.compressedSize) and \(member.size))")
            }
            inner = stored.reader()
        case 8:
            inner = try Compression.deflate.reader(over: stored.reader(), limit: min(limit, member.size))
        case 12:
            inner = try Compression.bzip2.reader(over: stored.reader(), limit: min(limit, member.size))
        default:
            throw .malformed("zip member `\(member.name)` uses compression method \(member.method), which the scanner cannot read")
        }
        let checksum = CRC32Chunks(inner)
        return (ByteReader(checksum), checksum)
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }
    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}

/// Passes bytes through, computing their CRC-32 (zlib's) and counting them.
final class CRC32Chunks: ChunkProducer {
    private let inner: ByteReader
    private(set) var crc: UInt32 = 0
    private(set) var count: Int64 = 0
    /// False once anything was skipped rather than read (the CRC then covers only part).
    private(set) var complete = true

    init(_ inner: ByteReader) { self.inner = inner }

    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(ScanFailure) -> Int {
        var n = 0
        _ = try inner.borrow { (chunk: UnsafeRawBufferPointer) -> Int in
            n = min(chunk.count, buffer.count)
            buffer.baseAddress!.copyMemory(from: chunk.baseAddress!, byteCount: n)
            return n
        }
        if n > 0 {
            crc = UInt32(crc32(uLong(crc), buffer.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(n)))
            count += Int64(n)
        }
        return n
    }

    func skip(_ n: Int64) throws(ScanFailure) -> Bool {
        complete = false
        try inner.skip(n)
        return true
    }
}
