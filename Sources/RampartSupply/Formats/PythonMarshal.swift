/// CPython's `marshal` format, read far enough to list the names and string constants a marshalled code object
/// uses (a Keras `Lambda` layer's function). Code objects' headers differ between Python versions (3.8–3.10:
/// six 32-bit fields; 3.11 and later: five); each layout is tried and the one that parses is kept. Nothing is
/// executed.
struct PythonMarshal {
    private let bytes: [UInt8]
    private var i = 0
    private var refs = 0
    /// A code object's layout: 32-bit fields, objects before the first-line number, objects after it.
    private let layout: (fields: Int, before: Int, after: Int)
    /// Names, attribute names and string constants, in order of appearance.
    private(set) var strings: [String] = []
    private var objects = 0

    /// The strings of the first layout that parses `bytes` to the end.
    static func strings(in bytes: [UInt8]) -> [String]? {
        // 3.11+: argcount, posonly, kwonly, stacksize, flags; code, consts, names, localsplusnames, localspluskinds,
        // filename, name, qualname; firstlineno; linetable, exceptiontable. 3.8–3.10: six fields (nlocals), no
        // qualname or kinds but varnames, freevars, cellvars; lnotab. 3.7: five fields, as 3.8 without posonly.
        for layout in [(5, 8, 2), (6, 8, 1), (5, 8, 1)] {
            var m = PythonMarshal(bytes: bytes, layout: layout)
            if (try? m.object(depth: 0)) != nil, m.i == bytes.count { return m.strings }
        }
        return nil
    }

    private init(bytes: [UInt8], layout: (Int, Int, Int)) {
        self.bytes = bytes
        self.layout = layout
    }

    private struct Bad: Error {}

    private mutating func byte() throws -> UInt8 {
        guard i < bytes.count else { throw Bad() }
        defer { i += 1 }
        return bytes[i]
    }

    private mutating func int32() throws -> Int {
        guard i + 4 <= bytes.count else { throw Bad() }
        let v = Int32(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        i += 4
        return Int(v)
    }

    private mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, i + n <= bytes.count else { throw Bad() }
        defer { i += n }
        return bytes[i..<(i + n)]
    }

    private mutating func text(_ n: Int) throws {
        let s = String(decoding: try take(n), as: UTF8.self)
        if s.count <= 256, strings.count < 10_000 { strings.append(s) }
    }

    private mutating func object(depth: Int) throws {
        guard depth < 64 else { throw Bad() }
        objects += 1
        guard objects < 1_000_000 else { throw Bad() }
        let raw = try byte()
        let flagged = raw & 0x80 != 0
        if flagged { refs += 1 }
        switch raw & 0x7F {
        case 0x30, 0x4E, 0x46, 0x54, 0x53, 0x2E: break                 // NULL None False True StopIteration Ellipsis
        case 0x69: _ = try take(4)                                       // int32
        case 0x49: _ = try take(8)                                       // int64
        case 0x6C: let n = try int32(); _ = try take(abs(n) * 2)         // long: digits of 15 bits in 2 bytes
        case 0x66: let n = Int(try byte()); _ = try take(n)               // float as text
        case 0x67: _ = try take(8)                                       // binary float
        case 0x78: for _ in 0..<2 { let n = Int(try byte()); _ = try take(n) }
        case 0x79: _ = try take(16)                                      // binary complex
        case 0x73: let n = try int32(); _ = try take(n)                  // bytes (bytecode): not names
        case 0x74, 0x75, 0x61, 0x41: try text(try int32())               // interned, unicode, ascii, ascii interned
        case 0x7A, 0x5A: try text(Int(try byte()))                       // short ascii (interned)
        case 0x72: guard try int32() < refs else { throw Bad() }          // a back reference
        case 0x29: let n = Int(try byte()); for _ in 0..<n { try object(depth: depth + 1) }
        case 0x28, 0x5B, 0x3C, 0x3E:
            let n = try int32()
            guard n >= 0, n <= bytes.count else { throw Bad() }
            for _ in 0..<n { try object(depth: depth + 1) }
        case 0x7B:
            while true {
                guard i < bytes.count else { throw Bad() }
                if bytes[i] == 0x30 { i += 1; break }
                try object(depth: depth + 1)
                try object(depth: depth + 1)
            }
        case 0x63:
            _ = try take(4 * layout.fields)
            for _ in 0..<layout.before { try object(depth: depth + 1) }
            _ = try take(4)
            for _ in 0..<layout.after { try object(depth: depth + 1) }
        default:
            throw Bad()
        }
    }
}
