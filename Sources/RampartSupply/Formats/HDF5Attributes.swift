/// The root group's string attributes of an HDF5 file, read from its on-disk layout: the superblock (versions 0–3,
/// with a user block), the root object header (versions 1 and 2, through continuation chunks), attribute messages
/// (versions 1–3) with fixed-length strings or variable-length strings in the global heap. This is where Keras 2
/// keeps a model's architecture (`model_config`) and training setup (`training_config`). Attributes in dense
/// storage (a fractal heap, which HDF5 uses past eight attributes or for one larger than 64 KiB) are refused as
/// unsupported, so such a file is reported `malformed`, never clean.
struct HDF5Attributes {
    let source: ByteSource
    private var offsetSize = 8
    private var lengthSize = 8
    private var base: Int64 = 0
    private(set) var strings: [String: String] = [:]
    /// Attributes that are not strings (numbers, arrays), by name.
    private(set) var others: [String] = []

    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
    static let undefined: UInt64 = .max
    static let maximumValue = 256 << 20

    init(_ source: ByteSource) throws(ScanFailure) {
        self.source = source
        // The superblock sits at 0, or after a user block at 512, 1024, 2048, …
        var at: Int64 = 0
        while true {
            guard at + 8 <= source.count else { throw .malformed("no HDF5 superblock") }
            if try source.read(at: at, 8) == Self.signature { break }
            at = at == 0 ? 512 : at * 2
        }
        let head = try source.read(at: at, Int(min(source.count - at, 128)))
        guard head.count >= 16 else { throw .truncated("the HDF5 superblock is cut short") }
        let version = head[8]
        var rootHeader: UInt64
        switch version {
        case 0, 1:
            offsetSize = Int(head[13])
            lengthSize = Int(head[14])
            guard [2, 4, 8].contains(offsetSize), [2, 4, 8].contains(lengthSize) else { throw .malformed("HDF5 offset/length sizes \(offsetSize)/\(lengthSize)") }
            let fields = version == 0 ? 24 : 28
            guard head.count >= fields + 6 * offsetSize else { throw .truncated("the HDF5 superblock is cut short") }
            base = Int64(clamping: Self.uint(head, fields, offsetSize))
            // Base, free space, end of file, driver info; then the root symbol table entry: link name offset, header.
            rootHeader = Self.address(head, fields + 4 * offsetSize + offsetSize, offsetSize)
        case 2, 3:
            offsetSize = Int(head[9])
            lengthSize = Int(head[10])
            guard [2, 4, 8].contains(offsetSize), [2, 4, 8].contains(lengthSize) else { throw .malformed("HDF5 offset/length sizes \(offsetSize)/\(lengthSize)") }
            guard head.count >= 12 + 4 * offsetSize else { throw .truncated("the HDF5 superblock is cut short") }
            base = Int64(clamping: Self.uint(head, 12, offsetSize))
            rootHeader = Self.address(head, 12 + 3 * offsetSize, offsetSize)
        default:
            throw .malformed("HDF5 superblock version \(version) is not one HDF5 writes")
        }
        guard base >= 0, base <= source.count else { throw .malformed("an HDF5 base address outside the file") }
        if base == 0, at > 0 { base = at }
        try readObjectHeader(address: rootHeader)
    }

    static func uint(_ b: [UInt8], _ i: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<width { v |= UInt64(b[i + k]) << (8 * UInt64(k)) }
        return v
    }

    /// An address field: all bits set means "undefined".
    static func address(_ b: [UInt8], _ i: Int, _ width: Int) -> UInt64 {
        let v = uint(b, i, width)
        return width < 8 && v == (UInt64(1) << (8 * UInt64(width))) - 1 ? undefined : v
    }

    static func int(_ b: [UInt8], _ i: Int, _ width: Int) -> Int { Int(clamping: uint(b, i, width)) }

    private func read(_ address: UInt64, _ count: Int) throws(ScanFailure) -> [UInt8] {
        guard address != Self.undefined, address <= UInt64(Int64.max) - UInt64(base) else { throw .malformed("an undefined HDF5 address") }
        return try source.read(at: base + Int64(address), count)
    }

    private mutating func readObjectHeader(address: UInt64) throws(ScanFailure) {
        let first = try read(address, 16)
        var chunks: [(UInt64, Int, Bool)] = []   // address of messages, length, version-2 layout
        var v2Flags: UInt8 = 0
        if first[0] == 1 {
            let size = Self.int(first, 8, 4)
            chunks.append((address &+ 16, size, false))
        } else if first[0..<4].elementsEqual("OHDR".utf8) {
            guard first[4] == 2 else { throw .malformed("HDF5 object header version \(first[4])") }
            v2Flags = first[5]
            var p = 6
            if v2Flags & 0x20 != 0 { p += 16 }
            if v2Flags & 0x10 != 0 { p += 4 }
            let width = 1 << Int(v2Flags & 3)
            let header = try read(address, p + width)
            let size = Self.int(header, p, width)
            chunks.append((address &+ UInt64(p + width), size, true))
        } else {
            throw .malformed("no HDF5 object header at address \(address)")
        }
        var visited = 0
        while let (at, size, v2) = chunks.first {
            chunks.removeFirst()
            visited += 1
            guard visited <= 1024, size >= 0, size <= 1 << 26 else { throw .limit("an HDF5 object header of more than 1024 chunks or 64 MiB") }
            let data = try read(at, size)
            var p = 0
            let messageHeader = v2 ? (v2Flags & 0x04 != 0 ? 6 : 4) : 8
            while p + messageHeader <= data.count {
                let type: Int, length: Int, flags: UInt8
                if v2 {
                    type = Int(data[p]); length = Self.int(data, p + 1, 2); flags = data[p + 3]
                } else {
                    type = Self.int(data, p, 2); length = Self.int(data, p + 2, 2); flags = data[p + 4]
                }
                let body = p + messageHeader
                guard body + length <= data.count else { throw .malformed("an HDF5 header message runs past its chunk") }
                let message = Array(data[body..<(body + length)])
                switch type {
                case 0x0C:
                    guard flags & 0x02 == 0 else { throw .malformed("a shared HDF5 attribute message, which the scanner does not follow") }
                    try attribute(message)
                case 0x10:
                    guard message.count >= offsetSize + lengthSize else { throw .malformed("a short HDF5 continuation message") }
                    let next = Self.address(message, 0, offsetSize)
                    let count = Self.int(message, offsetSize, lengthSize)
                    if v2 {
                        guard count >= 8 else { throw .malformed("an HDF5 continuation chunk shorter than its signature") }
                        chunks.append((next &+ 4, count - 8, true))
                    } else {
                        chunks.append((next, count, false))
                    }
                case 0x15:
                    // Attribute info: dense storage when its fractal heap address is defined.
                    let p0 = message.count > 1 && message[1] & 1 != 0 ? 4 : 2
                    if message.count >= p0 + offsetSize, Self.address(message, p0, offsetSize) != Self.undefined {
                        throw .malformed("attributes in HDF5 dense storage (a fractal heap), which the scanner does not read")
                    }
                default:
                    break
                }
                p = body + length
            }
        }
    }

    private mutating func attribute(_ m: [UInt8]) throws(ScanFailure) {
        guard m.count >= 8 else { throw .malformed("a short HDF5 attribute message") }
        let version = m[0]
        let nameSize = Self.int(m, 2, 2), typeSize = Self.int(m, 4, 2), spaceSize = Self.int(m, 6, 2)
        guard version >= 1, version <= 3 else { throw .malformed("HDF5 attribute message version \(version)") }
        if version >= 2, m[1] & 3 != 0 { throw .malformed("a shared HDF5 datatype or dataspace, which the scanner does not follow") }
        func pad(_ n: Int) -> Int { version == 1 ? (n + 7) / 8 * 8 : n }
        var p = version == 3 ? 9 : 8
        guard p + pad(nameSize) + pad(typeSize) + pad(spaceSize) <= m.count else { throw .malformed("an HDF5 attribute message larger than itself") }
        let name = String(decoding: m[p..<(p + max(0, nameSize - 1))], as: UTF8.self)
        p += pad(nameSize)
        let type = Array(m[p..<(p + typeSize)])
        p += pad(typeSize)
        let space = Array(m[p..<(p + spaceSize)])
        p += pad(spaceSize)
        let data = Array(m[p...])
        guard type.count >= 8 else { throw .malformed("attribute `\(name)` has a short datatype") }
        let elements = try Self.elements(space, lengthSize: lengthSize)
        guard elements == 1 else { others.append(name); return }
        switch type[0] & 0x0F {
        case 3:
            let size = Self.int(type, 4, 4)
            guard size <= data.count else { throw .malformed("attribute `\(name)` holds fewer bytes than its type") }
            var bytes = Array(data[0..<size])
            if type[1] & 0x0F == 2 { while bytes.last == 0x20 { bytes.removeLast() } } else if let nul = bytes.firstIndex(of: 0) { bytes = Array(bytes[..<nul]) }
            strings[name] = String(decoding: bytes, as: UTF8.self)
        case 9 where type[1] & 0x0F == 1:
            guard data.count >= 4 + offsetSize + 4 else { throw .malformed("attribute `\(name)` holds a short variable-length reference") }
            let length = Self.int(data, 0, 4)
            let collection = Self.address(data, 4, offsetSize)
            let index = Self.int(data, 4 + offsetSize, 4)
            guard length <= Self.maximumValue else { throw .limit("attribute `\(name)` of \(length) bytes") }
            strings[name] = length == 0 ? "" : String(decoding: try globalHeapObject(collection, index: index, length: length), as: UTF8.self)
        default:
            others.append(name)
        }
    }

    private static func elements(_ space: [UInt8], lengthSize: Int) throws(ScanFailure) -> Int {
        guard space.count >= 4 else { throw .malformed("a short HDF5 dataspace") }
        let rank = Int(space[1])
        if space[0] == 2, space[3] == 0 { return 1 }   // v2 scalar
        if space[0] == 2, space[3] == 2 { return 0 }   // v2 null
        if rank == 0 { return 1 }
        let start = space[0] == 1 ? 8 : 4
        guard space.count >= start + rank * lengthSize else { throw .malformed("a short HDF5 dataspace") }
        var n = 1
        for r in 0..<rank {
            let d = uint(space, start + r * lengthSize, lengthSize)
            guard d <= 1 << 40 else { return 2 }
            n = n.multipliedReportingOverflow(by: Int(d)).overflow ? 2 : n * Int(d)
        }
        return n
    }

    /// Object `index` of the global heap collection at `address`.
    private func globalHeapObject(_ address: UInt64, index: Int, length: Int) throws(ScanFailure) -> [UInt8] {
        let header = try read(address, 8 + lengthSize)
        guard header[0..<4].elementsEqual("GCOL".utf8) else { throw .malformed("no HDF5 global heap collection at \(address)") }
        let size = Self.int(header, 8, lengthSize)
        guard size >= 8 + lengthSize, size <= Self.maximumValue + 4096 else { throw .malformed("an HDF5 global heap collection of \(size) bytes") }
        let collection = try read(address, size)
        var p = 8 + lengthSize
        while p + 8 + lengthSize <= collection.count {
            let object = Self.int(collection, p, 2)
            let objectSize = Self.int(collection, p + 8, lengthSize)
            if object == 0 { break }
            let start = p + 8 + lengthSize
            guard objectSize >= 0, objectSize <= collection.count - start else { throw .malformed("an HDF5 global heap object runs past its collection") }
            if object == index {
                guard length <= objectSize else { throw .malformed("a variable-length string longer than its heap object") }
                return Array(collection[start..<(start + length)])
            }
            p = start + (objectSize + 7) / 8 * 8
        }
        throw .malformed("HDF5 global heap object \(index) not found at \(address)")
    }
}
