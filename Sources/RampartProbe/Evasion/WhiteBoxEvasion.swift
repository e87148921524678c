import Foundation
import RampartCore
import RampartML
import RampartONNX

/// White-box evasion (input manipulation) on a local model, through the native runtime's input gradients: FGSM
/// (Goodfellow et al. 2015) and PGD (Madry et al. 2018) in L∞ and L2, untargeted, inside the input box. The loss is
/// the cross-entropy of the true label on the model's probability output: its gradient with respect to the input is
/// the vector–Jacobian product with cotangent −1/p_y on the true class.
public enum WhiteBoxEvasion {
    public struct Result: Sendable, Equatable {
        /// The adversarial rows (`n × features`), each within `epsilon` of its original and inside the box.
        public var adversarial: Tensor
        /// Whether each row's label changed (only rows the model classified correctly count as attacked).
        public var succeeded: [Bool]
        public var attacked: Int
        public var successRate: Double { attacked == 0 ? 0 : Double(succeeded.filter { $0 }.count) / Double(attacked) }
    }

    /// PGD with `steps` steps of `stepSize` from a random start in the ball (seeded); FGSM is one step of size
    /// `epsilon` from the original (`steps: 1, stepSize: epsilon, randomStart: false`).
    public static func pgd(_ target: LocalModelTarget, x: Tensor, labels: [Int], norm: Norm, epsilon: Float, steps: Int, stepSize: Float,
                           randomStart: Bool = true, low: Float = 0, high: Float = 1, seed: UInt64 = 0) throws -> Result {
        let n = x.shape[0], d = x.count / Swift.max(n, 1)
        var rng = SeededRandom(seed: seed)
        let before = try target.labels(x)
        var adversarial = x.data
        if randomStart {
            for i in adversarial.indices {
                let noise = Float(Double(rng.next() >> 11) / Double(1 << 53)) * 2 - 1
                adversarial[i] += norm == .linf ? noise * epsilon : noise * epsilon / Float(d).squareRoot()
            }
            project(&adversarial, original: x.data, rows: n, norm: norm, epsilon: epsilon, low: low, high: high)
        }
        for _ in 0..<Swift.max(steps, 1) {
            let gradient = try target.lossGradient(try Tensor(shape: x.shape, data: adversarial), labels: labels)
            for r in 0..<n {
                let range = (r * d)..<((r + 1) * d)
                switch norm {
                case .linf:
                    for i in range { adversarial[i] += stepSize * (gradient.data[i] > 0 ? 1 : (gradient.data[i] < 0 ? -1 : 0)) }
                case .l2:
                    let length = range.reduce(Float(0)) { $0 + gradient.data[$1] * gradient.data[$1] }.squareRoot()
                    guard length > 0 else { continue }
                    for i in range { adversarial[i] += stepSize * gradient.data[i] / length }
                }
            }
            project(&adversarial, original: x.data, rows: n, norm: norm, epsilon: epsilon, low: low, high: high)
        }
        let result = try Tensor(shape: x.shape, data: adversarial)
        let after = try target.labels(result)
        let correct = (0..<n).map { before[$0] == labels[$0] }
        return Result(adversarial: result, succeeded: (0..<n).map { correct[$0] && after[$0] != labels[$0] }, attacked: correct.filter { $0 }.count)
    }

    public static func fgsm(_ target: LocalModelTarget, x: Tensor, labels: [Int], norm: Norm, epsilon: Float, low: Float = 0, high: Float = 1) throws -> Result {
        try pgd(target, x: x, labels: labels, norm: norm, epsilon: epsilon, steps: 1, stepSize: epsilon, randomStart: false, low: low, high: high)
    }

    /// Back into the ε-ball around each original row, then into the box.
    static func project(_ values: inout [Float], original: [Float], rows: Int, norm: Norm, epsilon: Float, low: Float, high: Float) {
        let d = values.count / Swift.max(rows, 1)
        for r in 0..<rows {
            let range = (r * d)..<((r + 1) * d)
            switch norm {
            case .linf:
                for i in range { values[i] = Swift.min(Swift.max(values[i], original[i] - epsilon), original[i] + epsilon) }
            case .l2:
                let length = range.reduce(Float(0)) { $0 + (values[$1] - original[$1]) * (values[$1] - original[$1]) }.squareRoot()
                if length > epsilon { for i in range { values[i] = original[i] + (values[i] - original[i]) * epsilon / length } }
            }
            for i in range { values[i] = Swift.min(Swift.max(values[i], low), high) }
        }
    }
}

extension LocalModelTarget {
    func labels(_ x: Tensor) throws -> [Int] {
        let labels = outputs.classes(try graph.run([input: .floats(x)], outputs: outputs.names))
        guard labels.count == x.shape.first else { throw ProbeError.unsuitableTarget("the model gave no labels") }
        return labels
    }

    /// ∂(−log p_y)/∂x for each row, through the probability tensor the model computes (before ZipMap, if any).
    public func lossGradient(_ x: Tensor, labels: [Int]) throws -> Tensor {
        guard let probabilityValue = probabilityValue else { throw ProbeError.unsuitableTarget("the model has no differentiable probability output") }
        let p = try require(try graph.run([input: .floats(x)], outputs: [probabilityValue])[probabilityValue]?.floatTensor)
        let classes = p.shape.last ?? 1
        var cotangent = [Float](repeating: 0, count: p.count)
        for (r, y) in labels.enumerated() where y >= 0 && y < classes { cotangent[r * classes + y] = -1 / Swift.max(p.data[r * classes + y], 1e-12) }
        return try graph.gradient([input: .floats(x)], of: probabilityValue, cotangent: try Tensor(shape: p.shape, data: cotangent), withRespectTo: input).gradient
    }
}

private func `require`<T>(_ value: T?) throws -> T {
    guard let value else { throw ProbeError.unsuitableTarget("the model gave no probabilities") }
    return value
}
