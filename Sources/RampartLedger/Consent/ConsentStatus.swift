import Crypto
import Foundation
import RampartCore
import RampartStore
import Synchronization

/// One purpose's consent state for a subject.
public struct ConsentStatus: Sendable, Codable, Equatable {
    public var purpose: String
    /// `given`, `withdrawn`, `expired` or `none`.
    public var state: String
    public var expires: String?
    /// The ledger entry that set the state.
    public var entry: Int64?
}
