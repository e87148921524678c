import Foundation
import RampartStore

/// An event to append: the ledger gives it its position and time.
public struct LedgerEvent: Sendable, Equatable {
    public var kind: String
    public var subjectRef: String?
    public var body: String

    public init(kind: String, subjectRef: String? = nil, body: String) {
        self.kind = kind
        self.subjectRef = subjectRef
        self.body = body
    }
}
