import Crypto
import Foundation
import RampartCore
import RampartStore
import Synchronization

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
