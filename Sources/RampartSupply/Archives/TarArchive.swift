/// A tar stream's members, read in order (ustar, GNU long names, pax headers), from a plain or decompressing
/// reader. Each member is handed over as a reader limited to its size; what it leaves unread is skipped.
struct TarArchive {
    struct Member {
        var name: String
        /// `0` regular file, `5` directory, `1` hard link, `2` symbolic link, …
        var type: UInt8
        var size: Int64
        var linkTarget: String
        var isFile: Bool { type == 0x30 || type == 0 || type == 0x37 }
    }

    let reader: ByteReader
    static let maximumMembers = 1_000_000

    /// True when `block` (the first 512 bytes of a stream) is a tar header with a valid checksum.
    static func looksLikeTar(_ block: [UInt8]) -> Bool {
        guard block.count >= 512 else { return false }
        // ustar and GNU tars say so (a bad checksum then makes the file malformed, not unknown); a pre-POSIX tar
        // has no magic and is recognised by its checksum alone.
        if block[257..<262].elementsEqual("ustar".utf8) { return true }
        guard block[257..<263].allSatisfy({ $0 == 0 }), block[0] != 0 else { return false }
        return (try? checksum(block)) != nil
    }

    private static func checksum(_ block: [UInt8]) throws(ScanFailure) {
        let stored = try octal(block[148..<156])
        var sum = 0
        for (i, b) in block.enumerated() { sum += (148..<156).contains(i) ? 0x20 : Int(b) }
        guard sum == stored else { throw .malformed("a tar header with a bad checksum") }
    }

    private static func octal(_ field: ArraySlice<UInt8>) throws(ScanFailure) -> Int {
        // GNU base-256 for large sizes: the first byte's top bit is set.
        if let first = field.first, first & 0x80 != 0 {
            var v = Int(first & 0x7F)
            for b in field.dropFirst() {
                guard v < Int.max >> 8 else { throw .malformed("a tar number too large") }
                v = v << 8 | Int(b)
            }
            return v
        }
        var v = 0
        var seen = false
        for b in field {
            if b == 0 || b == 0x20 { if seen { break } else { continue } }
            guard b >= 0x30, b <= 0x37 else { throw .malformed("a tar header field that is not octal") }
            guard v < Int.max >> 3 else { throw .malformed("a tar number too large") }
            v = v * 8 + Int(b - 0x30)
            seen = true
        }
        return v
    }

    private static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Calls `body` with each member and a reader of its content, in order.
    func forEach(_ body: (Member, ByteReader) throws(ScanFailure) -> Void) throws(ScanFailure) {
        var longName: String?
        var longLink: String?
        var pax: [String: String] = [:]
        var count = 0
        while true {
            guard try !reader.atEnd else { return }   // some writers omit the two zero blocks
            let block = try reader.bytes(512)
            if block.allSatisfy({ $0 == 0 }) { return }
            try Self.checksum(block)
            count += 1
            guard count <= Self.maximumMembers else { throw .limit("a tar of more than \(Self.maximumMembers) members") }
            let type = block[156]
            var size = Int64(try Self.octal(block[124..<136]))
            if let s = pax["size"], let v = Int64(s) { size = v }
            guard size >= 0 else { throw .malformed("a tar member with a negative size") }
            let padded = (size + 511) / 512 * 512
            switch type {
            case 0x4C, 0x4B:   // GNU long name / long link
                guard size <= 1 << 20 else { throw .limit("a tar long name of \(size) bytes") }
                let value = Self.string(try reader.bytes(Int(size))[...])
                try reader.skip(padded - size)
                if type == 0x4C { longName = value } else { longLink = value }
                continue
            case 0x78, 0x67:   // pax extended header (x: next member, g: global)
                guard size <= 1 << 20 else { throw .limit("a pax header of \(size) bytes") }
                let data = try reader.bytes(Int(size))
                try reader.skip(padded - size)
                if type == 0x78 { pax = Self.paxRecords(data) }
                continue
            default:
                break
            }
            var name = Self.string(block[0..<100])
            let prefix = Self.string(block[345..<500])
            if block[257..<262].elementsEqual("ustar".utf8), !prefix.isEmpty { name = prefix + "/" + name }
            if let long = longName { name = long }
            if let path = pax["path"] { name = path }
            var link = Self.string(block[157..<257])
            if let long = longLink { link = long }
            if let path = pax["linkpath"] { link = path }
            longName = nil
            longLink = nil
            pax = [:]
            let member = Member(name: name, type: type, size: size, linkTarget: link)
            // Links and directories carry no data in the archive, whatever size they claim.
            let dataSize = member.isFile || !(type == 0x31 || type == 0x32 || type == 0x35) ? size : 0
            let content = reader.limited(dataSize)
            try body(member, content)
            try content.finish()
            try reader.skip((dataSize + 511) / 512 * 512 - dataSize)
        }
    }

    /// `"%d %s=%s\n"` records.
    static func paxRecords(_ data: [UInt8]) -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i < data.count {
            guard let space = data[i...].firstIndex(of: 0x20), let length = Int(String(decoding: data[i..<space], as: UTF8.self)),
                  length > 0, i + length <= data.count else { break }
            let record = data[(space + 1)..<(i + length)]
            if let eq = record.firstIndex(of: 0x3D) {
                var value = record[(eq + 1)...]
                if value.last == 0x0A { value = value.dropLast() }
                out[String(decoding: record[record.startIndex..<eq], as: UTF8.self)] = String(decoding: value, as: UTF8.self)
            }
            i += length
        }
        return out
    }
}
