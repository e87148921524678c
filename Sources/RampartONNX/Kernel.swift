import Foundation
import RampartML

/// One compiled node: what it computes and, for the differentiable operators, its vector–Jacobian product.
struct Kernel: Sendable {
    /// Inputs in the node's order (nil for an absent optional input) → outputs in the node's order.
    typealias Forward = @Sendable ([ONNXValue?]) throws -> [ONNXValue]
    /// The node's inputs and outputs and the gradients of its outputs (nil: zero) → the gradients of its float inputs
    /// (nil where there is none).
    typealias Backward = @Sendable (_ inputs: [ONNXValue?], _ outputs: [ONNXValue], _ gradients: [Tensor?]) throws -> [Tensor?]

    var forward: Forward
    var backward: Backward?

    init(forward: @escaping Forward, backward: Backward? = nil) {
        self.forward = forward
        self.backward = backward
    }

    /// A one-input, one-output float operator with its derivative written in terms of input, output and gradient.
    static func unary(_ f: @escaping @Sendable (Tensor) throws -> Tensor,
                      derivative: (@Sendable (_ x: Tensor, _ y: Tensor, _ dy: Tensor) throws -> Tensor)? = nil) -> Kernel {
        let forward: Forward = { inputs in [.floats(try f(try floatInput(inputs, 0)))] }
        guard let derivative else { return Kernel(forward: forward) }
        let backward: Backward = { inputs, outputs, gradients in
            guard let dy = gradients[0] else { return [nil] }
            return [try derivative(try floatInput(inputs, 0), try floatOutput(outputs, 0), dy)]
        }
        return Kernel(forward: forward, backward: backward)
    }
}

func floatInput(_ inputs: [ONNXValue?], _ index: Int) throws -> Tensor {
    guard index < inputs.count, let value = inputs[index] else { throw KernelFailure("input \(index) is missing") }
    guard case .floats(let tensor) = value else { throw KernelFailure("input \(index) is \(value.typeName), not tensor(float)") }
    return tensor
}

func optionalFloatInput(_ inputs: [ONNXValue?], _ index: Int) throws -> Tensor? {
    guard index < inputs.count, inputs[index] != nil else { return nil }
    return try floatInput(inputs, index)
}

func intInput(_ inputs: [ONNXValue?], _ index: Int) throws -> IntTensor {
    guard index < inputs.count, let value = inputs[index] else { throw KernelFailure("input \(index) is missing") }
    guard case .ints(let tensor) = value else { throw KernelFailure("input \(index) is \(value.typeName), not an integer tensor") }
    return tensor
}

func floatOutput(_ outputs: [ONNXValue], _ index: Int) throws -> Tensor {
    guard index < outputs.count, case .floats(let tensor) = outputs[index] else { throw KernelFailure("output \(index) is not tensor(float)") }
    return tensor
}

/// The last two axes swapped (a batch of matrices transposed).
func swapLastTwo(_ t: Tensor) throws -> Tensor {
    guard t.rank >= 2 else { return t }
    var perm = Array(0..<t.rank)
    perm.swapAt(t.rank - 1, t.rank - 2)
    return try t.transposed(perm)
}
