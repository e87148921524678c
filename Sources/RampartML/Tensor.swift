/// A dense, row-major tensor of `Float` — the one value type of Rampart's model runtime. Shapes follow ONNX:
/// a list of non-negative dimensions; a scalar has shape `[]` and one element.
///
/// ```swift
/// let x = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
/// let y = try x.matmul(Tensor(shape: [3, 1], data: [1, 0, -1]))    // [[-2], [-2]]
/// ```
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    public private(set) var shape: [Int]
    public var data: [Float]

    /// The largest tensor (2²⁸ floats, 1 GiB): a model or request that needs more is refused, not allowed to exhaust memory.
    public static let maxElements = 1 << 28

    /// Number of elements a shape holds; throws for a negative dimension or more than `maxElements`.
    public static func count(of shape: [Int]) throws(TensorError) -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw .invalidShape("dimension \(dimension) is negative in \(shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= Tensor.maxElements else { throw .invalidShape("\(shape) has more than 2^28 elements") }
            count = product
        }
        return count
    }

    public init(shape: [Int], data: [Float]) throws(TensorError) {
        let count = try Self.count(of: shape)
        guard data.count == count else { throw .invalidShape("shape \(shape) holds \(count) values, got \(data.count)") }
        self.shape = shape
        self.data = data
    }

    /// A tensor of `shape` filled with `value`.
    public init(repeating value: Float, shape: [Int]) throws(TensorError) {
        try self.init(shape: shape, data: Array(repeating: value, count: try Self.count(of: shape)))
    }

    /// A scalar.
    public init(scalar: Float) {
        shape = []
        data = [scalar]
    }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    /// Row-major strides of `shape`.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// The same values under another shape (ONNX Reshape semantics for `-1`: one dimension inferred; `0` is not
    /// special here — callers resolve it).
    public func reshaped(_ newShape: [Int]) throws(TensorError) -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1 else { throw .invalidShape("reshape to \(newShape): at most one dimension may be -1") }
        if let axis = inferred.first {
            let known = try Self.count(of: newShape.enumerated().filter { $0.offset != axis }.map(\.element))
            guard known > 0, count % known == 0 else { throw .invalidShape("cannot reshape \(shape) to \(newShape)") }
            resolved[axis] = count / known
        }
        guard try Self.count(of: resolved) == count else { throw .invalidShape("cannot reshape \(shape) (\(count) values) to \(newShape)") }
        var out = self
        out.shape = resolved
        return out
    }

    /// Normalizes an ONNX axis (negative counts from the end) for a tensor of `rank`.
    public static func axis(_ axis: Int, rank: Int) throws(TensorError) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0, normalized < Swift.max(rank, 1) else { throw .invalidAxis("axis \(axis) is out of range for rank \(rank)") }
        return normalized
    }

    public var description: String { "Tensor(shape: \(shape), \(data.prefix(8).map { "\($0)" }.joined(separator: ", "))\(count > 8 ? ", …" : ""))" }
}
