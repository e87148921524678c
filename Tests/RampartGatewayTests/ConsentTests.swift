import Foundation
import RampartCore
import RampartLedger
import RampartStore
import Testing
import RampartStoreTesting

/// Purpose and consent enforced by a live gateway over a real SQLite file and a real PostgreSQL server (without
/// erasure): a subject is refused before consent, served after giving it, refused again after withdrawing it —
/// whether the change comes through this process's ledger or from another process (the CLI) the gateway polls.
@Suite struct ConsentTests {
    static let purposes = [
        PurposeConfig(id: "support", description: "answer support questions", lawfulBasis: .consent, dataCategories: ["conversation"], retentionDays: 365),
        PurposeConfig(id: "billing", lawfulBasis: .contract),
    ]

    static func configure(_ config: inout RampartConfig) {
        config.purposes = purposes
        config.routes[0].purpose = "support"
    }

    @Test(arguments: TestBackend.available)
    func consentIsGivenServedWithdrawnAndRefused(_ backend: TestBackend) async throws {
        try await GatewayHarness.run(configure: Self.configure, backend: backend) { h in
            let body = GatewayHarness.chatBody()
            // No subject on a consent route: 403 subject_required, recorded.
            let anonymous = try await h.send(.POST, "/v1/chat/completions", body: body)
            _ = try await RefusalTests.expectRefusal(h, anonymous, status: 403, code: "subject_required")
            // A subject without consent: 403 consent_required; the record names subject and purpose.
            let before = try await h.send(.POST, "/v1/chat/completions", body: body, headers: [("Rampart-Subject", "u-4821")])
            _ = try await RefusalTests.expectRefusal(h, before, status: 403, code: "consent_required")
            let refused = try #require(try await h.record(before.decisionID))
            #expect(refused.subject == "u-4821" && refused.purpose == "support")
            #expect(h.mock.stats.requests == 0, "refused before the upstream")

            // Consent given by another process (a second ledger over the same file, as the CLI would): the gateway
            // sees it within its refresh interval (0.1 s here).
            let ledger = try await Ledger.open(store: h.store, origin: "test/ledger", signingKey: nil)
            try await ledger.giveConsent(ConsentRequest(subject: "u-4821", purpose: "support", notice: "privacy-notice@3", method: "web-form"),
                                         purposes: Self.purposes)
            let served = try await Self.eventually { try await h.send(.POST, "/v1/chat/completions", body: body, headers: [("Rampart-Subject", "u-4821")]) }
            #expect(served.status == 200)
            // The subject's id never goes upstream.
            #expect(h.mock.stats.requests == 1 && !h.mock.stats.lastHeaders.values.contains { $0.contains("u-4821") })
            // Another subject is still refused; a purpose the route does not serve is refused.
            #expect(try await h.send(.POST, "/v1/chat/completions", body: body, headers: [("Rampart-Subject", "u-9")]).errorCode == "consent_required")
            let other = try await h.send(.POST, "/v1/chat/completions", body: body, headers: [("Rampart-Subject", "u-4821"), ("Rampart-Purpose", "marketing")])
            _ = try await RefusalTests.expectRefusal(h, other, status: 403, code: "purpose_not_served")

            // Withdrawal: refused again; withdrawing twice is an error that writes nothing.
            try await ledger.withdrawConsent(subject: "u-4821", purpose: "support", purposes: Self.purposes, book: ConsentBook())
            let after = try await Self.eventually(until: 403) {
                try await h.send(.POST, "/v1/chat/completions", body: body, headers: [("Rampart-Subject", "u-4821")])
            }
            #expect(after.errorCode == "consent_required")
            await #expect(throws: LedgerError.self) {
                try await ledger.withdrawConsent(subject: "u-4821", purpose: "support", purposes: Self.purposes, book: ConsentBook())
            }
            // The ledger holds both events (and no third), about a reference — never the subject's id in the clear; the
            // gateway records its decisions beside them, naming no one.
            let all = try await h.store.ledger.rows(0..<Int64(try await ledger.size))
            let rows = all.filter { $0.kind.hasPrefix("consent.") }
            #expect(rows.map(\.kind) == ["consent.given", "consent.withdrawn"])
            #expect(all.filter { $0.kind == "purpose.declared" }.count == 2, "the gateway recorded the declared purposes at start")
            #expect(all.allSatisfy { !$0.body.contains("u-4821") })
            #expect(rows.allSatisfy { $0.subjectRef?.hasPrefix("sub_") == true && !$0.body.contains("u-4821") })
            #expect(try await ledger.verify().intact)
        }
    }

    @Test(arguments: TestBackend.available)
    func expiredConsentAndPurposeRules(_ backend: TestBackend) async throws {
        try await GatewayHarness.run(configure: Self.configure, backend: backend) { h in
            let ledger = try await Ledger.open(store: h.store, origin: "test/ledger", signingKey: nil)
            // Consent that has lapsed does not count.
            try await ledger.giveConsent(ConsentRequest(subject: "u-1", purpose: "support", expires: Date(timeIntervalSinceNow: -60)), purposes: Self.purposes)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(), headers: [("Rampart-Subject", "u-1")]).errorCode
                    == "consent_required")
            // Consent is only recorded for purposes that rest on it, and only for declared ones.
            await #expect(throws: LedgerError.self) { try await ledger.giveConsent(ConsentRequest(subject: "u-1", purpose: "billing"), purposes: Self.purposes) }
            await #expect(throws: LedgerError.self) { try await ledger.giveConsent(ConsentRequest(subject: "u-1", purpose: "nope"), purposes: Self.purposes) }
            await #expect(throws: LedgerError.self) { try await ledger.giveConsent(ConsentRequest(subject: "", purpose: "support"), purposes: Self.purposes) }
        }
    }

    @Test func contractRoutesNeedNoConsentButCanRequireASubject() async throws {
        try await GatewayHarness.run(configure: { config in
            config.purposes = Self.purposes
            config.routes[0].purpose = "billing"
            config.routes[0].requireSubject = true
        }) { h in
            _ = try await RefusalTests.expectRefusal(h, try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody()),
                                                     status: 403, code: "subject_required")
            let served = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(), headers: [("Rampart-Subject", "u-2")])
            #expect(served.status == 200)
            #expect(try await h.record(served.decisionID)?.purpose == "billing")
        }
    }

    /// Retries `send` until its status is `until` (the gateway polls the ledger every 0.1 s here), at most 5 s.
    static func eventually(until status: Int = 200, _ send: () async throws -> GatewayHarness.Reply) async throws -> GatewayHarness.Reply {
        var reply = try await send()
        for _ in 0..<50 where reply.status != status {
            try await Task.sleep(for: .milliseconds(100))
            reply = try await send()
        }
        return reply
    }
}
