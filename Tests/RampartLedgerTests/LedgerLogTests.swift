import Foundation
import SQLKit
import Testing
import RampartStoreTesting
@testable import RampartLedger
@testable import RampartStore

/// The ledger over a real SQLite file and a real PostgreSQL server: appends, checkpoints, proofs checked offline, and every kind of tampering
/// with the rows — changed, deleted, inserted, reordered, rewritten together with their hashes — caught by `verify`
/// with the position it shows at.
@Suite struct LedgerLogTests {
    static let origin = "rampart.test/ledger"

    /// A ledger of `count` entries in a fresh store on `backend`, checkpointed at each of `checkpoints`.
    func withLedger<T>(_ backend: TestBackend, count: Int = 40, checkpoints: [Int] = [10, 25, 40],
                       _ body: (Ledger, Store, LedgerSigningKey) async throws -> T) async throws -> T {
        try await backend.withStore { store, _ in
            let key = try LedgerSigningKey.generate(name: Self.origin)
            let ledger = try await Ledger.open(store: store, origin: Self.origin, signingKey: key)
            var written = 0
            for mark in checkpoints + [count] where mark > written {
                try await ledger.append((written..<mark).map { Self.event($0) })
                written = mark
                if checkpoints.contains(mark) { try await ledger.checkpoint() }
            }
            return try await body(ledger, store, key)
        }
    }

    static func event(_ i: Int) -> LedgerEvent {
        LedgerEvent(kind: i % 3 == 0 ? "consent.given" : "decision", subjectRef: i % 2 == 0 ? "subj_\(i % 7)" : nil,
                    body: #"{"n":\#(i),"purpose":"support"}"#)
    }

    @Test(arguments: TestBackend.available)
    func appendsCheckpointsAndReopens(_ backend: TestBackend) async throws {
        try await withLedger(backend) { ledger, store, key in
            let report = try await ledger.verify()
            #expect(report.intact && report.entries == 40 && report.checkpoints == 3 && report.signaturesChecked)
            // The root is the RFC 6962 tree over the entries' leaf hashes.
            let rows = try await store.ledger.rows(0..<40)
            let tree = MerkleTree(leaves: rows.map { LedgerEntry(row: $0).leafHash })
            #expect(report.root == tree.root.hex)
            #expect(try await ledger.root == tree.root)
            // Checkpoints of one size are stored once.
            let again = try await ledger.checkpoint()
            #expect(try await ledger.checkpoints().count == 3 && again.hasPrefix("\(Self.origin)\n40\n"))
            // Reopening rebuilds the same tree; a batch larger than one insert is split and numbered on.
            let reopened = try await Ledger.open(store: store, origin: Self.origin, signingKey: key)
            #expect(try await reopened.root == tree.root)
            let more = try await reopened.append((0..<(LedgerStore.maxAppend + 3)).map { Self.event(40 + $0) })
            #expect(more.first?.seq == 40 && more.last?.seq == Int64(40 + LedgerStore.maxAppend + 2))
            #expect(try await reopened.verify().intact)
            #expect(try await reopened.verify().entries == 40 + LedgerStore.maxAppend + 3)
        }
    }

    /// Appends from many tasks at once are numbered one after another: no position twice, none skipped.
    @Test(arguments: TestBackend.available)
    func concurrentAppendsAreSerialized(_ backend: TestBackend) async throws {
        try await withLedger(backend, count: 0, checkpoints: []) { ledger, _, _ in
            let seqs = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for t in 0..<20 {
                    group.addTask { try await ledger.append((0..<25).map { Self.event(t * 100 + $0) }).map(\.seq) }
                    if t % 5 == 0 { group.addTask { _ = try await ledger.checkpoint(); return [] } }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(seqs.sorted() == Array(0..<500))
            let report = try await ledger.verify()
            #expect(report.intact && report.entries == 500)
        }
    }

    /// Two processes appending to one log (the CLI beside `rampart serve`, or two replicas on PostgreSQL): each
    /// catches up with what the other stored and numbers on from there; nothing is lost and the tree verifies.
    @Test(arguments: TestBackend.available)
    func twoWritersInterleave(_ backend: TestBackend) async throws {
        try await backend.withStore { storeA, location in
            let storeB = try await location.open()
            let key = try LedgerSigningKey.generate(name: Self.origin)
            let a = try await Ledger.open(store: storeA, origin: Self.origin, signingKey: key)
            let b = try await Ledger.open(store: storeB, origin: Self.origin, signingKey: key)
            _ = try await a.append([Self.event(0)])
            _ = try await b.append([Self.event(1)])          // b reads the log on first use
            try await withThrowingTaskGroup(of: Void.self) { group in
                for t in 0..<10 {
                    let ledger = t % 2 == 0 ? a : b
                    group.addTask { _ = try await ledger.append((0..<7).map { Self.event(100 * t + $0) }) }
                }
                try await group.waitForAll()
            }
            // Each signs the size it has caught up with, not the size it last wrote.
            let note = try await a.checkpoint()
            #expect(note.hasPrefix("\(Self.origin)\n72\n"))
            let sizeB = try await b.size, rootA = try await a.root, rootB = try await b.root
            #expect(sizeB == 72 && rootA == rootB)
            let report = try await b.verify()
            #expect(report.intact && report.entries == 72)
            await storeB.close()
        }
    }

    @Test(arguments: TestBackend.available)
    func proofsCheckOfflineWithTheVerifierKeyOnly(_ backend: TestBackend) async throws {
        try await withLedger(backend) { ledger, _, key in
            for seq: Int64 in [0, 9, 24, 39] {
                let doc = try await ledger.inclusionProof(seq: seq)
                let json = try JSONEncoder().encode(doc)
                let result = ProofCheck.check(json: json, verifierKey: key.verifierKey)
                #expect(result.valid, "\(seq): \(result.message)")
                // Proof against an earlier checkpoint.
                if seq < 25 { #expect(ProofCheck.check(json: try JSONEncoder().encode(try await ledger.inclusionProof(seq: seq, size: 25)), verifierKey: key.verifierKey).valid) }
                // A changed entry, a changed hash, another key: refused.
                var changed = doc
                changed.entry.body = #"{"n":-1}"#
                #expect(!ProofCheck.check(json: try JSONEncoder().encode(changed), verifierKey: key.verifierKey).valid)
                if !doc.proof.isEmpty {
                    var bad = doc
                    bad.proof[0] = String(repeating: "0", count: 64)
                    #expect(!ProofCheck.check(json: try JSONEncoder().encode(bad), verifierKey: key.verifierKey).valid)
                }
                #expect(!ProofCheck.check(json: json, verifierKey: try LedgerSigningKey.generate(name: Self.origin).verifierKey).valid)
            }
            let consistency = try await ledger.consistencyProof(from: 10, to: 40)
            #expect(ProofCheck.check(json: try JSONEncoder().encode(consistency), verifierKey: key.verifierKey).valid)
            var swapped = consistency
            swapped.proof.reverse()
            #expect(!ProofCheck.check(json: try JSONEncoder().encode(swapped), verifierKey: key.verifierKey).valid)
            #expect(!ProofCheck.check(json: Data("{}".utf8), verifierKey: key.verifierKey).valid)
            // Entries not yet covered by a checkpoint, unknown entries and sizes: errors that say what to do.
            _ = try await ledger.append([Self.event(40)])
            await #expect(throws: LedgerError.self) { try await ledger.inclusionProof(seq: 40) }
            await #expect(throws: LedgerError.self) { try await ledger.inclusionProof(seq: -1) }
            await #expect(throws: LedgerError.self) { try await ledger.consistencyProof(from: 11, to: 40) }
        }
    }

    /// Changes made to the rows behind the ledger's back (with the append-only triggers dropped first, as an
    /// attacker with the database file could).
    enum Tamper: String, CaseIterable {
        case changeBody, changeBodyAndHash, deleteMiddle, deleteLast, insertMiddle, reorder, rewriteCheckpoint
    }

    @Test(arguments: TestBackend.available, Tamper.allCases)
    func tamperingIsFoundAndPlaced(_ backend: TestBackend, _ tamper: Tamper) async throws {
        try await withLedger(backend) { ledger, store, _ in
            let db = store.writeDBForTesting
            try await store.dropAppendOnlyGuardsForTesting()
            let expectedPosition: Int64?
            switch tamper {
            case .changeBody:
                try await db.raw(#"UPDATE ledger_entries SET body = '{"n":17,"purpose":"marketing"}' WHERE seq = 17"#).run()
                expectedPosition = 17
            case .changeBodyAndHash:
                // Content and stored hash rewritten together: only the checkpoints catch it, between 10 and 25.
                var entry = LedgerEntry(row: try await store.ledger.rows(17..<18)[0])
                entry.body = #"{"n":17,"purpose":"marketing"}"#
                try await db.raw("UPDATE ledger_entries SET body = \(bind: entry.body), leaf_hash = \(bind: Data(entry.leafHash.bytes)) WHERE seq = 17").run()
                expectedPosition = 10
            case .deleteMiddle:
                try await db.raw("DELETE FROM ledger_entries WHERE seq = 30").run()
                expectedPosition = 30
            case .deleteLast:
                try await db.raw("DELETE FROM ledger_entries WHERE seq = 39").run()
                expectedPosition = 39
            case .insertMiddle:
                // Shift 20… up by one and put a well-formed entry at 20.
                for seq in (20..<40).reversed() { try await db.raw("UPDATE ledger_entries SET seq = \(bind: seq + 1) WHERE seq = \(bind: seq)").run() }
                let forged = LedgerEntry(seq: 20, time: Date(), kind: "consent.given", subjectRef: "subj_x", body: "{}")
                try await db.raw("""
                    INSERT INTO ledger_entries (seq, time_ms, kind, subject_ref, body, leaf_hash)
                    VALUES (20, \(bind: Millis.from(forged.time)), 'consent.given', 'subj_x', '{}', \(bind: Data(forged.leafHash.bytes)))
                    """).run()
                expectedPosition = 21
            case .reorder:
                let a = try await store.ledger.rows(5..<6)[0], b = try await store.ledger.rows(6..<7)[0]
                try await db.raw("UPDATE ledger_entries SET body = \(bind: b.body), kind = \(bind: b.kind), subject_ref = \(bind: b.subjectRef), leaf_hash = \(bind: Data(b.leafHash)) WHERE seq = 5").run()
                try await db.raw("UPDATE ledger_entries SET body = \(bind: a.body), kind = \(bind: a.kind), subject_ref = \(bind: a.subjectRef), leaf_hash = \(bind: Data(a.leafHash)) WHERE seq = 6").run()
                expectedPosition = 5
            case .rewriteCheckpoint:
                try await db.raw("UPDATE ledger_checkpoints SET note = replace(note, '\n25\n', '\n24\n') WHERE size = 25").run()
                expectedPosition = nil
            }
            let report = try await ledger.verify()
            #expect(!report.intact, "\(tamper)")
            #expect(report.problem?.position == expectedPosition, "\(tamper): \(report.problem?.message ?? "")")
        }
    }

    @Test(arguments: TestBackend.available)
    func keysAndConfigErrors(_ backend: TestBackend) async throws {
        try await withLedger(backend, count: 5, checkpoints: [5]) { ledger, store, key in
            let other = try LedgerSigningKey.generate(name: Self.origin)
            let report = try await ledger.verify(verifierKey: other.verifierKey)
            #expect(!report.intact && report.problem?.message.contains("signature") == true)
            await #expect(throws: LedgerError.self) { try await Ledger.open(store: store, origin: "another/log", signingKey: key) }
            let unsigned = try await Ledger.open(store: store, origin: Self.origin, signingKey: nil)
            await #expect(throws: LedgerError.self) { try await unsigned.checkpoint() }
            // Without a key the roots are still compared, and the report says the signatures were not checked.
            let keyless = try await unsigned.verify()
            #expect(keyless.intact && !keyless.signaturesChecked)
        }
    }
}
