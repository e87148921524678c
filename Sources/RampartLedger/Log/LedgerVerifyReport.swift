import Foundation
import RampartCore
import RampartStore

/// What `rampart ledger verify` found.
public struct LedgerVerifyReport: Sendable, Encodable, Equatable {
    /// Entries checked (all of them when intact; those before the problem otherwise), and their root.
    public var entries: Int
    public var root: String
    public var checkpoints: Int
    /// Whether the checkpoints' signatures were checked (they are when a key is known).
    public var signaturesChecked: Bool
    public var latestCheckpointSize: Int?
    /// The first problem, if any: the entry where it shows (nil when it is not one entry) and what is wrong.
    public var problem: Problem?

    public struct Problem: Sendable, Codable, Equatable {
        public var position: Int64?
        public var message: String
    }

    public var intact: Bool { problem == nil }

    enum CodingKeys: String, CodingKey {
        case entries, root, checkpoints, problem, intact
        case signaturesChecked = "signatures_checked"
        case latestCheckpointSize = "latest_checkpoint_size"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(entries, forKey: .entries)
        try c.encode(root, forKey: .root)
        try c.encode(checkpoints, forKey: .checkpoints)
        try c.encode(signaturesChecked, forKey: .signaturesChecked)
        try c.encodeIfPresent(latestCheckpointSize, forKey: .latestCheckpointSize)
        try c.encodeIfPresent(problem, forKey: .problem)
        try c.encode(intact, forKey: .intact)
    }
}
