import Crypto
import Foundation
import RampartCore
import RampartStore
import Synchronization

/// The body of a consent event, after ISO/IEC TS 27560 and the W3C Data Privacy Vocabulary's consent record: for
/// which purpose, in which state, on which notice, how and where it was obtained, the evidence's digest, when it
/// expires. The subject's own identifier is never in the clear: the event carries the subject's random reference,
/// and the identifier is sealed under the subject's key (AES-GCM) — erasure destroys that key.
public struct ConsentRecord: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable, Equatable {
        case given
        case withdrawn
    }

    public var purpose: String
    public var state: State
    /// The notice shown, `id@version` (`privacy-notice@3`).
    public var notice: String?
    /// How consent was given or withdrawn (`web-form`, `api`, `email`, `verbal`).
    public var method: String
    /// Where (an ISO 3166 code such as `DE`, or `EU`).
    public var jurisdiction: String?
    /// SHA-256 of the evidence (the signed form, the request body), hex.
    public var evidenceSHA256: String?
    /// When the consent lapses (RFC 3339), if it does.
    public var expires: String?
    /// The subject's identifier, sealed under the subject's key: base64 of nonce ‖ ciphertext ‖ tag.
    public var sealed: String

    enum CodingKeys: String, CodingKey {
        case purpose, state, notice, method, jurisdiction, expires, sealed
        case evidenceSHA256 = "evidence_sha256"
    }
}
