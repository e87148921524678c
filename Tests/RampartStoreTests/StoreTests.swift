import Foundation
import Testing
import SQLKit
import RampartStoreTesting
@testable import RampartCore
@testable import RampartStore

/// A fresh store on `backend` (a SQLite file in a temporary folder, or a new PostgreSQL schema), removed afterwards.
func withTemporaryStore<T>(_ backend: TestBackend, _ body: (Store, TestStoreLocation) async throws -> T) async throws -> T {
    try await backend.withStore(body)
}

func sampleRecord(route: String = "chat", key: String = "k1", verdict: Verdict = .allowed, tokens: Int? = 10, at time: Date = Date()) -> DecisionRecord {
    DecisionRecord(
        id: TimeOrderedID.make(at: time), time: time, tenant: "acme", keyID: key, route: route, model: "m", endpoint: "/v1/chat/completions",
        subject: "subj-1", purpose: "support", status: verdict == .allowed ? 200 : 429, verdict: verdict, reason: verdict == .allowed ? nil : "rate_limited",
        upstreamLatencyMs: 1.5, gatewayLatencyMs: 2.25, usage: tokens.map { TokenUsage(promptTokens: $0 / 2, completionTokens: $0 - $0 / 2) },
        requestSHA256: String(repeating: "a", count: 64), responseSHA256: String(repeating: "b", count: 64),
        findings: [Finding(guardName: "pii", type: "EMAIL", severity: "medium", location: "input", score: 0.9)])
}

@Suite struct StoreTests {
    @Test(arguments: TestBackend.available)
    func keysAreStoredAsHashesAndRevocationBumpsTheGeneration(_ backend: TestBackend) async throws {
        try await withTemporaryStore(backend) { store, path in
            let g0 = try await store.keys.generation()
            let (key, record) = APIKeyFormat.generate(tenant: "acme", routes: ["chat", "embed"], scope: .client, label: "ci")
            try await store.keys.insert(record)
            let g1 = try await store.keys.generation()
            #expect(g1 > g0)
            let loaded = try #require(try await store.keys.find(id: record.id))
            #expect(loaded.routes == ["chat", "embed"])
            #expect(loaded.label == "ci")
            #expect(!loaded.isRevoked)
            // The key itself is nowhere in the store: not in the SQLite file, not in any column.
            if let path = path.sqlitePath {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                let wal = (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
                #expect(bytes.range(of: Data(key.utf8)) == nil && wal.range(of: Data(key.utf8)) == nil)
            }
            let columns = try await store.writeDBForTesting.raw("SELECT id, tenant, routes, scope, hash, label FROM api_keys").all()
            for row in columns {
                for column in ["id", "tenant", "routes", "scope", "hash", "label"] {
                    #expect(!(try row.decode(column: column, as: String?.self) ?? "").contains(key.split(separator: "_").last!))
                }
            }
            let revoked = try await store.keys.revoke(id: record.id)
            #expect(revoked.isRevoked)
            #expect(try await store.keys.generation() > g1)
            await #expect(throws: StoreError.self) { try await store.keys.revoke(id: "nosuchkey") }
        }
    }

    @Test(arguments: TestBackend.available)
    func decisionsRoundTripThroughTheWriter(_ backend: TestBackend) async throws {
        try await withTemporaryStore(backend) { store, _ in
            let writer = DecisionWriter(store: store)
            let runner = Task { try await writer.run() }
            let record = sampleRecord()
            let seq = try await writer.append(record)
            #expect(seq >= 1)
            var loaded = try #require(try await store.decisions.find(id: record.id))
            #expect(loaded.seq == seq)
            loaded.seq = nil
            // Times are stored in milliseconds.
            loaded.time = record.time
            var expected = record
            expected.time = record.time
            // A record about a subject gets a fresh 16-byte nonce for the ledger's commitment.
            #expect(loaded.subjectNonce?.count == 32 && loaded.subjectNonce.flatMap(Hex.decode) != nil)
            expected.subjectNonce = loaded.subjectNonce
            #expect(loaded == expected)
            await writer.stop()
            try await runner.value
        }
    }

    @Test(arguments: TestBackend.available)
    func groupCommitKeepsEveryRecordAndOrdersSeqs(_ backend: TestBackend) async throws {
        try await withTemporaryStore(backend) { store, _ in
            let writer = DecisionWriter(store: store, maxBatch: 64)
            let runner = Task { try await writer.run() }
            let seqs = try await withThrowingTaskGroup(of: Int64.self) { group in
                for i in 0..<500 { group.addTask { try await writer.append(sampleRecord(key: "k\(i % 7)")) } }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(Set(seqs).count == 500)
            #expect(try await store.decisions.count() == 500)
            await writer.stop()
            try await runner.value
            await #expect(throws: StoreError.self) { try await writer.append(sampleRecord()) }
        }
    }

    @Test(arguments: TestBackend.available)
    func stopCommitsWhatIsPending(_ backend: TestBackend) async throws {
        try await withTemporaryStore(backend) { store, _ in
            let writer = DecisionWriter(store: store)
            let runner = Task { try await writer.run() }
            for _ in 0..<50 { try await writer.enqueue(sampleRecord()) }
            await writer.stop()
            try await runner.value
            #expect(try await store.decisions.count() == 50)
        }
    }

    @Test(arguments: TestBackend.available)
    func recordsAreAppendOnly(_ backend: TestBackend) async throws {
        try await withTemporaryStore(backend) { store, _ in
            _ = try await store.decisions.append([sampleRecord()])
            await #expect(throws: (any Error).self) { try await store.writeDBForTesting.raw("UPDATE decisions SET status = 500").run() }
            await #expect(throws: (any Error).self) { try await store.writeDBForTesting.raw("DELETE FROM decisions").run() }
            #expect(try await store.decisions.count() == 1)
            // The one change allowed: unlinking the subject (retention, erasure) — and nothing else with it.
            await #expect(throws: (any Error).self) { try await store.writeDBForTesting.raw("UPDATE decisions SET subject = 'someone-else'").run() }
            await #expect(throws: (any Error).self) {
                try await store.writeDBForTesting.raw("UPDATE decisions SET subject = NULL, subject_nonce = NULL, status = 500").run()
            }
            await #expect(throws: (any Error).self) { try await store.writeDBForTesting.raw("UPDATE decisions SET subject = NULL").run() }
            #expect(try await store.decisions.unlink(subject: "subj-1") == 1)
            let unlinked = try await store.decisions.list(.init())[0]
            #expect(unlinked.subject == nil && unlinked.subjectNonce == nil && unlinked.status == 200)
        }
    }

    @Test(arguments: TestBackend.available)
    func listFiltersAndUsageTotals(_ backend: TestBackend) async throws {
        try await withTemporaryStore(backend) { store, _ in
            let now = Date()
            let yesterday = now.addingTimeInterval(-86_400 * 1.5)
            _ = try await store.decisions.append([
                sampleRecord(route: "chat", key: "k1", tokens: 10, at: now),
                sampleRecord(route: "chat", key: "k1", tokens: 5, at: now),
                sampleRecord(route: "chat", key: "k1", verdict: .refused, tokens: nil, at: now),
                sampleRecord(route: "embed", key: "k2", tokens: 7, at: now),
                sampleRecord(route: "chat", key: "k1", tokens: 100, at: yesterday),
            ])
            #expect(try await store.decisions.list(.init(route: "chat")).count == 4)
            #expect(try await store.decisions.list(.init(verdict: .refused)).count == 1)
            #expect(try await store.decisions.list(.init(since: now.addingTimeInterval(-60))).count == 4)
            #expect(try await store.decisions.list(.init(limit: 2)).count == 2)
            let newestFirst = try await store.decisions.list(.init())
            #expect(newestFirst.map { $0.seq! } == newestFirst.map { $0.seq! }.sorted(by: >))
            let usage = try await store.decisions.usage(since: RFC3339.startOfUTCDay(now))
            let chat = try #require(usage.first { $0.keyID == "k1" && $0.route == "chat" })
            #expect(chat.requests == 2 && chat.tokens == 15)
        }
    }

    @Test(arguments: TestBackend.available)
    func reopeningKeepsDataAndSchema(_ backend: TestBackend) async throws {
        try await withTemporaryStore(backend) { first, location in
            _ = try await first.decisions.append([sampleRecord()])
            var config = location.config
            config.synchronous = .full
            let second = try await Store.open(config, environment: [:])
            #expect(try await second.decisions.count() == 1)
            #expect(await second.ping())
            await second.close()
        }
    }

    /// Replicas opening a fresh database at the same moment migrate it once between them.
    @Test(arguments: TestBackend.available)
    func concurrentOpensMigrateOnce(_ backend: TestBackend) async throws {
        let location = try backend.makeLocation()
        let opened = await withTaskGroup(of: Result<Store, any Error>.self) { group in
            for _ in 0..<4 { group.addTask { do { return .success(try await location.open()) } catch { return .failure(error) } } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let stores = opened.compactMap { try? $0.get() }
        defer { Task { for store in stores { await store.close() } } }
        for case .failure(let error) in opened { Issue.record("a concurrent open failed: \(error)") }
        try #require(stores.count == 4)
        let versions = try await stores[0].writeDBForTesting.raw("SELECT COUNT(*) AS n FROM schema_migrations").first()?.decode(column: "n", as: Int.self)
        #expect(versions == Migrator.migrations.count)
    }

    /// Two stores on one database (two replicas): what one writes, the other reads.
    @Test(arguments: TestBackend.available)
    func twoReplicasShareKeysAndDecisions(_ backend: TestBackend) async throws {
        try await withTemporaryStore(backend) { a, location in
            let b = try await location.open()
            let (_, record) = APIKeyFormat.generate(tenant: "acme", routes: ["chat"], scope: .client, label: nil)
            let before = try await b.keys.generation()
            try await a.keys.insert(record)
            #expect(try await b.keys.generation() > before)
            #expect(try await b.keys.find(id: record.id)?.tenant == "acme")
            let seqsA = try await a.decisions.append((0..<10).map { _ in sampleRecord() })
            let seqsB = try await b.decisions.append((0..<10).map { _ in sampleRecord() })
            #expect(Set(seqsA + seqsB).count == 20)
            #expect(try await a.decisions.count() == 20)
            await b.close()
        }
    }

    /// One process at a time does a locked piece of work per store — and stores in other schemas (other deployments on
    /// the same database) are not held up by it.
    @Test(arguments: TestBackend.available)
    func exclusiveWorkIsPerStore(_ backend: TestBackend) async throws {
        try await withTemporaryStore(backend) { a, location in
            let sameStore = try await location.open()
            let other = try backend.makeLocation()
            defer { other.remove() }
            let otherStore = try await other.open()
            let result = try await a.exclusively(42) { () async throws -> [Int?] in
                let blocked = try await sameStore.exclusively(42) { 1 }
                let free = try await otherStore.exclusively(42) { 2 }
                return [blocked, free]
            }
            #expect(result == [nil, 2])
            #expect(try await sameStore.exclusively(42) { 3 } == 3, "released afterwards")
            await sameStore.close()
            await otherStore.close()
        }
    }

    @Test func postgresErrorsAreClearAndNeverShowThePassword() async throws {
        // Nothing listens on port 1: a clear error naming the server, without the password.
        do {
            _ = try await Store.openPostgres(url: "postgres://rampart:hunter2@127.0.0.1:1/rampart?tlsmode=disable")
            Issue.record("a server that is not there must not open")
        } catch let error as StoreError {
            #expect(error.code == "open_failed")
            #expect(error.message.contains("127.0.0.1:1") && !error.message.contains("hunter2"))
        }
        await #expect(throws: StoreError.self) { try await Store.openPostgres(url: "not a url") }
        await #expect(throws: StoreError.self) { try await Store.openPostgres(url: "postgres://r@127.0.0.1:1/x", schema: "Bad; DROP") }
        await #expect(throws: StoreError.self) {
            try await Store.open(StoreConfig(postgres: "postgres://r@127.0.0.1:1/x", postgresPasswordEnv: "RAMPART_NO_SUCH_VARIABLE"), environment: [:])
        }
    }

    @Test func openingSomethingElseFailsClearly() async throws {
        await #expect(throws: StoreError.self) { try await Store.openSQLite(path: "/nonexistent-folder/x/rampart.db") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("not-a-db").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        do {
            _ = try await Store.openSQLite(path: path)
            Issue.record("a file that is not SQLite must not open")
        } catch let error as StoreError {
            #expect(error.code == "open_failed")
            #expect(error.message.contains(path))
        }
    }
}
