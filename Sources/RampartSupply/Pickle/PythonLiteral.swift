/// Python literals as pickles and `.npy` headers write them: quoted strings with escapes, raw-unicode-escape text,
/// and the `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` dict of a NumPy header. Parsed, never
/// evaluated.
enum PythonLiteral: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(String, PythonLiteral)])

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.none, .none): true
        case (.tuple(let x), .tuple(let y)), (.list(let x), .list(let y)): x == y
        case (.dict(let x), .dict(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    subscript(key: String) -> PythonLiteral? {
        guard case .dict(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// A protocol-0 `STRING` argument: `'…'` or `"…"` with Python's backslash escapes.
    static func quotedString(_ raw: [UInt8], at offset: Int64) throws(ScanFailure) -> String {
        var bytes = raw
        if bytes.last == 0x0D { bytes.removeLast() }
        guard bytes.count >= 2, let q = bytes.first, q == 0x27 || q == 0x22, bytes.last == q else {
            throw .malformed("STRING argument is not quoted, at offset \(offset)")
        }
        var parser = Parser(Array(bytes[1..<(bytes.count - 1)]))
        return try parser.escaped(until: nil)
    }

    /// A protocol-0 `UNICODE` argument (raw-unicode-escape: `\uXXXX` and `\UXXXXXXXX`, everything else Latin-1).
    static func rawUnicodeEscape(_ raw: [UInt8]) -> String {
        var out = String.UnicodeScalarView()
        var i = 0
        while i < raw.count {
            if raw[i] == 0x5C, i + 1 < raw.count, raw[i + 1] == 0x75 || raw[i + 1] == 0x55 {
                let width = raw[i + 1] == 0x75 ? 4 : 8
                if i + 2 + width <= raw.count, let v = UInt32(String(decoding: raw[(i + 2)..<(i + 2 + width)], as: UTF8.self), radix: 16),
                   let scalar = Unicode.Scalar(v) {
                    out.append(scalar)
                    i += 2 + width
                    continue
                }
            }
            out.append(Unicode.Scalar(raw[i]))
            i += 1
        }
        return String(out)
    }

    /// Parses one literal (a `.npy` header). Nesting is bounded.
    static func parse(_ text: [UInt8]) throws(ScanFailure) -> PythonLiteral {
        var parser = Parser(text)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.atEnd else { throw .malformed("unexpected `\(parser.rest)` after the literal") }
        return value
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { i >= bytes.count }
        var rest: String { String(decoding: bytes[i..<min(bytes.count, i + 20)], as: UTF8.self) }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
        }

        mutating func value(depth: Int) throws(ScanFailure) -> PythonLiteral {
            guard depth < 32 else { throw .limit("a literal nested deeper than 32") }
            skipSpace()
            guard i < bytes.count else { throw .truncated("the literal ends early") }
            switch bytes[i] {
            case 0x27, 0x22:
                let q = bytes[i]
                i += 1
                return .string(try escaped(until: q))
            case 0x28, 0x5B:
                let close: UInt8 = bytes[i] == 0x28 ? 0x29 : 0x5D
                let isTuple = bytes[i] == 0x28
                i += 1
                var items: [PythonLiteral] = []
                while true {
                    skipSpace()
                    guard i < bytes.count else { throw .truncated("a tuple or list is not closed") }
                    if bytes[i] == close { i += 1; break }
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < bytes.count else { throw .truncated("a tuple or list is not closed") }
                    if bytes[i] == 0x2C { i += 1 } else if bytes[i] != close { throw .malformed("expected `,` in a tuple or list, found `\(rest)`") }
                }
                return isTuple ? .tuple(items) : .list(items)
            case 0x7B:
                i += 1
                var pairs: [(String, PythonLiteral)] = []
                while true {
                    skipSpace()
                    guard i < bytes.count else { throw .truncated("a dict is not closed") }
                    if bytes[i] == 0x7D { i += 1; break }
                    guard case .string(let key) = try value(depth: depth + 1) else { throw .malformed("a dict key that is not a string") }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == 0x3A else { throw .malformed("expected `:` after a dict key") }
                    i += 1
                    pairs.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < bytes.count else { throw .truncated("a dict is not closed") }
                    if bytes[i] == 0x2C { i += 1 } else if bytes[i] != 0x7D { throw .malformed("expected `,` in a dict, found `\(rest)`") }
                }
                return .dict(pairs)
            default:
                var j = i
                while j < bytes.count, bytes[j] == 0x2D || bytes[j] == 0x2B || (bytes[j] >= 0x30 && bytes[j] <= 0x39) || (bytes[j] | 0x20 >= 0x61 && bytes[j] | 0x20 <= 0x7A) || bytes[j] == 0x5F { j += 1 }
                let word = String(decoding: bytes[i..<j], as: UTF8.self)
                i = j
                switch word {
                case "True": return .bool(true)
                case "False": return .bool(false)
                case "None": return .none
                default:
                    var digits = word
                    if digits.hasSuffix("L") { digits.removeLast() }
                    guard let v = Int(digits) else { throw .malformed("`\(word.prefix(20))` is not a literal this parser accepts") }
                    return .int(v)
                }
            }
        }

        /// Characters up to the closing quote `q` (or the end when nil), with backslash escapes decoded.
        mutating func escaped(until q: UInt8?) throws(ScanFailure) -> String {
            var out = String.UnicodeScalarView()
            while true {
                guard i < bytes.count else {
                    if q == nil { return String(out) }
                    throw .truncated("a string is not closed")
                }
                let b = bytes[i]
                if let q, b == q { i += 1; return String(out) }
                i += 1
                guard b == 0x5C, i < bytes.count else {
                    out.append(Unicode.Scalar(b))
                    continue
                }
                let e = bytes[i]
                i += 1
                switch e {
                case 0x6E: out.append("\n")
                case 0x74: out.append("\t")
                case 0x72: out.append("\r")
                case 0x30...0x37:
                    var v = UInt32(e - 0x30)
                    var n = 1
                    while n < 3, i < bytes.count, (0x30...0x37).contains(bytes[i]) { v = v * 8 + UInt32(bytes[i] - 0x30); i += 1; n += 1 }
                    out.append(Unicode.Scalar(UInt8(truncatingIfNeeded: v)))
                case 0x78:
                    guard i + 2 <= bytes.count, let v = UInt8(String(decoding: bytes[i..<(i + 2)], as: UTF8.self), radix: 16) else {
                        throw .malformed("a bad \\x escape in a string")
                    }
                    out.append(Unicode.Scalar(v))
                    i += 2
                case 0x0A: break
                default: out.append(Unicode.Scalar(e))
                }
            }
        }
    }
}
