import Foundation
import RampartCore
import RampartML

/// The Square attack in L∞ (Andriushchenko, Croce, Flammarion & Hein, ECCV 2020): a score-based random search. It
/// starts from vertical stripes of ±ε and repeatedly redraws one random square window of the perturbation with a
/// random sign per channel, keeping the change when the margin p_y − max_{j≠y} p_j drops; the window's share of the
/// image follows the paper's schedule (p_init halved at fixed fractions of the query budget).
///
/// As in the paper — and unlike ART, whose Square spends 87 % of its queries on exact duplicates at ε = 0.1 on the
/// digits (research notes §3.2) — a window is redrawn until it changes the image, so no query is wasted on a repeat.
public struct Square: Sendable, Equatable {
    public var epsilon: Float
    /// Initial fraction of the image a window covers.
    public var pInit: Float
    /// Image geometry `[height, width, channels]` (row-major, channels last); nil: a square single-channel image when
    /// the feature count is a perfect square, else one row.
    public var shape: [Int]?

    public init(epsilon: Float = 0.1, pInit: Float = 0.8, shape: [Int]? = nil) {
        self.epsilon = epsilon
        self.pInit = pInit
        self.shape = shape
    }

    /// `[height, width, channels]` for `features` values.
    public static func geometry(_ shape: [Int]?, features d: Int) throws(ProbeError) -> (h: Int, w: Int, c: Int) {
        if let shape {
            guard shape.count == 3 || shape.count == 2, shape.allSatisfy({ $0 > 0 }) else {
                throw .unsuitableTarget("an image shape is HEIGHT×WIDTH or HEIGHT×WIDTH×CHANNELS, got \(shape)")
            }
            let (h, w, c) = (shape[0], shape[1], shape.count == 3 ? shape[2] : 1)
            guard h * w * c == d else { throw .unsuitableTarget("image shape \(shape) holds \(h * w * c) values; the target takes \(d)") }
            return (h, w, c)
        }
        let side = Int(Double(d).squareRoot().rounded())
        return side * side == d ? (side, side, 1) : (1, d, 1)
    }

    func attack(_ oracle: Oracle, x: [Float], label: Int, low: Float, high: Float, rng: inout SeededRandom) async throws(ProbeError) {
        let (h, w, c) = try Self.geometry(shape, features: x.count)
        guard epsilon > 0 else { throw .unsuitableTarget("Square needs ε > 0") }
        let budget = oracle.budget
        func clip(_ v: Float, _ i: Int) -> Float { Swift.min(Swift.max(v, Swift.max(x[i] - epsilon, low)), Swift.min(x[i] + epsilon, high)) }
        func margin(_ scores: [Float]) throws(ProbeError) -> Float {
            guard label >= 0, label < scores.count else {
                throw .unsuitableTarget("Square: the target's label \(label) is not one of its \(scores.count) score columns")
            }
            var other = -Float.infinity
            for (j, s) in scores.enumerated() where j != label { other = Swift.max(other, s) }
            return scores[label] - other
        }
        // Vertical stripes: one random sign per column and channel.
        var current = x
        for col in 0..<w {
            for ch in 0..<c {
                let sign: Float = rng.next() & 1 == 0 ? -1 : 1
                for row in 0..<h {
                    let i = (row * w + col) * c + ch
                    current[i] = clip(x[i] + sign * epsilon, i)
                }
            }
        }
        var (predicted, scores) = try await oracle.scores(current, attack: "Square")
        if predicted != label && predicted != -1 { return }
        var best = try margin(scores)
        var iteration = 0, unchanged = 0
        // Ends when the budget does (the oracle throws), when no window can change the image any more, or — the cache
        // answering candidates already tried without spending budget — after four draws per query of budget.
        while unchanged < 1000, iteration < 4 * budget {
            iteration += 1
            let p = Self.schedule(pInit, iteration: await oracle.used, budget: budget)
            let side = Swift.min(Swift.max(Int((p * Float(h * w)).squareRoot().rounded()), 1), Swift.min(h, w))
            let top = Int.random(in: 0...(h - side), using: &rng), left = Int.random(in: 0...(w - side), using: &rng)
            var candidate = current
            var changed = false
            for _ in 0..<16 where !changed {
                for ch in 0..<c {
                    let sign: Float = rng.next() & 1 == 0 ? -1 : 1
                    for row in top..<(top + side) {
                        for col in left..<(left + side) {
                            let i = (row * w + col) * c + ch
                            candidate[i] = clip(x[i] + sign * epsilon, i)
                            if candidate[i] != current[i] { changed = true }
                        }
                    }
                }
            }
            guard changed else { unchanged += 1; continue }
            unchanged = 0
            (predicted, scores) = try await oracle.scores(candidate, attack: "Square")
            if predicted != label && predicted != -1 { return }
            let m = try margin(scores)
            if m < best {
                best = m
                current = candidate
            }
        }
    }

    /// The paper's schedule of the window's share: p_init, halved after 10, 50, 200, 500, 1000, 2000, 4000, 6000 and
    /// 8000 of every 10 000 queries.
    static func schedule(_ pInit: Float, iteration: Int, budget: Int) -> Float {
        let it = Int(Double(iteration) / Double(Swift.max(budget, 1)) * 10_000)
        let steps = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000]
        let halvings = steps.filter { it > $0 }.count
        return pInit / Float(1 << halvings)
    }
}
