import Foundation
import RampartCore
import RampartStore

/// A signed statement that a subject was erased: what was shredded, where in the log, and which models must be
/// retrained. A signed note (like checkpoints), so the ledger's verifier key checks it.
public struct ErasureReceipt: Sendable, Codable, Equatable {
    /// The subject's ledger reference, `-` when the ledger held only decision records about the subject.
    public var subjectRef: String
    public var entry: Int64
    public var entriesShredded: Int
    /// Decision records about the subject whose link to it was cleared (their ledger commitments can no longer be
    /// opened).
    public var decisionsUnlinked: Int
    public var retrainRequired: [String]
    public var logSize: Int
    public var root: String
    public var time: String
    /// The receipt as a signed note, or `nil` when the ledger has no signing key.
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case entry, root, time, note
        case subjectRef = "subject_ref"
        case entriesShredded = "entries_shredded"
        case decisionsUnlinked = "decisions_unlinked"
        case retrainRequired = "retrain_required"
        case logSize = "log_size"
    }
}
