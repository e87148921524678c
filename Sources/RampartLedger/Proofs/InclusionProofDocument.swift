import Foundation
import RampartStore

/// `rampart ledger prove --entry N`: the entry, its audit path and the signed checkpoint it leads to. Checked
/// offline by `rampart ledger check-proof` (or any RFC 9162 verifier: the leaf is `SHA-256(0x00 ‖ leaf data)`, see
/// `LedgerEntry.leafData`).
public struct InclusionProofDocument: Sendable, Codable, Equatable {
    public var type = "inclusion"
    public var origin: String
    public var index: Int64
    public var size: Int64
    public var entry: EntryDocument
    public var leafHash: String
    public var proof: [String]
    public var checkpoint: String

    enum CodingKeys: String, CodingKey {
        case type, origin, index, size, entry, proof, checkpoint
        case leafHash = "leaf_hash"
    }
}
