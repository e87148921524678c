import Foundation
import RampartML

/// What a classifier answers for a batch of rows: a label per row, and class scores when the target reveals them
/// (nil for a label-only target).
public struct TargetAnswer: Sendable, Equatable {
    public var labels: [Int]
    /// `rows × classes`, when the target returns scores. For a top-k answer the classes not returned share what is
    /// left of the probability mass equally.
    public var probabilities: Tensor?
    public var kind: OutputKind

    public init(labels: [Int], probabilities: Tensor?, kind: OutputKind? = nil) {
        self.labels = labels
        self.probabilities = probabilities
        self.kind = kind ?? probabilities.map(OutputKind.detect) ?? .label
    }
}
