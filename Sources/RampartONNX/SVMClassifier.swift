import Foundation
import RampartML

/// SVMClassifier (ONNX-ML): one-vs-one voting over support vectors (libsvm's SVC, as skl2onnx exports
/// `sklearn.svm.SVC`) with linear, polynomial, RBF or sigmoid kernels, or per-class linear scores when the model has
/// no support vectors (liblinear). Platt-scaled probabilities (`prob_a`, `prob_b`) are not supported: such a model is
/// refused at load time.
struct SVMClassifier: Sendable {
    enum KernelType: String, Sendable { case linear = "LINEAR", poly = "POLY", rbf = "RBF", sigmoid = "SIGMOID" }

    var labels: ClassLabels
    var kernelType: KernelType
    var gamma: Float, coef0: Float, degree: Float
    var coefficients: [Float]
    var rho: [Float]
    var supportVectors: [Float]
    var vectorsPerClass: [Int]
    var transform: PostTransform

    init(_ a: Attributes) throws(ONNXError) {
        labels = try a.classLabels(ints: "classlabels_ints", strings: "classlabels_strings")
        let kernelName = try a.string("kernel_type", default: "LINEAR")
        guard let kernelType = KernelType(rawValue: kernelName) else { throw a.error("unknown kernel_type `\(kernelName)`") }
        self.kernelType = kernelType
        let parameters = try a.floats("kernel_params") ?? []
        (gamma, coef0, degree) = parameters.count >= 3 ? (parameters[0], parameters[1], parameters[2]) : (0, 0, 0)
        coefficients = try a.floats("coefficients") ?? []
        rho = try a.floats("rho") ?? []
        supportVectors = try a.floats("support_vectors") ?? []
        let perClass = try a.ints("vectors_per_class") ?? []
        guard perClass.allSatisfy({ $0 >= 0 && $0 <= 1 << 24 }) else { throw a.error("`vectors_per_class` has a count out of range") }
        vectorsPerClass = perClass.map { Int($0) }
        transform = try PostTransform(a)
        if let p = try a.floats("prob_a"), !p.isEmpty { throw a.error("SVMClassifier with probability estimates (prob_a) is not supported") }
        guard !coefficients.isEmpty, !rho.isEmpty else { throw a.error("lacks `coefficients` or `rho`") }
        let classes = labels.count
        if vectorCount > 0 {
            guard vectorsPerClass.count == classes, vectorsPerClass.allSatisfy({ $0 >= 0 }) else {
                throw a.error("`vectors_per_class` has \(vectorsPerClass.count) entries for \(classes) classes")
            }
            guard supportVectors.count % vectorCount == 0, supportVectors.count > 0 else { throw a.error("\(supportVectors.count) support-vector values for \(vectorCount) vectors") }
            guard coefficients.count == (classes - 1) * vectorCount else {
                throw a.error("\(coefficients.count) coefficients for \(classes) classes and \(vectorCount) support vectors")
            }
            guard rho.count == classes * (classes - 1) / 2 else { throw a.error("\(rho.count) rho values for \(classes) classes") }
        } else {
            guard coefficients.count % classes == 0 else { throw a.error("\(coefficients.count) coefficients for \(classes) classes") }
        }
    }

    var vectorCount: Int { vectorsPerClass.reduce(0, +) }

    func dot(_ x: ArraySlice<Float>, _ y: ArraySlice<Float>) -> Float {
        var s: Float = 0
        for (a, b) in zip(x, y) { s += a * b }
        return s
    }

    func kernelValue(_ x: ArraySlice<Float>, _ v: ArraySlice<Float>) -> Float {
        switch kernelType {
        case .linear: return dot(x, v)
        case .poly: return Foundation.pow(dot(x, v) * gamma + coef0, degree)
        case .sigmoid: return Foundation.tanh(dot(x, v) * gamma + coef0)
        case .rbf:
            var s: Float = 0
            for (a, b) in zip(x, v) { s += (a - b) * (a - b) }
            return Foundation.exp(-gamma * s)
        }
    }

    /// Label index and scores for one row.
    func predict(_ x: ArraySlice<Float>) -> (Int, [Float]) {
        let classes = labels.count
        var scores: [Float] = []
        var votes: [Float]? = nil
        if vectorCount == 0 {
            let f = coefficients.count / classes
            for j in 0..<classes { scores.append(rho[0] + dot(x, coefficients[(j * f)..<((j + 1) * f)])) }
        } else {
            let f = supportVectors.count / vectorCount
            let kernels = (0..<vectorCount).map { kernelValue(x, supportVectors[($0 * f)..<(($0 + 1) * f)]) }
            var starts: [Int] = []
            var running = 0
            for count in vectorsPerClass {
                starts.append(running)
                running += count
            }
            var tally = [Float](repeating: 0, count: classes)
            var evaluation = 0
            for i in 0..<classes {
                for j in (i + 1)..<Swift.max(classes, i + 1) {
                    var s = rho[evaluation]
                    for k in 0..<vectorsPerClass[i] { s += coefficients[(j - 1) * vectorCount + starts[i] + k] * kernels[starts[i] + k] }
                    for k in 0..<vectorsPerClass[j] { s += coefficients[i * vectorCount + starts[j] + k] * kernels[starts[j] + k] }
                    scores.append(s)
                    if s > 0 { tally[i] += 1 } else { tally[j] += 1 }
                    evaluation += 1
                }
            }
            votes = tally
        }
        let ranked = votes ?? scores
        var best = 0
        for j in ranked.indices where ranked[j] > ranked[best] { best = j }
        let weight = ranked.isEmpty ? 0 : ranked[best]
        var label = best
        var second = -1
        if rho.count == 1 {
            // onnxruntime's binary rule (set_score_svm): two labels write a second score column.
            if classes == 2 {
                second = 2
                let allPositive = (coefficients.min() ?? 0) >= 0
                label = allPositive && weight >= 0.5 ? 1 : best
            } else {
                label = weight > 0 ? 1 : 0
            }
        }
        return (Swift.min(label, classes - 1), finalScores(scores, second: second))
    }

    /// onnxruntime's `write_scores`.
    func finalScores(_ scores: [Float], second: Int) -> [Float] {
        var out = scores
        if scores.count >= 2 {
            transform.apply(&out, rows: 1, columns: out.count)
            return out
        }
        guard let s = scores.first else { return scores }
        if transform == .probit { return [PostTransform.probit(s)] }
        switch second {
        case 0, 1: return [1 - s, s]
        case 2, 3:
            out = [-s, s]
            transform.apply(&out, rows: 1, columns: 2)
            return out
        default: return [s]
        }
    }

    func kernel() -> Kernel {
        let svm = self
        return Kernel(forward: { inputs in
            let x = try MLKernels.rows(inputs)
            let n = x.shape[0], f = x.shape[1]
            let expected = svm.vectorCount > 0 ? svm.supportVectors.count / svm.vectorCount : svm.coefficients.count / svm.labels.count
            guard f == expected else { throw KernelFailure("input 0 has \(f) features, the model expects \(expected)") }
            var picked: [Int] = [], scores: [Float] = []
            var columns = 0
            for r in 0..<n {
                let (label, s) = svm.predict(x.data[(r * f)..<((r + 1) * f)])
                picked.append(label)
                scores += s
                columns = s.count
            }
            return [try svm.labels.pick(picked, shape: [n]), .floats(try Tensor(shape: [n, columns], data: scores))]
        })
    }
}
