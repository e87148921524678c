import Foundation
import RampartCore
import RampartStore

/// A purpose as the ledger last recorded it.
public struct RecordedPurpose: Sendable, Codable, Equatable {
    public var id: String
    /// `declared` or `retired`.
    public var state: String
    /// The entry that recorded this state, and when.
    public var entry: Int64
    public var time: String
    /// The recorded declaration (id, description, lawful basis, data categories, retention), as JSON.
    public var declaration: String
}
