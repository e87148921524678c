/// One tensor of the Open Inference Protocol's JSON form: its name, datatype, shape, and its values in row-major
/// order (`data` may be flat or nested; it is read flat).
public struct InferenceTensor: Sendable, Equatable {
    public var name: String
    public var datatype: InferenceDatatype
    public var shape: [Int]
    public var data: Values

    /// The values, by the datatype's kind: `FP*` as `Float` (what Rampart's models compute in), integers as `Int64`.
    public enum Values: Sendable, Equatable {
        case floats([Float])
        case ints([Int64])
        case bools([Bool])
        case strings([String])

        public var count: Int {
            switch self {
            case .floats(let v): v.count
            case .ints(let v): v.count
            case .bools(let v): v.count
            case .strings(let v): v.count
            }
        }
    }

    public init(name: String, datatype: InferenceDatatype, shape: [Int], data: Values) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
        self.data = data
    }

    /// Most values one tensor may hold, and the largest dimension: bounds what a hostile document can make a reader
    /// allocate.
    public static let maxElements = 1 << 24

    /// Reads a tensor whose header and values are checked for their own consistency only (answers from a model server,
    /// files given to the CLI). A datatype this codec does not know is an error.
    public static func decode(_ json: JSONValue, path: String) throws(InferenceCodingError) -> InferenceTensor {
        guard case .object = json else { throw .init(.invalidInput, "expected a tensor object with name, datatype, shape and data", path: path) }
        guard let name = json["name"]?.stringValue else { throw .init(.invalidInput, "a tensor needs a `name`", path: path + ".name") }
        guard let text = json["datatype"]?.stringValue, let datatype = InferenceDatatype(rawValue: text) else {
            throw .init(.invalidInput, "tensor `\(name.prefix(64))` needs a `datatype`, one of \(InferenceDatatype.allCases.map(\.rawValue).joined(separator: ", "))",
                        path: path + ".datatype")
        }
        let shape = try decodeShape(json["shape"], name: name, path: path + ".shape", allowZero: true)
        guard let count = elementCount(shape) else {
            throw .init(.invalidShape, "tensor `\(name.prefix(64))` has too many values for shape \(shape)", path: path + ".shape")
        }
        guard let data = json["data"]?.arrayValue else {
            throw .init(.invalidInput, "tensor `\(name.prefix(64))` needs `data`, a list of values in row-major order", path: path + ".data")
        }
        let leaves = InferenceTensor.leaves(data)
        guard leaves.count == count else {
            throw .init(.invalidShape, "tensor `\(name.prefix(64))`: shape \(shape) holds \(count) values, `data` has \(leaves.count)", path: path + ".data")
        }
        let values = try decodeValues(leaves, datatype: datatype, name: name, path: path + ".data")
        return InferenceTensor(name: name, datatype: datatype, shape: shape, data: values)
    }

    /// `shape`: whole numbers from 1 (0 where `allowZero`) to ``maxElements``.
    static func decodeShape(_ json: JSONValue?, name: String, path: String, allowZero: Bool, noun: String = "tensor") throws(InferenceCodingError) -> [Int] {
        guard let values = json?.arrayValue else { throw .init(.invalidInput, "\(noun) `\(name.prefix(64))` needs a `shape`", path: path) }
        var shape: [Int] = []
        for (axis, value) in values.enumerated() {
            guard let d = value.intValue, d >= (allowZero ? 0 : 1), d <= maxElements else {
                throw .init(.invalidInput, "\(noun) `\(name.prefix(64))`: shape[\(axis)] must be a whole number from \(allowZero ? 0 : 1) to \(maxElements)", path: path)
            }
            shape.append(d)
        }
        return shape
    }

    /// The product of `shape`, or nil past ``maxElements``.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= maxElements else { return nil }
            count = product
        }
        return count
    }

    /// The leaves of nested `data` in row-major order.
    static func leaves(_ items: [JSONValue]) -> [JSONValue] {
        var out: [JSONValue] = []
        func walk(_ items: [JSONValue]) {
            for item in items {
                if case .array(let nested) = item { walk(nested) } else { out.append(item) }
            }
        }
        walk(items)
        return out
    }

    static func decodeValues(_ leaves: [JSONValue], datatype: InferenceDatatype, name: String, path: String) throws(InferenceCodingError) -> Values {
        func bad(_ index: Int, _ what: String) -> InferenceCodingError {
            .init(.invalidValue, "tensor `\(name.prefix(64))`: value at index \(index) \(what)", path: "\(path)[\(index)]")
        }
        switch datatype {
        case .bool:
            var out: [Bool] = []
            out.reserveCapacity(leaves.count)
            for (i, leaf) in leaves.enumerated() {
                guard let b = leaf.boolValue else { throw bad(i, "is not true or false") }
                out.append(b)
            }
            return .bools(out)
        case .bytes:
            var out: [String] = []
            out.reserveCapacity(leaves.count)
            for (i, leaf) in leaves.enumerated() {
                guard let s = leaf.stringValue else { throw bad(i, "is not a string") }
                out.append(s)
            }
            return .strings(out)
        case .fp16, .fp32, .fp64:
            var out: [Float] = []
            out.reserveCapacity(leaves.count)
            for (i, leaf) in leaves.enumerated() {
                guard case .number(let text) = leaf, let d = Double(text) else { throw bad(i, "is not a number") }
                let f = Float(d)
                guard f.isFinite else { throw bad(i, "is not finite in FP32") }
                out.append(f)
            }
            return .floats(out)
        default:
            var out: [Int64] = []
            out.reserveCapacity(leaves.count)
            for (i, leaf) in leaves.enumerated() {
                guard case .number(let text) = leaf else { throw bad(i, "is not a number") }
                // Some servers write integers as 3.0: whole values are read, fractions are not.
                guard let v = Int64(text) ?? Double(text).flatMap({ Int64(exactly: $0) }) else { throw bad(i, "is not a whole number") }
                out.append(v)
            }
            return .ints(out)
        }
    }

    // MARK: Writing

    /// The tensor as `{"name","datatype","shape","data"}` with flat data. Floats are written as Swift prints them
    /// (shortest round-trip form); a value that is not finite, which JSON cannot carry, is written as `null`.
    public func json() -> String {
        var out = #"{"name":"# + JSONValue.quote(name) + #","datatype":""# + datatype.rawValue + #"","shape":["#
        out += shape.map(String.init).joined(separator: ",") + #"],"data":["#
        switch data {
        case .floats(let v):
            out.reserveCapacity(out.utf8.count + v.count * 10)
            for (i, x) in v.enumerated() {
                if i > 0 { out += "," }
                out += x.isFinite ? x.description : "null"
            }
        case .ints(let v): out += v.map(String.init).joined(separator: ",")
        case .bools(let v): out += v.map { $0 ? "true" : "false" }.joined(separator: ",")
        case .strings(let v): out += v.map(JSONValue.quote).joined(separator: ",")
        }
        return out + "]}"
    }
}
