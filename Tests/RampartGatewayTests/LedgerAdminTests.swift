import Foundation
import RampartCore
import RampartLedger
import RampartStore
import RampartStoreTesting
import Testing

/// The ledger's admin API on a live gateway: consent given, queried, withdrawn; objection, rectification, lineage,
/// export, erasure with a signed receipt, a checkpoint — each taking effect for the very next request on this replica
/// (the keys and consent poll is set to an hour here, so only the admin API's own update can explain it), and every
/// bad body answered with the field at fault.
@Suite struct LedgerAdminTests {
    static func configure(keyFile: String) -> (inout RampartConfig) -> Void {
        { config in
            ConsentTests.configure(&config)
            config.server.keyRefreshSeconds = 3600
            config.ledger = LedgerConfig(origin: "admin.test/ledger", signingKey: keyFile)
        }
    }

    func admin(_ h: GatewayHarness, _ method: String, _ path: String, _ body: String? = nil, key: String?? = nil) async throws -> GatewayHarness.Reply {
        try await h.send(method == "GET" ? .GET : .POST, "/v1/ledger/\(path)", body: body, key: key ?? h.adminKey, port: h.adminPort)
    }

    func chat(_ h: GatewayHarness, _ subject: String) async throws -> GatewayHarness.Reply {
        try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(), headers: [("Rampart-Subject", subject)])
    }

    @Test(arguments: TestBackend.available)
    func consentAndRightsThroughTheAdminAPI(_ backend: TestBackend) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = folder.appendingPathComponent("ledger.pem").path
        let signingKey = try LedgerSigningKey.generate(name: "admin.test/ledger")
        try signingKey.write(to: keyFile)

        try await GatewayHarness.run(configure: Self.configure(keyFile: keyFile), backend: backend) { h in
            // Admin keys only, on the admin listener only.
            #expect(try await admin(h, "POST", "consents", #"{"subject":"u-1","purpose":"support"}"#, key: .some(nil)).status == 401)
            #expect(try await admin(h, "POST", "consents", #"{"subject":"u-1","purpose":"support"}"#, key: h.clientKey).status == 403)
            #expect(try await h.send(.POST, "/v1/ledger/consents", body: #"{"subject":"u-1","purpose":"support"}"#, key: h.adminKey).status == 404)

            // Bad bodies name what is wrong.
            let missing = try await admin(h, "POST", "consents", #"{"subject":"u-1"}"#)
            #expect(missing.status == 400 && missing.errorParam == "purpose")
            #expect(try await admin(h, "POST", "consents", "{not json").status == 400)
            let wrongType = try await admin(h, "POST", "consents", #"{"subject":7,"purpose":"support"}"#)
            #expect(wrongType.status == 400 && wrongType.errorParam == "subject")
            #expect(try await admin(h, "POST", "consents", #"{"subject":"u-1","purpose":"support","notice":"v3"}"#).errorParam == "notice")
            #expect(try await admin(h, "POST", "consents", #"{"subject":"u-1","purpose":"marketing"}"#).status == 404)
            #expect(try await admin(h, "POST", "consents", #"{"subject":"u-1","purpose":"billing"}"#).status == 400)
            #expect(try await admin(h, "POST", "consents", #"{"subject":"","purpose":"support"}"#).status == 400)

            // Given → served at once.
            #expect(try await chat(h, "u-1").errorCode == "consent_required")
            let given = try await admin(h, "POST", "consents", #"{"subject":"u-1","purpose":"support","notice":"privacy@3","method":"web-form","jurisdiction":"DE"}"#)
            #expect(given.status == 201 && given.json["kind"] as? String == "consent.given")
            let consentEntry = try #require(given.json["entry"] as? Int)
            #expect(try await chat(h, "u-1").status == 200)
            let query = try await admin(h, "POST", "consents/query", #"{"subject":"u-1"}"#)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(query.body.utf8)) as? [[String: Any]])
            #expect(rows.count == 1 && rows[0]["purpose"] as? String == "support" && rows[0]["state"] as? String == "given")

            // Lineage, then withdrawal → refused at once; a second withdrawal is a conflict that writes nothing.
            #expect(try await admin(h, "POST", "lineage", #"{"model":"helper@1","dataset":"d1","subjects":["u-1","u-2"],"purpose":"support"}"#).status == 201)
            #expect(try await admin(h, "POST", "consents/withdraw", #"{"subject":"u-1","purpose":"support"}"#).status == 200)
            #expect(try await chat(h, "u-1").errorCode == "consent_required")
            let again = try await admin(h, "POST", "consents/withdraw", #"{"subject":"u-1","purpose":"support"}"#)
            #expect(again.status == 409 && again.errorCode == "consent_not_current")
            let models = try await admin(h, "GET", "models")
            #expect(models.status == 200 && models.body.contains(#""state":"retrain-required""#))

            // Objection, rectification.
            #expect(try await admin(h, "POST", "subjects/object", #"{"subject":"u-1","purpose":"support"}"#).status == 201)
            #expect(try await chat(h, "u-1").errorCode == "objection_recorded")
            let badCorrection = try await admin(h, "POST", "subjects/rectify", #"{"subject":"u-1","entry":\#(consentEntry),"correction":[1]}"#)
            #expect(badCorrection.status == 400 && badCorrection.errorParam == "correction")
            #expect(try await admin(h, "POST", "subjects/rectify", #"{"subject":"u-1","entry":\#(consentEntry),"correction":{"jurisdiction":"AT"}}"#).status == 201)
            #expect(try await admin(h, "POST", "subjects/rectify", #"{"subject":"u-1","entry":\#(consentEntry + 1000),"correction":{"a":1}}"#).status == 404)

            // Export: consents, objections, events, the decisions about the subject.
            let export = try await admin(h, "POST", "subjects/export", #"{"subject":"u-1"}"#)
            #expect(export.status == 200)
            #expect((export.json["consents"] as? [String: String]) == ["support": "withdrawn"])
            #expect((export.json["decisions"] as? [Any])?.count == 4)

            // Erasure: a signed receipt that opens with the verifier key; nothing left; a second erasure is 404.
            let erased = try await admin(h, "POST", "subjects/erase", #"{"subject":"u-1"}"#)
            #expect(erased.status == 200 && (erased.json["retrain_required"] as? [String]) == ["helper@1"])
            #expect(erased.json["decisions_unlinked"] as? Int == 4)
            let note = try #require(erased.json["note"] as? String)
            #expect(try SignedNote.open(note, verifierKey: signingKey.verifierKey).contains("erasure receipt"))
            #expect(try await admin(h, "POST", "subjects/erase", #"{"subject":"u-1"}"#).status == 404)
            #expect(try await chat(h, "u-1").errorCode == "consent_required")
            let afterErasure = try await admin(h, "POST", "subjects/export", #"{"subject":"u-1"}"#)
            #expect((afterErasure.json["decisions"] as? [Any])?.count == 1, "only the request made after the erasure names the subject")

            // A checkpoint signed by the gateway's key; the log verifies.
            let checkpoint = try await admin(h, "POST", "checkpoints")
            #expect(checkpoint.status == 201 && (checkpoint.json["note"] as? String)?.hasPrefix("admin.test/ledger\n") == true)
            let ledger = try await Ledger.open(store: h.store, origin: "admin.test/ledger", signingKey: signingKey)
            #expect(try await ledger.verify().intact)
        }
    }

    /// The ledger keeper: purposes recorded at start, every decision recorded as an event (naming no one), and signed
    /// checkpoints made on its own when the log grows.
    @Test(arguments: TestBackend.available)
    func theKeeperRecordsDecisionsAndSignsCheckpoints(_ backend: TestBackend) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-keeper-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = folder.appendingPathComponent("ledger.pem").path
        let signingKey = try LedgerSigningKey.generate(name: "admin.test/ledger")
        try signingKey.write(to: keyFile)
        try await GatewayHarness.run(configure: { config in
            Self.configure(keyFile: keyFile)(&config)
            config.ledger.decisionsIntervalSeconds = 0.05
            config.ledger.checkpointIntervalSeconds = 0.2
        }, backend: backend) { h in
            #expect(try await admin(h, "POST", "consents", #"{"subject":"u-5","purpose":"support"}"#).status == 201)
            for _ in 0..<3 { #expect(try await chat(h, "u-5").status == 200) }
            let ledger = try await Ledger.open(store: h.store, origin: "admin.test/ledger", signingKey: signingKey)
            var rows: [LedgerStore.Row] = []
            var checkpoints: [LedgerStore.CheckpointRow] = []
            for _ in 0..<100 {
                rows = try await h.store.ledger.rows(0..<Int64(try await ledger.size))
                checkpoints = try await h.store.ledger.checkpoints()
                if rows.filter({ $0.kind == "decision" }).count == 3, let last = checkpoints.last, last.size == Int64(rows.count) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(rows.filter { $0.kind == "purpose.declared" }.count == 2)
            let decisions = rows.filter { $0.kind == "decision" }
            #expect(decisions.count == 3 && decisions.allSatisfy { !$0.body.contains("u-5") && $0.body.contains("subject_commitment") })
            #expect(checkpoints.last?.size == Int64(rows.count), "a checkpoint covers the whole log")
            #expect(try await ledger.verify().intact)
        }
    }
}
