import RampartML

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
