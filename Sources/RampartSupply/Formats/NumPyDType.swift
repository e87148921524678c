/// NumPy array element types as `.npy` headers and pickles name them (`<f4`, `|b1`, `<U10`, `O`, structured
/// `[('x', '<f4'), ('y', '<i8', (2,))]`): enough to know an array's size in bytes and whether it holds Python
/// objects (which are stored as a pickle).
struct NumPyDType: Equatable {
    /// Bytes per element; 0 for object arrays.
    var itemSize: Int
    var isObject: Bool

    /// From a type string such as `<f8`, `|u1`, `>c16`, `<U7` (7 UCS-4 characters), `|S5`, `|V12`, `O`, `<M8[ns]`.
    init(typeString raw: String) throws(ScanFailure) {
        var s = Substring(raw)
        if let first = s.first, "<>|=".contains(first) { s = s.dropFirst() }
        if let bracket = s.firstIndex(of: "[") { s = s[..<bracket] }   // datetime units
        guard let kind = s.first else { throw .malformed("an empty dtype") }
        let digits = s.dropFirst()
        let n = digits.isEmpty ? nil : Int(digits)
        if !digits.isEmpty, n == nil { throw .malformed("dtype `\(raw.prefix(40))` is not one NumPy writes") }
        switch kind {
        case "O":
            itemSize = 0
            isObject = true
            return
        case "b", "i", "u", "f", "c", "m", "M", "S", "a", "V", "B", "h", "H", "l", "L", "q", "Q", "e", "d", "g", "F", "D", "G", "?":
            let defaults: [Character: Int] = ["b": 1, "B": 1, "?": 1, "h": 2, "H": 2, "l": 8, "L": 8, "q": 8, "Q": 8, "e": 2, "d": 8,
                                              "g": 16, "F": 8, "D": 16, "G": 32, "f": 4, "i": 4, "u": 4, "c": 16, "m": 8, "M": 8]
            guard let size = n ?? defaults[kind] else { throw .malformed("dtype `\(raw.prefix(40))` has no size") }
            itemSize = size
        case "U":
            guard let chars = n else { throw .malformed("dtype `\(raw.prefix(40))` has no length") }
            let (bytes, overflow) = chars.multipliedReportingOverflow(by: 4)
            guard !overflow else { throw .malformed("dtype `\(raw.prefix(40))` is too large") }
            itemSize = bytes
        default:
            throw .malformed("dtype `\(raw.prefix(40))` is not one NumPy writes")
        }
        isObject = false
        guard itemSize >= 0, itemSize <= 1 << 40 else { throw .malformed("dtype `\(raw.prefix(40))` is too large") }
    }

    init(itemSize: Int, isObject: Bool) {
        self.itemSize = itemSize
        self.isObject = isObject
    }

    /// From a `.npy` header's `descr`: a type string, or a list of `(name, type[, shape])` fields.
    init(descr: PythonLiteral, depth: Int = 0) throws(ScanFailure) {
        guard depth < 16 else { throw .limit("a structured dtype nested deeper than 16") }
        switch descr {
        case .string(let s):
            self = try NumPyDType(typeString: s)
        case .list(let fields):
            var size = 0
            var object = false
            for field in fields {
                guard case .tuple(let parts) = field, parts.count >= 2 else { throw .malformed("a structured dtype field is not (name, type[, shape])") }
                let inner = try NumPyDType(descr: parts[1], depth: depth + 1)
                var count = 1
                if parts.count >= 3 { count = try Self.elements(parts[2]) }
                let (bytes, o1) = inner.itemSize.multipliedReportingOverflow(by: count)
                let (total, o2) = size.addingReportingOverflow(bytes)
                guard !o1, !o2 else { throw .malformed("a structured dtype too large to hold") }
                size = total
                object = object || inner.isObject
            }
            self.init(itemSize: size, isObject: object)
        default:
            throw .malformed("descr is neither a type string nor a list of fields")
        }
    }

    /// The number of elements of a shape (an int or a tuple of ints), refusing negatives and overflow.
    static func elements(_ shape: PythonLiteral) throws(ScanFailure) -> Int {
        switch shape {
        case .int(let n):
            guard n >= 0 else { throw .malformed("a negative dimension \(n)") }
            return n
        case .tuple(let dims), .list(let dims):
            var count = 1
            for d in dims {
                guard case .int(let n) = d, n >= 0 else { throw .malformed("a shape with a dimension that is not a non-negative integer") }
                let (p, overflow) = count.multipliedReportingOverflow(by: n)
                guard !overflow else { throw .malformed("a shape whose element count overflows") }
                count = p
            }
            return count
        default:
            throw .malformed("a shape that is not a tuple of integers")
        }
    }
}
