import Foundation
import RampartStore

/// `rampart ledger consistency --from N --to M`: the proof that the log of the first checkpoint is a prefix of the
/// log of the second, with both signed checkpoints.
public struct ConsistencyProofDocument: Sendable, Codable, Equatable {
    public var type = "consistency"
    public var origin: String
    public var from: Int64
    public var to: Int64
    public var proof: [String]
    public var oldCheckpoint: String
    public var newCheckpoint: String

    enum CodingKeys: String, CodingKey {
        case type, origin, from, to, proof
        case oldCheckpoint = "old_checkpoint"
        case newCheckpoint = "new_checkpoint"
    }
}
