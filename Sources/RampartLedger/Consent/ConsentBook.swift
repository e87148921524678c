import Crypto
import Foundation
import RampartCore
import RampartStore
import Synchronization

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
