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

/// The current consent of every known subject, folded from the ledger's consent events and kept in memory, so the
/// gateway's check costs a hash and two dictionary lookups. `refresh` catches up with events appended since the
/// last call — by this process (at once) or by another (the CLI, a second replica) when the gateway polls.
public final class ConsentBook: Sendable {
    public struct Current: Sendable, Equatable {
        public var state: ConsentRecord.State
        public var expires: Date?
        public var seq: Int64
    }

    struct State {
        var lastSeq: Int64 = -1
        /// Subject lookup hash → reference.
        var refs: [MerkleHash: String] = [:]
        /// Reference → purpose → current consent.
        var consents: [String: [String: Current]] = [:]
        /// Reference → purposes objected to.
        var objections: [String: Set<String>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The lookup hash of a subject identifier (the `Rampart-Subject` header's value).
    public static func subjectHash(_ subject: String) -> String {
        subjectDigest(subject).hex
    }

    /// The same hash as 32 bytes, without building strings: what the book is keyed by, so the gateway's check is one
    /// SHA-256 and two dictionary lookups.
    static func subjectDigest(_ subject: String) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(data: Self.subjectPrefix)
        var subject = subject
        subject.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return MerkleHash(hasher.finalize())
    }

    private static let subjectPrefix = Array("rampart-subject-v1\n".utf8)

    /// Whether `subject` has current consent for `purpose` at `now`: given, not withdrawn, not expired.
    public func isCurrent(subject: String, purpose: String, now: Date) -> Bool {
        standing(subject: subject, purpose: purpose, now: now) == .consented
    }

    /// Where a subject stands for a purpose, from one hash of the identifier and one lock — the gateway's check.
    public enum Standing: Sendable, Equatable {
        /// Objected to the purpose (refused whatever the lawful basis).
        case objected
        /// Consent given, not withdrawn, not expired.
        case consented
        /// Neither: no consent, or withdrawn, or expired.
        case none
    }

    public func standing(subject: String, purpose: String, now: Date) -> Standing {
        let hash = Self.subjectDigest(subject)
        return state.withLock { s in
            guard let ref = s.refs[hash] else { return .none }
            if s.objections[ref]?.contains(purpose) == true { return .objected }
            guard let current = s.consents[ref]?[purpose], current.state == .given, current.expires.map({ $0 > now }) ?? true else { return .none }
            return .consented
        }
    }

    /// The consents of one subject reference.
    public func consents(ref: String) -> [String: Current] {
        state.withLock { $0.consents[ref] ?? [:] }
    }

    /// The event kinds the book folds.
    static let kinds = ["consent.given", "consent.withdrawn", "subject.objected", "subject.erased"]

    /// Whether `subject` objected to processing for `purpose` (guide: the right to object) — refused whatever the
    /// purpose's lawful basis.
    public func hasObjected(subject: String, purpose: String) -> Bool {
        standing(subject: subject, purpose: purpose, now: Date()) == .objected
    }

    /// Reads consent, objection and erasure events appended after the last one seen.
    public func refresh(from store: Store) async throws {
        while true {
            let after = state.withLock { $0.lastSeq }
            let rows = try await store.ledger.rows(kinds: Self.kinds, after: after, limit: 10_000)
            guard let last = rows.last?.seq else { return }
            var newRefs: Set<String> = []
            for row in rows {
                guard let ref = row.subjectRef else { continue }
                switch row.kind {
                case "subject.erased":
                    state.withLock { s in
                        s.consents[ref] = nil
                        s.objections[ref] = nil
                        s.refs = s.refs.filter { $0.value != ref }
                    }
                case "subject.objected":
                    guard let purpose = (try? JSONDecoder().decode(ObjectionRecord.self, from: Data(row.body.utf8)))?.purpose else { continue }
                    state.withLock { s in
                        s.objections[ref, default: []].insert(purpose)
                        if s.consents[ref]?[purpose] != nil { s.consents[ref]?[purpose]?.state = .withdrawn }
                    }
                    newRefs.insert(ref)
                default:
                    guard let record = try? JSONDecoder().decode(ConsentRecord.self, from: Data(row.body.utf8)) else { continue }
                    let expires = record.expires.flatMap(RFC3339.parse)
                    state.withLock { $0.consents[ref, default: [:]][record.purpose] = Current(state: record.state, expires: expires, seq: row.seq) }
                    newRefs.insert(ref)
                }
            }
            for ref in newRefs where state.withLock({ !$0.refs.values.contains(ref) }) {
                if let subject = try await store.ledger.subject(ref: ref), let digest = MerkleHash(hex: subject.hash) {
                    state.withLock { $0.refs[digest] = subject.ref }
                }
            }
            state.withLock { $0.lastSeq = max($0.lastSeq, last) }
            if rows.count < 10_000 { return }
        }
    }
}

/// The body of a `subject.objected` event.
struct ObjectionRecord: Codable {
    var purpose: String
}

extension Ledger {
    /// The subject's ledger identity (reference and seal key), created on first use.
    func subject(_ identifier: String, create: Bool) async throws -> LedgerStore.Subject? {
        let hash = ConsentBook.subjectHash(identifier)
        if let known = try await store.ledger.subject(hash: hash) { return known }
        guard create else { return nil }
        var random = SystemRandomNumberGenerator()
        let ref = "sub_" + Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &random) })
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        return try await store.ledger.insertSubject(.init(hash: hash, ref: ref, sealKey: key), at: Millis.from(now()))
    }

    static func seal(_ plaintext: String, key: [UInt8]) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: SymmetricKey(data: key))
        guard let combined = box.combined else { throw LedgerError.config("AES-GCM produced no output") }
        return combined.base64EncodedString()
    }

    static func unseal(_ sealed: String, key: [UInt8]) -> String? {
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data),
              let plain = try? AES.GCM.open(box, using: SymmetricKey(data: key)) else { return nil }
        return String(data: plain, encoding: .utf8)
    }

    /// Records consent given for a purpose whose lawful basis is consent; returns the ledger entry. Takes effect
    /// for the next request this process serves (other processes catch up when they poll).
    @discardableResult
    public func giveConsent(_ request: ConsentRequest, purposes: [PurposeConfig], book: ConsentBook? = nil) async throws -> LedgerEntry {
        try Self.checkConsentPurpose(request.purpose, purposes: purposes)
        try Self.checkSubject(request.subject)
        guard let subject = try await subject(request.subject, create: true) else { throw LedgerError.notFound("subject") }
        let record = ConsentRecord(purpose: request.purpose, state: .given, notice: request.notice, method: request.method,
                                   jurisdiction: request.jurisdiction, evidenceSHA256: request.evidenceSHA256,
                                   expires: request.expires.map(RFC3339.format),
                                   sealed: try Self.seal(#"{"subject":\#(JSONValue.quote(request.subject))}"#, key: subject.sealKey))
        let entry = try await append([LedgerEvent(kind: "consent.given", subjectRef: subject.ref, body: try Self.canonical(record))])[0]
        try await book?.refresh(from: store)
        return entry
    }

    /// Records the withdrawal of a subject's consent for a purpose. Withdrawing consent that is not current is an
    /// error (nothing is written), so a duplicate withdrawal is visible as such.
    @discardableResult
    public func withdrawConsent(subject identifier: String, purpose: String, method: String = "api", purposes: [PurposeConfig],
                                book: ConsentBook) async throws -> LedgerEntry {
        try Self.checkConsentPurpose(purpose, purposes: purposes)
        try Self.checkSubject(identifier)
        try await book.refresh(from: store)
        guard let subject = try await subject(identifier, create: false),
              let current = book.consents(ref: subject.ref)[purpose], current.state == .given else {
            throw LedgerError.notFound("the subject has no current consent for purpose `\(purpose)` to withdraw")
        }
        let record = ConsentRecord(purpose: purpose, state: .withdrawn, notice: nil, method: method, jurisdiction: nil, evidenceSHA256: nil,
                                   expires: nil, sealed: try Self.seal(#"{"subject":\#(JSONValue.quote(identifier))}"#, key: subject.sealKey))
        let entry = try await append([LedgerEvent(kind: "consent.withdrawn", subjectRef: subject.ref, body: try Self.canonical(record))])[0]
        try await book.refresh(from: store)
        return entry
    }

    /// A subject's current consents by purpose (empty for an unknown or erased subject).
    public func consents(subject identifier: String) async throws -> [String: ConsentBook.Current] {
        guard let subject = try await subject(identifier, create: false) else { return [:] }
        let book = ConsentBook()
        try await book.refresh(from: store)
        return book.consents(ref: subject.ref)
    }

    /// A subject's consent for every consent-based purpose: `given`, `withdrawn`, `expired` or `none` — what
    /// `rampart ledger consent show` prints and the admin API returns.
    public func consentStatus(subject identifier: String, purposes: [PurposeConfig], now: Date = Date()) async throws -> [ConsentStatus] {
        try Self.checkSubject(identifier)
        let consents = try await consents(subject: identifier)
        return purposes.filter { $0.lawfulBasis == .consent }.map { purpose in
            guard let current = consents[purpose.id] else { return ConsentStatus(purpose: purpose.id, state: "none") }
            let expired = current.expires.map { $0 <= now } ?? false
            return ConsentStatus(purpose: purpose.id, state: expired ? "expired" : current.state.rawValue,
                                 expires: current.expires.map(RFC3339.format), entry: current.seq)
        }
    }

    static func checkConsentPurpose(_ id: String, purposes: [PurposeConfig]) throws {
        guard let purpose = purposes.first(where: { $0.id == id }) else {
            let known = purposes.map(\.id)
            throw LedgerError.notFound("unknown purpose `\(id)`" + (known.isEmpty ? "; declare it under `purposes:`" : " (declared: \(known.joined(separator: ", ")))"))
        }
        guard purpose.lawfulBasis == .consent else {
            throw LedgerError.config("purpose `\(id)` rests on \(purpose.lawfulBasis.rawValue), not consent: consent is not recorded for it")
        }
    }

    static func checkSubject(_ subject: String) throws {
        guard !subject.isEmpty, subject.utf8.count <= 256, subject.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw LedgerError.config("a subject id must be 1–256 printable characters (a pseudonymous id, as in Rampart-Subject)")
        }
    }

    static func canonical(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// One purpose's consent state for a subject.
public struct ConsentStatus: Sendable, Codable, Equatable {
    public var purpose: String
    /// `given`, `withdrawn`, `expired` or `none`.
    public var state: String
    public var expires: String?
    /// The ledger entry that set the state.
    public var entry: Int64?
}
