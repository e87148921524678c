import Foundation
import RampartCore
import Testing
import RampartStoreTesting
@testable import RampartLedger
@testable import RampartStore

/// Subjects' rights over a real SQLite file and a real PostgreSQL server: export, lineage and models, objection, and erasure by crypto-shredding
/// with a signed receipt — the tree still verifying afterwards.
@Suite struct SubjectRightsTests {
    static let purposes = [
        PurposeConfig(id: "support", lawfulBasis: .consent),
        PurposeConfig(id: "training", lawfulBasis: .legitimateInterests),
    ]

    func withLedger(_ backend: TestBackend, _ body: (Ledger, Store, LedgerSigningKey) async throws -> Void) async throws {
        try await backend.withStore { store, _ in
            let key = try LedgerSigningKey.generate(name: "rights/ledger")
            try await body(try await Ledger.open(store: store, origin: "rights/ledger", signingKey: key), store, key)
        }
    }

    @Test(arguments: TestBackend.available)
    func lineageErasureAndReceipt(_ backend: TestBackend) async throws {
        try await withLedger(backend) { ledger, store, key in
            let book = ConsentBook()
            try await ledger.giveConsent(ConsentRequest(subject: "alice", purpose: "support", notice: "n@1"), purposes: Self.purposes, book: book)
            try await ledger.recordLineage(model: "assistant@1", dataset: "tickets-2026q3", purpose: "training", subjects: ["alice", "bob"],
                                           purposes: Self.purposes)
            try await ledger.recordLineage(model: "summarizer@2", dataset: "tickets-2026q3", purpose: "training", subjects: ["bob"], purposes: Self.purposes)
            #expect(try await ledger.models().map(\.state) == ["trained", "trained"])
            #expect(book.isCurrent(subject: "alice", purpose: "support", now: Date()))

            // Export before erasure: consents, events with the sealed id opened, models.
            let export = try await ledger.export(subject: "alice", purposes: Self.purposes, decisions: [])
            #expect(export.consents == ["support": "given"] && export.models == ["assistant@1"])
            #expect(export.events.map(\.kind) == ["consent.given"])
            #expect(export.events[0].personal == .object([("subject", .string("alice"))]))
            let json = String(decoding: try JSONEncoder().encode(export), as: UTF8.self)
            #expect(json.contains(#""subject":"alice""#) && json.contains("assistant@1"))

            let receipt = try await ledger.erase(subject: "alice", book: book)
            // Shredded: the consent and the recorded export request.
            #expect(receipt.retrainRequired == ["assistant@1"] && receipt.entriesShredded == 2)
            // The receipt is a signed note the ledger's verifier key opens.
            let text = try SignedNote.open(try #require(receipt.note), verifierKey: key.verifierKey)
            #expect(text.contains("erasure receipt\nsubject_ref \(receipt.subjectRef)\n") && text.contains("retrain_required assistant@1\n"))
            // The subject is gone: no consent, nothing to export, a second erasure finds nothing; the model must be retrained.
            #expect(!book.isCurrent(subject: "alice", purpose: "support", now: Date()))
            let after = try await ledger.export(subject: "alice", purposes: Self.purposes, decisions: [])
            #expect(after.subjectRef == nil && after.events.isEmpty)
            await #expect(throws: LedgerError.self) { try await ledger.erase(subject: "alice") }
            let models = try await ledger.models()
            #expect(models.map(\.state) == ["retrain-required", "trained"])
            #expect(models[0].reasons.count == 1 && models[0].reasons[0].contains("was erased"))
            // The events stay, sealed data unreadable without the key; the tree verifies.
            let rows = try await store.ledger.rows(0..<Int64(try await ledger.size))
            #expect(rows.filter { $0.subjectRef == receipt.subjectRef }.map(\.kind) == ["consent.given", "subject.exported", "subject.erased"])
            #expect(try await store.ledger.subject(ref: receipt.subjectRef) == nil)
            #expect(try await ledger.verify().intact)
        }
    }

    @Test(arguments: TestBackend.available)
    func objectionAndWithdrawalMarkModelsByPurpose(_ backend: TestBackend) async throws {
        try await withLedger(backend) { ledger, _, _ in
            let book = ConsentBook()
            try await ledger.giveConsent(ConsentRequest(subject: "carol", purpose: "support"), purposes: Self.purposes, book: book)
            try await ledger.recordLineage(model: "router@1", dataset: "chats", purpose: "support", subjects: ["carol"], purposes: Self.purposes)
            try await ledger.recordLineage(model: "ranker@4", dataset: "clicks", purpose: "training", subjects: ["carol"], purposes: Self.purposes)
            // Withdrawing consent for support concerns the model trained for support only.
            try await ledger.withdrawConsent(subject: "carol", purpose: "support", purposes: Self.purposes, book: book)
            #expect(try await ledger.models().map(\.state) == ["retrain-required", "trained"])
            // Objecting to training concerns the other one, and the book refuses the subject for that purpose.
            try await ledger.object(subject: "carol", purpose: "training", purposes: Self.purposes, book: book)
            #expect(book.hasObjected(subject: "carol", purpose: "training") && !book.hasObjected(subject: "carol", purpose: "support"))
            #expect(try await ledger.models().map(\.state) == ["retrain-required", "retrain-required"])
            let export = try await ledger.export(subject: "carol", purposes: Self.purposes, decisions: [])
            #expect(export.objections == ["training"] && export.consents == ["support": "withdrawn"] && Set(export.models) == ["router@1", "ranker@4"])
            // Bad input.
            await #expect(throws: LedgerError.self) { try await ledger.recordLineage(model: "no-version", dataset: "d", purpose: nil, subjects: ["x"], purposes: []) }
            await #expect(throws: LedgerError.self) { try await ledger.recordLineage(model: "m@1", dataset: "d", purpose: nil, subjects: [], purposes: []) }
            await #expect(throws: LedgerError.self) { try await ledger.recordLineage(model: "m@1", dataset: "d", purpose: "nope", subjects: ["x"], purposes: []) }
            await #expect(throws: LedgerError.self) { try await ledger.object(subject: "carol", purpose: "nope", purposes: Self.purposes) }
            await #expect(throws: LedgerError.self) { try await ledger.erase(subject: "never-seen") }
        }
    }

    /// Rectification supersedes, never rewrites: the correction is sealed, the export shows both, the tree verifies.
    @Test(arguments: TestBackend.available)
    func rectificationSupersedes(_ backend: TestBackend) async throws {
        try await withLedger(backend) { ledger, store, _ in
            let given = try await ledger.giveConsent(ConsentRequest(subject: "dave", purpose: "support", jurisdiction: "DE"), purposes: Self.purposes)
            let correction = try await ledger.rectify(subject: "dave", entry: given.seq, correction: #"{"jurisdiction":"AT"}"#)
            #expect(correction.kind == "subject.rectified" && !correction.body.contains("AT"))
            let export = try await ledger.export(subject: "dave", purposes: Self.purposes, decisions: [])
            #expect(export.events.map(\.kind) == ["consent.given", "subject.rectified"])
            #expect(export.events[0].supersededBy == correction.seq)
            #expect(export.events[1].personal == .object([("jurisdiction", .string("AT"))]))
            #expect(try await store.ledger.rows(given.seq..<(given.seq + 1))[0].body == given.body)
            #expect(try await ledger.verify().intact)
            // Only entries about the subject, only JSON objects, only known subjects.
            let erins = try await ledger.giveConsent(ConsentRequest(subject: "erin", purpose: "support"), purposes: Self.purposes)
            await #expect(throws: LedgerError.self) { try await ledger.rectify(subject: "dave", entry: erins.seq, correction: "{}") }
            await #expect(throws: LedgerError.self) { try await ledger.rectify(subject: "dave", entry: given.seq, correction: "[1]") }
            await #expect(throws: LedgerError.self) { try await ledger.rectify(subject: "nobody", entry: given.seq, correction: "{}") }
        }
    }
}
