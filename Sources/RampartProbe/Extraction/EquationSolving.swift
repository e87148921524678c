import Foundation
import RampartCore
import RampartML

/// Model theft by equation-solving (Tramèr, Zhang, Juels, Reiter & Ristenpart, USENIX Security 2016): a logistic or
/// softmax regression that returns probabilities is a linear model behind a known link, so
/// log(p_k / p_0) = (w_k − w_0)·x + (b_k − b_0). With d + 1 queries in general position, each class's d + 1 unknowns
/// are the solution of one linear system: the stolen model computes exactly the target's probabilities (the softmax
/// is invariant to the shift by class 0's parameters, so nothing else is identifiable — or needed).
///
/// The guide's countermeasure, "excluding confidence from the output", defeats it: a label-only target is
/// `ProbeError.unsuitableTarget`, and rounded probabilities make the system inconsistent.
public enum EquationSolving {
    /// The stolen model: `logits = x · weightsᵀ + bias` (class 0's row is zero), then softmax.
    public struct StolenModel: Sendable, Equatable {
        public var weights: Tensor   // classes × features
        public var bias: [Float]

        public func probabilities(_ x: Tensor) throws -> Tensor {
            try Tensor.gemm(x, weights, c: try Tensor(shape: [bias.count], data: bias), transB: true).softmax(axis: 1)
        }

        public func labels(_ x: Tensor) throws -> [Int] {
            try probabilities(x).argmax(axis: 1, keepDims: false).data.map { Int($0) }
        }
    }

    /// Steals the model behind `oracle` with `features + 1` queries drawn uniformly from `low...high` (seeded).
    public static func steal(_ oracle: Oracle, low: Float = 0, high: Float = 1, seed: UInt64) async throws(ProbeError) -> StolenModel {
        let d = oracle.target.features
        var rng = SeededRandom(seed: seed)
        let n = d + 1
        guard d >= 1, n.multipliedReportingOverflow(by: d).partialValue <= Tensor.maxElements, !n.multipliedReportingOverflow(by: d).overflow else {
            throw .unsuitableTarget("equation-solving over \(d) features needs \(d + 1) queries of \(d) values: too large")
        }
        let x = try! Tensor(shape: [n, d], data: (0..<(n * d)).map { _ in low + (high - low) * Float(Double(rng.next() >> 11) / Double(1 << 53)) })
        let answer = try await oracle.query(x)
        guard let p = answer.probabilities, p.rank == 2, p.shape[0] == n, p.shape[1] >= 2 else {
            throw .unsuitableTarget("equation-solving needs class probabilities; the target answers labels only")
        }
        let classes = p.shape[1]
        // Rows of A: [x, 1]; right-hand sides: log(p_k / p_0) for k = 1…C−1.
        var a = [Double](repeating: 0, count: n * n)
        var rhs = [Double](repeating: 0, count: n * (classes - 1))
        for r in 0..<n {
            for j in 0..<d { a[r * n + j] = Double(x.data[r * d + j]) }
            a[r * n + d] = 1
            let p0 = Swift.max(Double(p.data[r * classes]), 1e-30)
            for k in 1..<classes { rhs[r * (classes - 1) + (k - 1)] = Foundation.log(Swift.max(Double(p.data[r * classes + k]), 1e-30) / p0) }
        }
        guard let solution = solve(a, rhs, n: n, columns: classes - 1) else {
            throw .targetFailed("the queries did not give a solvable system (singular); try another seed")
        }
        var weights = [Float](repeating: 0, count: classes * d)
        var bias = [Float](repeating: 0, count: classes)
        for k in 1..<classes {
            for j in 0..<d { weights[k * d + j] = Float(solution[j * (classes - 1) + (k - 1)]) }
            bias[k] = Float(solution[d * (classes - 1) + (k - 1)])
        }
        return StolenModel(weights: try! Tensor(shape: [classes, d], data: weights), bias: bias)
    }

    /// Solves A·X = B (A n×n, B n×m, row-major) by Gaussian elimination with partial pivoting; nil when singular.
    static func solve(_ a: [Double], _ b: [Double], n: Int, columns m: Int) -> [Double]? {
        var a = a, b = b
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0 * n + col]) < abs(a[$1 * n + col]) }!
            guard abs(a[pivot * n + col]) > 1e-12 else { return nil }
            if pivot != col {
                for j in 0..<n { a.swapAt(pivot * n + j, col * n + j) }
                for j in 0..<m { b.swapAt(pivot * m + j, col * m + j) }
            }
            for row in (col + 1)..<Swift.max(n, col + 1) {
                let factor = a[row * n + col] / a[col * n + col]
                guard factor != 0 else { continue }
                for j in col..<n { a[row * n + j] -= factor * a[col * n + j] }
                for j in 0..<m { b[row * m + j] -= factor * b[col * m + j] }
            }
        }
        var x = [Double](repeating: 0, count: n * m)
        for row in stride(from: n - 1, through: 0, by: -1) {
            for j in 0..<m {
                var sum = b[row * m + j]
                for k in (row + 1)..<Swift.max(n, row + 1) { sum -= a[row * n + k] * x[k * m + j] }
                x[row * m + j] = sum / a[row * n + row]
            }
        }
        return x
    }
}
