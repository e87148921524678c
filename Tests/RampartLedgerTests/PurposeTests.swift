import Foundation
import RampartCore
import RampartStoreTesting
import Testing
@testable import RampartLedger
@testable import RampartStore

/// Purpose specification on the record: declarations, changes and retirements of purposes become ledger events, and
/// access requests are recorded with their outcome.
@Suite struct PurposeTests {
    @Test(arguments: TestBackend.available)
    func purposesAreRecordedWhenTheyChange(_ backend: TestBackend) async throws {
        try await backend.withStore { store, _ in
            let ledger = try await Ledger.open(store: store, origin: "purposes/ledger", signingKey: nil)
            let first = [
                PurposeConfig(id: "support", description: "answer questions", lawfulBasis: .consent, dataCategories: ["conversation"], retentionDays: 365),
                PurposeConfig(id: "billing", lawfulBasis: .contract),
            ]
            #expect(try await ledger.recordPurposes(first).map(\.kind) == ["purpose.declared", "purpose.declared"])
            #expect(try await ledger.recordPurposes(first).isEmpty, "nothing changed, nothing recorded")
            var second = [first[0], PurposeConfig(id: "training", lawfulBasis: .legitimateInterests)]
            second[0].retentionDays = 30
            let changes = try await ledger.recordPurposes(second)
            #expect(changes.map(\.kind) == ["purpose.declared", "purpose.declared", "purpose.retired"])
            let recorded = try await ledger.recordedPurposes()
            #expect(recorded.map(\.id) == ["billing", "support", "training"])
            #expect(recorded.map(\.state) == ["retired", "declared", "declared"])
            let support = try #require(recorded.first { $0.id == "support" })
            #expect(support.declaration.contains(#""retention_days":30"#) && support.declaration.contains(#""lawful_basis":"consent""#))
            // Declaring a retired purpose again records it again.
            #expect(try await ledger.recordPurposes(second + [first[1]]).map(\.kind) == ["purpose.declared"])
            #expect(try await ledger.verify().intact)
        }
    }

    @Test(arguments: TestBackend.available)
    func accessRequestsAreRecorded(_ backend: TestBackend) async throws {
        try await backend.withStore { store, _ in
            let ledger = try await Ledger.open(store: store, origin: "purposes/ledger", signingKey: nil)
            let purposes = [PurposeConfig(id: "support", lawfulBasis: .consent)]
            try await ledger.giveConsent(ConsentRequest(subject: "u-8", purpose: "support"), purposes: purposes)
            let export = try await ledger.export(subject: "u-8", purposes: purposes, decisions: [])
            let last = try await store.ledger.rows(1..<2)[0]
            #expect(last.kind == "subject.exported" && last.subjectRef == export.subjectRef && last.body.contains(#""right":"access""#))
            // A subject the ledger does not know: recorded without a reference, naming no one.
            _ = try await ledger.export(subject: "u-unknown", purposes: purposes, decisions: [])
            let anonymous = try await store.ledger.rows(2..<3)[0]
            #expect(anonymous.kind == "subject.exported" && anonymous.subjectRef == nil && !anonymous.body.contains("u-unknown"))
        }
    }
}
