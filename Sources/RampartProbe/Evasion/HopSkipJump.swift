import Foundation
import RampartCore
import RampartML

/// HopSkipJump (Chen, Jordan & Wainwright, IEEE S&P 2020): a decision-based attack — labels only — that walks along
/// the decision boundary. From an adversarial start it repeats: estimate the boundary's normal at the current point
/// from the labels of `n` random neighbours (Monte Carlo, one batch), step along it with a geometrically shrinking
/// size until still adversarial, then binary-search back towards the original onto the boundary. Parameters and
/// update rules follow the paper and ART's implementation (γ = 1, θ = γ / d^{3/2} in L2 or γ / d² in L∞).
///
/// Because it needs only labels, the guide's *excluding confidence from the output* does not stop it; the gateway's
/// stateful evasion monitor (near-repeat queries) and rate limits are its controls.
public struct HopSkipJump: Sendable, Equatable {
    public var norm: Norm
    /// Iterations (gradient estimate + step + binary search) at most.
    public var maxIterations: Int
    /// Monte Carlo samples in the first estimate (growing as √t) and at most.
    public var initialEvaluations: Int
    public var maxEvaluations: Int
    /// Random starting points tried.
    public var initialTries: Int
    public var gamma: Float

    public init(norm: Norm = .l2, maxIterations: Int = 64, initialEvaluations: Int = 100, maxEvaluations: Int = 1000,
                initialTries: Int = 100, gamma: Float = 1) {
        self.norm = norm
        self.maxIterations = maxIterations
        self.initialEvaluations = initialEvaluations
        self.maxEvaluations = maxEvaluations
        self.initialTries = initialTries
        self.gamma = gamma
    }

    func attack(_ oracle: Oracle, x: [Float], label: Int, low: Float, high: Float, rng: inout SeededRandom) async throws(ProbeError) {
        let d = x.count
        let theta = norm == .l2 ? gamma / (Float(d) * Float(d).squareRoot()) : gamma / Float(d * d)
        // A random adversarial start, then a blend towards the original that is still adversarial.
        var start: [Float]?
        for _ in 0..<initialTries {
            let candidate = (0..<d).map { _ in low + (high - low) * uniform(&rng) }
            if try await oracle.isAdversarial(candidate) { start = candidate; break }
        }
        guard let random = start else { return }
        var lo: Float = 0, hi: Float = 1
        while hi - lo > 0.001 {
            let mid = (lo + hi) / 2
            if mid == lo || mid == hi { break }
            if try await oracle.isAdversarial(blend(x, random, mid)) { hi = mid } else { lo = mid }
        }
        var current = try await boundary(oracle, blend(x, random, hi), x, theta: theta)
        var distance = Norms.distance(current, x, norm)
        var gaussian = Gaussian()
        for t in 1...Swift.max(1, maxIterations) {
            // The probes' radius: a tenth of the box on the first estimate (as ART; the boundary point is still far
            // from the original), then proportional to the distance reached.
            let delta = t == 1 ? 0.1 * (high - low) : (norm == .l2 ? Float(d).squareRoot() * theta * distance : Float(d) * theta * distance)
            let remaining = await oracle.remaining
            let evaluations = Swift.min(Int(Float(initialEvaluations) * Float(t).squareRoot()), maxEvaluations, remaining - 1)
            guard evaluations >= 2, delta > 0 else { return }
            // Monte Carlo estimate of the boundary's normal: directions that stay adversarial minus those that do not.
            var directions: [[Float]] = []
            var probes: [[Float]] = []
            for _ in 0..<evaluations {
                var u = (0..<d).map { _ in norm == .l2 ? gaussian.next(using: &rng) : uniform(&rng) * 2 - 1 }
                let length = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
                if length > 0 { for i in 0..<d { u[i] /= length } }
                let probe = (0..<d).map { Swift.min(Swift.max(current[$0] + delta * u[$0], low), high) }
                directions.append((0..<d).map { (probe[$0] - current[$0]) / delta })
                probes.append(probe)
            }
            let satisfied = try await oracle.areAdversarial(probes)
            let values = satisfied.map { Float($0 ? 1 : -1) }
            let mean = values.reduce(0, +) / Float(values.count)
            var gradient = [Float](repeating: 0, count: d)
            for (k, direction) in directions.enumerated() {
                let weight = (mean == 1 || mean == -1) ? mean : values[k] - mean
                for i in 0..<d { gradient[i] += weight * direction[i] }
            }
            let update: [Float]
            switch norm {
            case .l2:
                let length = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard length > 0 else { return }
                update = gradient.map { $0 / length }
            case .linf:
                update = gradient.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
            }
            // Geometric step-size search: the largest of 2·dist/√t, halved, that is still adversarial.
            var epsilon = 2 * distance / Float(t).squareRoot()
            var next: [Float]?
            while epsilon > 1e-7 {
                epsilon /= 2
                let candidate = (0..<d).map { Swift.min(Swift.max(current[$0] + epsilon * update[$0], low), high) }
                if try await oracle.isAdversarial(candidate) { next = candidate; break }
            }
            guard let next else { return }
            current = try await boundary(oracle, next, x, theta: theta)
            distance = Norms.distance(current, x, norm)
        }
    }

    /// Binary search between the original and an adversarial point for the boundary (the adversarial side): along
    /// the segment in L2, by shrinking the L∞ box in L∞.
    private func boundary(_ oracle: Oracle, _ adversarial: [Float], _ original: [Float], theta: Float) async throws(ProbeError) -> [Float] {
        var lo: Float = 0
        var hi: Float
        let threshold: Float
        switch norm {
        case .l2:
            hi = 1
            threshold = theta
        case .linf:
            hi = Norms.distance(adversarial, original, .linf)
            threshold = Swift.min(hi * theta, theta)
        }
        let top = hi
        // θ can be finer than a Float's spacing near `hi` (L2 beyond ~65 000 features, L∞ beyond ~5 000): stop when
        // the midpoint no longer moves, or the cache would answer the same point forever without spending budget.
        while hi - lo > threshold {
            let mid = (lo + hi) / 2
            if mid == lo || mid == hi { break }
            if try await oracle.isAdversarial(interpolate(adversarial, original, mid, top: top)) { hi = mid } else { lo = mid }
        }
        return interpolate(adversarial, original, hi, top: top)
    }

    private func interpolate(_ adversarial: [Float], _ original: [Float], _ alpha: Float, top: Float) -> [Float] {
        switch norm {
        case .l2: return blend(original, adversarial, alpha)
        case .linf: return (0..<original.count).map { Swift.min(Swift.max(adversarial[$0], original[$0] - alpha), original[$0] + alpha) }
        }
    }
}

/// (1 − α)·a + α·b.
func blend(_ a: [Float], _ b: [Float], _ alpha: Float) -> [Float] {
    (0..<a.count).map { (1 - alpha) * a[$0] + alpha * b[$0] }
}
