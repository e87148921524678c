import RampartML

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
