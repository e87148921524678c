import Foundation
import RampartCore
import RampartML

/// SimBA in the pixel basis (Guo, Gardner, You, Wilson & Weinberger, ICML 2019): a score-based attack. Coordinates are
/// visited in a seeded random order; for each, x − ε·e_i is tried and, if the true class's probability did not drop,
/// x + ε·e_i; a step that lowers it is kept. It stops at the first misclassification.
///
/// Unlike ART's implementation it never spends a query on a step the input box clips to nothing (a pixel already at
/// 0 moving down), and the oracle's cache answers any repeat. It needs scores: *excluding confidence from the
/// output* (label-only) stops it.
public struct SimBA: Sendable, Equatable {
    public var epsilon: Float
    /// Coordinate steps at most (a coordinate may be revisited after all have been).
    public var maxIterations: Int

    public init(epsilon: Float = 0.2, maxIterations: Int = 10_000) {
        self.epsilon = epsilon
        self.maxIterations = maxIterations
    }

    func attack(_ oracle: Oracle, x: [Float], label: Int, low: Float, high: Float, rng: inout SeededRandom) async throws(ProbeError) {
        let d = x.count
        var current = x
        let (_, scores) = try await oracle.scores(x, attack: "SimBA")
        guard label >= 0, label < scores.count else {
            throw .unsuitableTarget("SimBA: the target's label \(label) is not one of its \(scores.count) score columns")
        }
        var probability = scores[label]
        var order = Array(0..<d)
        order.shuffle(using: &rng)
        for step in 0..<maxIterations {
            let i = order[step % d]
            for sign: Float in [-1, 1] {
                var candidate = current
                candidate[i] = Swift.min(Swift.max(current[i] + sign * epsilon, low), high)
                guard candidate[i] != current[i] else { continue }
                let (predicted, p) = try await oracle.scores(candidate, attack: "SimBA")
                if predicted != label && predicted != -1 { return }
                guard label < p.count else { throw .targetFailed("the target's scores changed width (\(scores.count) → \(p.count))") }
                if p[label] < probability {
                    current = candidate
                    probability = p[label]
                    break
                }
            }
        }
    }
}
