import Foundation

/// Randomized smoothing (Cohen, Rosenfeld & Kolter, ICML 2019): the smoothed classifier g(x) answers the class the
/// base classifier f gives most often under Gaussian noise N(0, σ²I) around x — robust prediction against input
/// manipulation (evasion), one of the guide's countermeasures.
///
/// - `predict` is the paper's PREDICT: `samples` noisy copies, the two most frequent classes, and a two-sided binomial
///   test; it abstains unless the top class wins at level `alpha`. When it does answer, the answer equals g(x) with
///   probability at least 1 − α.
/// - `certify` is CERTIFY: a first batch picks the class, a second bounds its probability p_A from below
///   (Clopper–Pearson, level α); the certified L2 radius is σ·Φ⁻¹(p_A), or it abstains when p_A ≤ ½.
public struct RandomizedSmoothing: Sendable {
    public var sigma: Float
    public var samples: Int
    public var alpha: Double

    public init(sigma: Float, samples: Int, alpha: Double) {
        self.sigma = sigma
        self.samples = samples
        self.alpha = alpha
    }

    /// What the smoothed classifier answers for one input.
    public enum Prediction: Sendable, Equatable {
        case label(Int)
        case abstain
    }

    /// `classify` labels every row of an `n × d` batch (the base classifier f).
    public func predict(_ x: [Float], classify: ([Float], Int) throws -> [Int], using rng: inout some RandomNumberGenerator) rethrows -> Prediction {
        let counts = try sampleCounts(x, n: samples, classify: classify, using: &rng)
        let ranked = counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        guard let top = ranked.first else { return .abstain }
        let second = ranked.count > 1 ? ranked[1].value : 0
        return Self.binomialTwoSidedPValue(successes: top.value, trials: top.value + second) <= alpha ? .label(top.key) : .abstain
    }

    /// The certified class and L2 radius, or nil (abstain).
    public func certify(_ x: [Float], selection: Int, classify: ([Float], Int) throws -> [Int],
                        using rng: inout some RandomNumberGenerator) rethrows -> (label: Int, radius: Double)? {
        let first = try sampleCounts(x, n: selection, classify: classify, using: &rng)
        guard let guess = first.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key else { return nil }
        let counts = try sampleCounts(x, n: samples, classify: classify, using: &rng)
        let lower = Self.clopperPearsonLower(successes: counts[guess] ?? 0, trials: samples, alpha: alpha)
        guard lower > 0.5 else { return nil }
        return (guess, Double(sigma) * Normal.quantile(lower))
    }

    /// Class → how often f chose it on `n` noisy copies of `x`.
    func sampleCounts(_ x: [Float], n: Int, classify: ([Float], Int) throws -> [Int], using rng: inout some RandomNumberGenerator) rethrows -> [Int: Int] {
        guard n > 0 else { return [:] }
        var batch = [Float](repeating: 0, count: n * x.count)
        var gaussian = Gaussian()
        for row in 0..<n {
            for (j, value) in x.enumerated() { batch[row * x.count + j] = value + sigma * gaussian.next(using: &rng) }
        }
        var counts: [Int: Int] = [:]
        for label in try classify(batch, n) { counts[label, default: 0] += 1 }
        return counts
    }

    /// Two-sided binomial test of p = ½: the probability of a split at least as uneven as `successes` of `trials`.
    public static func binomialTwoSidedPValue(successes: Int, trials: Int) -> Double {
        guard trials > 0 else { return 1 }
        let k = Swift.max(successes, trials - successes)
        // P(X ≥ k) for X ~ Bin(trials, ½), summed in log space.
        var tail = 0.0
        for i in k...trials { tail += Foundation.exp(logChoose(trials, i) - Double(trials) * Foundation.log(2)) }
        if 2 * k == trials { return 1 }
        return Swift.min(1, 2 * tail)
    }

    /// One-sided (1 − α) Clopper–Pearson lower bound on a binomial proportion: the α quantile of Beta(k, n − k + 1).
    public static func clopperPearsonLower(successes k: Int, trials n: Int, alpha: Double) -> Double {
        guard k > 0 else { return 0 }
        var low = 0.0, high = 1.0
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if incompleteBeta(a: Double(k), b: Double(n - k + 1), x: mid) < alpha { low = mid } else { high = mid }
        }
        return low
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        let all: Double = lgamma(Double(n + 1))
        return all - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    /// The regularized incomplete beta function I_x(a, b) (continued fraction, Lentz's method).
    static func incompleteBeta(a: Double, b: Double, x: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * Foundation.log(x) + b * Foundation.log(1 - x)
        let front = Foundation.exp(logBeta + logPowers)
        if x > (a + 1) / (a + b + 2) { return 1 - incompleteBeta(a: b, b: a, x: 1 - x) }
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        d = abs(d) < 1e-300 ? 1e-300 : d
        d = 1 / d
        var f = d
        for m in 1...300 {
            let m = Double(m)
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            for step in 0..<2 {
                if step == 1 { numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)) }
                d = 1 + numerator * d
                d = abs(d) < 1e-300 ? 1e-300 : d
                c = 1 + numerator / c
                c = abs(c) < 1e-300 ? 1e-300 : c
                d = 1 / d
                f *= d * c
            }
            if abs(d * c - 1) < 1e-15 { break }
        }
        return front * f / a
    }
}
