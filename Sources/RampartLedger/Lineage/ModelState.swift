import Foundation
import RampartCore
import RampartStore

/// A model's training lineage and state, folded from the ledger: which subjects' data trained it, and whether one of
/// them has since been erased, withdrawn consent or objected — in which case the guide's answer is to retrain
/// "without the deleted user's data" (`retrain-required`).
public struct ModelState: Sendable, Codable, Equatable {
    public var model: String
    public var datasets: [String]
    public var purposes: [String]
    public var subjects: Int
    public var state: String
    /// Why retraining is required: one line per event, with its ledger position.
    public var reasons: [String]
    /// Ledger positions of the lineage records.
    public var entries: [Int64]
}
