import RampartML

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
