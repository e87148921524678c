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
