import Foundation
import RampartML

/// What a target reveals besides the label — detected from its answers, so attacks can choose a score-based or a
/// decision-based variant (docs/probe.md). Ordered from least to most informative.
public enum OutputKind: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// The label only: the guide's *excluding confidence from the output*.
    case label
    /// The `k` most likely classes and their scores (`k = 1`: the label and its probability).
    case topK(Int)
    /// Every class's probability, rounded to `decimals` places.
    case rounded(decimals: Int)
    /// Every class's probability at full precision.
    case probabilities

    /// Whether a score-based attack (SimBA, Square, equation-solving, LiRA) has scores to work with.
    public var hasScores: Bool { self != .label }

    public var description: String {
        switch self {
        case .label: "label"
        case .topK(let k): "top_\(k)"
        case .rounded(let decimals): "rounded_\(decimals)"
        case .probabilities: "probabilities"
        }
    }

    private var rank: (Int, Int) {
        switch self {
        case .label: (0, 0)
        case .topK(let k): (1, k)
        case .rounded(let decimals): (2, decimals)
        case .probabilities: (3, 0)
        }
    }

    public static func < (a: OutputKind, b: OutputKind) -> Bool { a.rank < b.rank }

    /// `.rounded(d)` for the fewest decimals (up to 6) every score is a multiple of, else `.probabilities`. Scores
    /// that are all exactly 0 or 1 (a saturated model) say nothing about rounding and read as `.probabilities`.
    public static func detect(_ scores: Tensor) -> OutputKind {
        let values = scores.data
        guard values.contains(where: { $0 != 0 && $0 != 1 }) else { return .probabilities }
        for decimals in 0...6 {
            let scale = Foundation.pow(10, Double(decimals))
            if values.allSatisfy({ v in let s = Double(v) * scale; return abs(s - s.rounded()) <= 1e-3 }) { return .rounded(decimals: decimals) }
        }
        return .probabilities
    }
}
