import RampartML

/// A tensor of integers: int64 as ONNX stores labels, indices and shapes; int32, int8, uint8 and bool are kept in the
/// same form with their declared element type.
public struct IntTensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Int64]
    public var elementType: ONNXElementType

    public init(shape: [Int], data: [Int64], elementType: ONNXElementType = .int64) throws(TensorError) {
        guard try Tensor.count(of: shape) == data.count else { throw .invalidShape("shape \(shape) holds \(try Tensor.count(of: shape)) values, got \(data.count)") }
        self.shape = shape
        self.data = data
        self.elementType = elementType
    }
}

/// A tensor of strings (class labels of models trained on string targets).
public struct StringTensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [String]

    public init(shape: [Int], data: [String]) throws(TensorError) {
        guard try Tensor.count(of: shape) == data.count else { throw .invalidShape("shape \(shape) holds \(try Tensor.count(of: shape)) values, got \(data.count)") }
        self.shape = shape
        self.data = data
    }
}

/// Class labels a classifier declares (`classlabels_ints` or `classlabels_strings`).
public enum ClassLabels: Sendable, Equatable {
    case ints([Int64])
    case strings([String])

    public var count: Int {
        switch self {
        case .ints(let labels): labels.count
        case .strings(let labels): labels.count
        }
    }

    /// The labels at `indices`, as a tensor of `shape`.
    func pick(_ indices: [Int], shape: [Int]) throws(TensorError) -> ONNXValue {
        switch self {
        case .ints(let labels): .ints(try IntTensor(shape: shape, data: indices.map { labels[$0] }))
        case .strings(let labels): .strings(try StringTensor(shape: shape, data: indices.map { labels[$0] }))
        }
    }
}

/// ONNX tensor element types (`TensorProto.DataType`) the runtime reads and writes.
public enum ONNXElementType: Int32, Sendable, Equatable {
    case float = 1, uint8 = 2, int8 = 3, int16 = 5, int32 = 6, int64 = 7, string = 8, bool = 9, double = 11, uint32 = 12, uint64 = 13

    public var name: String {
        switch self {
        case .float: "float"
        case .uint8: "uint8"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .string: "string"
        case .bool: "bool"
        case .double: "double"
        case .uint32: "uint32"
        case .uint64: "uint64"
        }
    }

    var isInteger: Bool { ![.float, .double, .string].contains(self) }
}

/// A value flowing through a graph: a float tensor (doubles are computed as floats), an integer or string tensor, or
/// the sequence of maps ZipMap produces (one `label → probability` map per row).
public enum ONNXValue: Sendable, Equatable {
    case floats(Tensor)
    case ints(IntTensor)
    case strings(StringTensor)
    case maps(labels: ClassLabels, probabilities: Tensor)

    public var shape: [Int] {
        switch self {
        case .floats(let t): t.shape
        case .ints(let t): t.shape
        case .strings(let t): t.shape
        case .maps(_, let p): [p.shape.first ?? 0]
        }
    }

    /// `tensor(float)`, `tensor(int64)`, `seq(map(int64,tensor(float)))`, … — as `ONNXModel.Value.type` writes it.
    public var typeName: String {
        switch self {
        case .floats: "tensor(float)"
        case .ints(let t): "tensor(\(t.elementType.name))"
        case .strings: "tensor(string)"
        case .maps(.ints, _): "seq(map(int64,tensor(float)))"
        case .maps(.strings, _): "seq(map(string,tensor(float)))"
        }
    }

    /// The float tensor, if this is one.
    public var floatTensor: Tensor? {
        if case .floats(let t) = self { return t }
        return nil
    }

    /// The same values under another shape (any element type).
    func reshaped(_ shape: [Int]) throws(TensorError) -> ONNXValue {
        switch self {
        case .floats(let t): return .floats(try t.reshaped(shape))
        case .ints(let t):
            var out = try IntTensor(shape: shape, data: t.data, elementType: t.elementType)
            out.elementType = t.elementType
            return .ints(out)
        case .strings(let t): return .strings(try StringTensor(shape: shape, data: t.data))
        case .maps: throw .invalidShape("a sequence of maps has no shape to change")
        }
    }
}
