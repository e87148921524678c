import Crypto
import Foundation
import RampartCore
import RampartStore
import Synchronization

/// What a consent request asks for; the ledger fills in the rest.
public struct ConsentRequest: Sendable, Equatable {
    public var subject: String
    public var purpose: String
    public var notice: String?
    public var method: String
    public var jurisdiction: String?
    public var evidenceSHA256: String?
    public var expires: Date?

    public init(subject: String, purpose: String, notice: String? = nil, method: String = "api", jurisdiction: String? = nil,
                evidenceSHA256: String? = nil, expires: Date? = nil) {
        self.subject = subject
        self.purpose = purpose
        self.notice = notice
        self.method = method
        self.jurisdiction = jurisdiction
        self.evidenceSHA256 = evidenceSHA256
        self.expires = expires
    }
}
