import Crypto
import Foundation
import RampartCore
import RampartStore

/// Decision records as ledger events (guide: transparency and traceability — "which model has made that decision about
/// an individual and when?" — answered by a record that cannot be changed unnoticed).
///
/// Every decision record becomes a `decision` event, in the records' order, shortly after it is committed. The event
/// names no one: instead of the subject it carries a commitment, SHA-256 of a domain prefix, the record's random nonce
/// and the subject, which the nonce in the decision record opens. Retention and erasure clear the record's subject and
/// nonce; the event stays (the tree still verifies) but its commitment can no longer be linked to anyone.
extension Ledger {
    /// Kind of the events that record decisions.
    public static let decisionKind = "decision"

    /// Advisory lock under which one process at a time records decisions (replicas on PostgreSQL).
    static let decisionsLock: Int64 = 0x72_61_6d_70_5f_64_65_63

    /// The commitment to `subject` that a decision event carries.
    public static func subjectCommitment(subject: String, nonce: String) -> String {
        Hex.encode(SHA256.hash(data: Data("rampart-subject-commitment-v1\n\(nonce)\n\(subject)".utf8)))
    }

    /// The event for one committed decision record. The body is canonical JSON (keys sorted, no spaces), written
    /// directly: the gateway's ledger keeper writes one per request, and an encoder costs several times as much.
    static func decisionEvent(_ record: DecisionStore.LedgerView) -> LedgerEvent {
        func quoted(_ s: String?) -> String { s.map(JSONValue.quote) ?? "null" }
        var body = "{"
        body.reserveCapacity(512 + record.findingsJSON.utf8.count)
        var first = true
        func member(_ key: String, _ raw: String?) {
            guard let raw else { return }
            body += (first ? "\"" : ",\"") + key + "\":" + raw
            first = false
        }
        var commitment: String?
        if let subject = record.subject, let nonce = record.subjectNonce { commitment = subjectCommitment(subject: subject, nonce: nonce) }
        member("decision", quoted(record.id))
        member("decision_seq", String(record.seq))
        member("endpoint", quoted(record.endpoint))
        // The stored findings are Rampart's own JSON array; anything else (a table changed by hand) is recorded as such
        // rather than breaking the event.
        let findingsValid = (try? JSONValue.parse(Array(record.findingsJSON.utf8))).map { if case .array = $0 { true } else { false } } ?? false
        member("findings", findingsValid ? record.findingsJSON : #"{"unreadable":\#(JSONValue.quote(record.findingsJSON))}"#)
        member("key_id", record.keyID.map(JSONValue.quote))
        member("model", record.model.map(JSONValue.quote))
        member("purpose", record.purpose.map(JSONValue.quote))
        member("reason", record.reason.map(JSONValue.quote))
        member("request_sha256", record.requestSHA256.map(JSONValue.quote))
        member("response_sha256", record.responseSHA256.map(JSONValue.quote))
        member("route", record.route.map(JSONValue.quote))
        member("status", String(record.status))
        member("stream", record.stream ? "true" : "false")
        member("subject_commitment", commitment.map(JSONValue.quote))
        member("tenant", record.tenant.map(JSONValue.quote))
        member("time", quoted(RFC3339.format(Millis.date(record.timeMs))))
        member("usage", record.usage.map {
            #"{"completion_tokens":\#($0.completionTokens),"estimated":\#($0.estimated),"prompt_tokens":\#($0.promptTokens),"total_tokens":\#($0.totalTokens)}"#
        })
        member("verdict", quoted(record.verdict))
        body += "}"
        return LedgerEvent(kind: decisionKind, body: body)
    }

    /// The `seq` of the last decision record the ledger holds an event for (0 when none).
    public func lastRecordedDecision() async throws -> Int64 {
        guard let body = try await store.ledger.lastBody(kind: Self.decisionKind) else { return 0 }
        guard case .object(let members)? = try? JSONValue.parse(Array(body.utf8)),
              let seq = members.first(where: { $0.key == "decision_seq" })?.value.intValue else {
            throw LedgerError.tampered(position: nil, "the last decision event has no decision_seq: run `rampart ledger verify`")
        }
        return Int64(seq)
    }

    /// Appends an event for every decision record not yet in the ledger, up to `bound` (default: the newest), in
    /// batches of `limit` (each one insert: small enough not to hold SQLite's writer long); returns how many. Idempotent: it continues after the last recorded one. On PostgreSQL one
    /// replica at a time does this (an advisory lock); a replica that finds it taken returns 0.
    ///
    /// Records are taken in `seq` order after the last recorded one; this never skips a record because decision inserts
    /// commit in `seq` order (one writer on SQLite, an advisory lock around each insert on PostgreSQL).
    @discardableResult
    public func recordDecisions(upTo bound: Int64? = nil, limit: Int = 500) async throws -> Int {
        let recorded = try await store.exclusively(Self.decisionsLock) { () async throws -> Int in
            let upTo: Int64
            if let bound { upTo = bound } else { upTo = try await self.store.decisions.maxSeq() }
            var total = 0
            while true {
                let last = try await self.lastRecordedDecision()
                let records = try await self.store.decisions.ledgerViews(after: last, upTo: upTo, limit: max(1, limit))
                if records.isEmpty { break }
                try await self.append(records.map(Self.decisionEvent))
                total += records.count
                if records.count < limit { break }
            }
            return total
        }
        return recorded ?? 0
    }
}

extension Ledger {
    /// Applies each purpose's `retention_days` (guide: storage limitation — keep personal data no longer than the
    /// purpose needs): decision records for the purpose older than the retention are unlinked from their subject, and
    /// each pass that unlinked anything is logged as a `retention.applied` event. Consent, objection and erasure events
    /// are kept as the evidence of the lawful basis (GDPR Art. 7(1)) until the subject is erased.
    public func applyRetention(purposes: [PurposeConfig], now: Date? = nil) async throws -> [RetentionOutcome] {
        let now = now ?? self.now()
        var outcomes: [RetentionOutcome] = []
        for purpose in purposes {
            guard let days = purpose.retentionDays else { continue }
            let before = now.addingTimeInterval(-Double(days) * 86_400)
            let unlinked = try await store.decisions.unlink(purpose: purpose.id, before: before)
            var outcome = RetentionOutcome(purpose: purpose.id, retentionDays: days, before: RFC3339.format(before), decisionsUnlinked: unlinked)
            if unlinked > 0 {
                let body = try Self.canonical(RetentionBody(purpose: purpose.id, retention_days: days, before: outcome.before, decisions_unlinked: unlinked))
                outcome.entry = try await append([LedgerEvent(kind: "retention.applied", body: body)])[0].seq
            }
            outcomes.append(outcome)
        }
        return outcomes
    }
}

private struct RetentionBody: Encodable {
    var purpose: String
    var retention_days: Int
    var before: String
    var decisions_unlinked: Int
}
