import Crypto
import Foundation
import RampartCore
import RampartStore

/// What one retention pass did for one purpose.
public struct RetentionOutcome: Sendable, Codable, Equatable {
    public var purpose: String
    public var retentionDays: Int
    /// Records older than this (RFC 3339) were unlinked.
    public var before: String
    public var decisionsUnlinked: Int
    /// The `retention.applied` event, when anything was unlinked.
    public var entry: Int64?

    enum CodingKeys: String, CodingKey {
        case purpose, before, entry
        case retentionDays = "retention_days"
        case decisionsUnlinked = "decisions_unlinked"
    }
}
