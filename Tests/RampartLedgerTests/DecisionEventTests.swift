import Foundation
import RampartCore
import RampartStoreTesting
import Testing
@testable import RampartLedger
@testable import RampartStore

/// Decision records as ledger events, retention, and erasure reaching the decision records — on both backends.
@Suite struct DecisionEventTests {
    static func record(subject: String?, purpose: String? = "support", at time: Date = Date()) -> DecisionRecord {
        DecisionRecord(id: TimeOrderedID.make(at: time), time: time, tenant: "acme", keyID: "k1", route: "chat", model: "m", endpoint: "/v1/chat/completions",
                       subject: subject, purpose: purpose, status: 200, verdict: .allowed, gatewayLatencyMs: 1,
                       usage: TokenUsage(promptTokens: 3, completionTokens: 4), requestSHA256: String(repeating: "a", count: 64))
    }

    @Test(arguments: TestBackend.available)
    func decisionsBecomeEventsThatCommitToTheSubject(_ backend: TestBackend) async throws {
        try await backend.withStore { store, _ in
            let ledger = try await Ledger.open(store: store, origin: "decisions/ledger", signingKey: nil)
            let records = [Self.record(subject: "u-1"), Self.record(subject: "u-1"), Self.record(subject: nil)]
            let seqs = try await store.decisions.append(records)
            #expect(try await ledger.recordDecisions() == 3)
            #expect(try await ledger.recordDecisions() == 0, "idempotent: it continues after the last recorded")
            #expect(try await ledger.lastRecordedDecision() == seqs[2])
            let rows = try await store.ledger.rows(0..<3)
            #expect(rows.map(\.kind) == ["decision", "decision", "decision"])
            #expect(rows.allSatisfy { $0.subjectRef == nil && !$0.body.contains("u-1") })
            // Canonical JSON: an object with sorted keys, the record's fields as stored.
            for row in rows {
                guard case .object(let members)? = try? JSONValue.parse(Array(row.body.utf8)) else { Issue.record("not JSON: \(row.body)"); continue }
                #expect(members.map(\.key) == members.map(\.key).sorted())
            }
            guard case .object(let members)? = try? JSONValue.parse(Array(rows[0].body.utf8)) else { return }
            let fields = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            #expect(fields["status"] == .number("200") && fields["verdict"] == .string("allowed") && fields["stream"] == .bool(false))
            #expect(fields["usage"] == .object([("completion_tokens", .number("4")), ("estimated", .bool(false)), ("prompt_tokens", .number("3")),
                                                ("total_tokens", .number("7"))]))
            #expect(fields["request_sha256"] == .string(String(repeating: "a", count: 64)) && fields["findings"] == .array([]))
            #expect(fields["time"] == .string(RFC3339.format(Millis.date(Millis.from(records[0].time)))))
            // The commitment opens with the record's nonce, and only with it.
            let stored = try #require(try await store.decisions.find(id: records[0].id))
            let nonce = try #require(stored.subjectNonce)
            #expect(nonce.count == 32)
            #expect(rows[0].body.contains(#""subject_commitment":"\#(Ledger.subjectCommitment(subject: "u-1", nonce: nonce))""#))
            #expect(!rows[0].body.contains(Ledger.subjectCommitment(subject: "u-2", nonce: nonce)))
            #expect(rows[0].body.contains(#""decision":"\#(records[0].id)""#) && rows[0].body.contains(#""decision_seq":\#(seqs[0])"#))
            #expect(!rows[2].body.contains("subject_commitment"))

            // A bound leaves later records for a later pass.
            let more = try await store.decisions.append([Self.record(subject: "u-9"), Self.record(subject: "u-9")])
            #expect(try await ledger.recordDecisions(upTo: more[0]) == 1)
            #expect(try await ledger.recordDecisions() == 1)

            // Erasure reaches the decision records, even for a subject the ledger has no identity for.
            let receipt = try await ledger.erase(subject: "u-1")
            #expect(receipt.decisionsUnlinked == 2 && receipt.subjectRef == "-" && receipt.entriesShredded == 0)
            #expect(try await store.decisions.list(.init(subject: "u-1")).isEmpty)
            let unlinked = try #require(try await store.decisions.find(id: records[0].id))
            #expect(unlinked.subject == nil && unlinked.subjectNonce == nil && unlinked.status == 200)
            await #expect(throws: LedgerError.self) { try await ledger.erase(subject: "u-1") }
            // Every other decision is untouched; the log verifies with the erasure in it.
            #expect(try await store.decisions.list(.init(subject: "u-9")).count == 2)
            let report = try await ledger.verify()
            #expect(report.intact && report.entries == 6)
        }
    }

    @Test(arguments: TestBackend.available)
    func retentionUnlinksOldRecordsAndSaysSoInTheLedger(_ backend: TestBackend) async throws {
        try await backend.withStore { store, _ in
            let ledger = try await Ledger.open(store: store, origin: "decisions/ledger", signingKey: nil)
            let now = Date()
            let purposes = [PurposeConfig(id: "support", lawfulBasis: .consent, retentionDays: 30), PurposeConfig(id: "billing", lawfulBasis: .contract)]
            _ = try await store.decisions.append([
                Self.record(subject: "u-2", at: now.addingTimeInterval(-40 * 86_400)),
                Self.record(subject: "u-2", at: now.addingTimeInterval(-29 * 86_400)),
                Self.record(subject: "u-3", purpose: "billing", at: now.addingTimeInterval(-400 * 86_400)),
            ])
            #expect(try await ledger.recordDecisions() == 3)
            let outcomes = try await ledger.applyRetention(purposes: purposes, now: now)
            #expect(outcomes.count == 1 && outcomes[0].purpose == "support" && outcomes[0].decisionsUnlinked == 1 && outcomes[0].entry == 3)
            #expect(try await store.decisions.list(.init(subject: "u-2")).count == 1)
            #expect(try await store.decisions.list(.init(subject: "u-3")).count == 1, "no retention declared for billing")
            let logged = try #require(try await store.ledger.rows(3..<4).first)
            #expect(logged.kind == "retention.applied" && logged.body.contains(#""decisions_unlinked":1"#) && logged.body.contains(#""purpose":"support""#))
            // A second pass finds nothing and logs nothing.
            let again = try await ledger.applyRetention(purposes: purposes, now: now)
            #expect(again[0].decisionsUnlinked == 0 && again[0].entry == nil)
            #expect(try await ledger.size == 4)
            #expect(try await ledger.verify().intact)
        }
    }
}
