import Foundation
import RampartML

/// The best adversarial example seen so far for one attacked row, by L2 and by L∞, and the curve of the best
/// perturbation against queries spent — what makes every attack anytime.
public struct EvasionTracker: Sendable, Equatable {
    public struct Point: Sendable, Equatable, Codable {
        /// The query (1-based row count) that found it.
        public var query: Int
        public var distance: Float
    }

    public let original: [Float]
    public let label: Int
    public private(set) var bestL2: [Float]?
    public private(set) var bestLinf: [Float]?
    /// Improvements of the best L2 (resp. L∞) perturbation, in query order.
    public private(set) var curveL2: [Point] = []
    public private(set) var curveLinf: [Point] = []
    public var firstSuccess: Int? { curveL2.first?.query }

    public init(original: [Float], label: Int) {
        self.original = original
        self.label = label
    }

    /// Whether `label` is a successful evasion of `self.label`: a different class, not an abstention (−1, a smoothed
    /// route that declined to answer — a refusal, not a misclassification).
    public func isAdversarial(_ label: Int) -> Bool { label != self.label && label != -1 }

    mutating func observe(_ row: [Float], label: Int, query: Int) {
        guard isAdversarial(label) else { return }
        let (l2, linf) = Norms.distances(row, original)
        if curveL2.last.map({ l2 < $0.distance }) ?? true {
            curveL2.append(Point(query: query, distance: l2))
            bestL2 = row
        }
        if curveLinf.last.map({ linf < $0.distance }) ?? true {
            curveLinf.append(Point(query: query, distance: linf))
            bestLinf = row
        }
    }

    /// The best distance found within the first `queries` queries, or nil if none was adversarial by then.
    public func best(_ norm: Norm, within queries: Int) -> Float? {
        (norm == .l2 ? curveL2 : curveLinf).last { $0.query <= queries }?.distance
    }
}
