import Foundation
import RampartML

/// Classifier and regressor score transforms of ONNX-ML (`post_transform`), row by row on an `N×C` tensor.
enum PostTransform: String, Sendable {
    case none = "NONE", logistic = "LOGISTIC", softmax = "SOFTMAX", softmaxZero = "SOFTMAX_ZERO", probit = "PROBIT"

    init(_ attributes: Attributes) throws(ONNXError) {
        let name = try attributes.string("post_transform", default: "NONE")
        guard let value = PostTransform(rawValue: name) else { throw attributes.error("unknown post_transform `\(name)`") }
        self = value
    }

    func apply(_ scores: inout [Float], rows: Int, columns: Int) {
        switch self {
        case .none: return
        case .logistic: for i in scores.indices { scores[i] = PostTransform.logistic(scores[i]) }
        case .probit: for i in scores.indices { scores[i] = PostTransform.probit(scores[i]) }
        case .softmax, .softmaxZero:
            for row in 0..<rows {
                let range = (row * columns)..<((row + 1) * columns)
                let top = scores[range].max() ?? 0
                var sum: Float = 0
                for i in range {
                    // SOFTMAX_ZERO leaves exact zeros at (scaled) zero, as onnxruntime does.
                    scores[i] = self == .softmaxZero && abs(scores[i]) < 1e-7 ? scores[i] * Foundation.exp(-top) : Foundation.exp(scores[i] - top)
                    sum += scores[i]
                }
                for i in range { scores[i] = sum == 0 ? 0.5 : scores[i] / sum }
            }
        }
    }

    /// The gradient of the transform's input from its output `y` and the output's gradient `dy`.
    func backward(y: [Float], dy: [Float], rows: Int, columns: Int) throws -> [Float] {
        switch self {
        case .none: return dy
        case .logistic: return zip(y, dy).map { $1 * $0 * (1 - $0) }
        case .softmax, .softmaxZero:
            var dx = dy
            for row in 0..<rows {
                let range = (row * columns)..<((row + 1) * columns)
                var dot: Float = 0
                for i in range { dot += y[i] * dy[i] }
                for i in range { dx[i] = y[i] * (dy[i] - dot) }
            }
            return dx
        case .probit: throw KernelFailure("the PROBIT transform has no gradient in Rampart")
        }
    }

    static func logistic(_ v: Float) -> Float {
        let e = 1 / (1 + Foundation.exp(-abs(v)))
        return v < 0 ? 1 - e : e
    }

    /// √2 · erf⁻¹(2v − 1), with the approximation onnxruntime uses.
    static func probit(_ v: Float) -> Float {
        let x = 2 * v - 1
        let sign: Float = x < 0 ? -1 : 1
        let y = (1 - x) * (1 + x)
        guard y != 0 else { return 0 }
        let ln = Foundation.log(y)
        let a = 2 / (Float.pi * 0.147) + 0.5 * ln
        let b = 1 / 0.147 * ln
        return 1.41421356 * sign * (-a + (a * a - b).squareRoot()).squareRoot()
    }
}
