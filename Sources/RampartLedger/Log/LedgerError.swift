import Foundation
import RampartCore
import RampartStore

public enum LedgerError: Error, Equatable, CustomStringConvertible {
    case config(String)
    /// The stored log does not match itself or its checkpoints; `position` is the first entry found wrong.
    case tampered(position: Int64?, String)
    case notFound(String)

    public var description: String {
        switch self {
        case let .config(why): "ledger: \(why)"
        case let .tampered(position, why): "ledger tampered\(position.map { " at entry \($0)" } ?? ""): \(why)"
        case let .notFound(what): "ledger: \(what)"
        }
    }
}
