import Foundation
import PostgresNIO
import RampartCore
import SQLKit
import SQLiteNIO
import Synchronization

/// Decision records at rest. Append-only: the schema refuses updates and deletes.
public struct DecisionStore: Sendable {
    let store: Store

    static let columns = [
        "id", "time_ms", "tenant", "key_id", "route", "model", "endpoint", "subject", "purpose", "status", "verdict", "reason",
        "stream", "upstream_latency_ms", "gateway_latency_ms", "prompt_tokens", "completion_tokens", "total_tokens",
        "usage_estimated", "request_sha256", "response_sha256", "findings", "subject_nonce",
    ]

    /// Appends `records` and returns their sequence numbers, in order.
    /// Each backend has its own hot path: one multi-row `INSERT … RETURNING` per chunk with values bound as they are.
    public func append(_ records: [DecisionRecord]) async throws -> [Int64] {
        guard !records.isEmpty else { return [] }
        let records = records.map(Self.withNonce)
        switch store.backend {
        case .sqlite(let writer, _):
            return try await store.write { try await appendSQLite(records, on: writer) }
        case .postgres(let client):
            return try await store.withDeadline("committing \(records.count) decision record(s)") { try await appendPostgres(records, on: client) }
        }
    }

    /// A record about a subject gets a fresh random nonce (16 bytes, hex) for the ledger's commitment to the subject.
    static func withNonce(_ record: DecisionRecord) -> DecisionRecord {
        guard record.subject != nil, record.subjectNonce == nil else { return record }
        var copy = record
        var random = SystemRandomNumberGenerator()
        let (a, b) = (random.next(), random.next())
        copy.subjectNonce = Hex.encode((0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? a : b) >> (8 * UInt64(i % 8))) })
        return copy
    }

    /// Advisory lock held by every decision insert on PostgreSQL: replicas insert one batch at a time, so `seq` order is
    /// commit order, and whoever sees `seq` N committed knows every smaller `seq` is committed or never will be (the
    /// ledger records decisions in `seq` order and must not skip one that commits late).
    static let insertLock: Int64 = 0x72_61_6d_70_5f_64_69_6e

    /// PostgreSQL: one transaction per batch under ``insertLock``; each chunk one multi-row `INSERT … RETURNING` (23
    /// binds per record, under the protocol's 65,535). All chunks commit together or none does.
    private func appendPostgres(_ records: [DecisionRecord], on client: PostgresClient) async throws -> [Int64] {
        let key = store.lockKey(Self.insertLock)
        return try await client.withConnection { connection in
            do {
                try await connection.query("BEGIN", logger: connection.logger)
                try await connection.query("SELECT pg_advisory_xact_lock(\(key))", logger: connection.logger)
                let seqs = try await insertPostgres(records, on: connection)
                try await connection.query("COMMIT", logger: connection.logger)
                return seqs
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: connection.logger)
                throw error
            }
        }
    }

    private func insertPostgres(_ records: [DecisionRecord], on connection: PostgresConnection) async throws -> [Int64] {
        try await Self.inChunks(records) { chunk in
            var bindings = PostgresBindings(capacity: chunk.count * Self.columns.count)
            var sql = Self.insertPrefix
            for (index, r) in chunk.enumerated() {
                let base = index * Self.columns.count
                sql += (index == 0 ? "(" : ",(") + (1...Self.columns.count).map { "$\(base + $0)" }.joined(separator: ",") + ")"
                bindings.append(r.id)
                bindings.append(Millis.from(r.time))
                bindings.append(r.tenant)
                bindings.append(r.keyID)
                bindings.append(r.route)
                bindings.append(r.model)
                bindings.append(r.endpoint)
                bindings.append(r.subject)
                bindings.append(r.purpose)
                bindings.append(Int32(r.status))
                bindings.append(r.verdict.rawValue)
                bindings.append(r.reason)
                bindings.append(Int32(r.stream ? 1 : 0))
                bindings.append(r.upstreamLatencyMs)
                bindings.append(r.gatewayLatencyMs)
                bindings.append(r.usage.map { Int64($0.promptTokens) })
                bindings.append(r.usage.map { Int64($0.completionTokens) })
                bindings.append(r.usage.map { Int64($0.totalTokens) })
                bindings.append(r.usage.map { Int32($0.estimated ? 1 : 0) })
                bindings.append(r.requestSHA256)
                bindings.append(r.responseSHA256)
                bindings.append(Self.findingsJSON(r.findings))
                bindings.append(r.subjectNonce)
            }
            sql += " RETURNING id, seq"
            var byID: [String: Int64] = [:]
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: connection.logger)
            for try await (id, seq) in rows.decode((String, Int64).self) { byID[id] = seq }
            return byID
        }
    }

    /// Inserts `records` in chunks of 500 with `insert` (one multi-row `INSERT … RETURNING id, seq` each, answering
    /// `seq` by id) and returns the sequence numbers in the records' order.
    private static func inChunks(_ records: [DecisionRecord],
                                 _ insert: (ArraySlice<DecisionRecord>) async throws -> [String: Int64]) async throws -> [Int64] {
        var seqs: [Int64] = []
        seqs.reserveCapacity(records.count)
        var start = 0
        while start < records.count {
            let chunk = records[start..<min(start + 500, records.count)]
            start += chunk.count
            let byID: [String: Int64]
            do {
                byID = try await insert(chunk)
            } catch {
                throw StoreError.wrap("query_failed", "could not append \(chunk.count) decision record(s)", error)
            }
            for record in chunk {
                guard let seq = byID[record.id] else {
                    throw StoreError(code: "query_failed", message: "the store did not return a sequence number for \(record.id)")
                }
                seqs.append(seq)
            }
        }
        return seqs
    }

    /// SQLite hot path: each chunk is one multi-row `INSERT … RETURNING` in autocommit mode — one statement, one
    /// trip to the SQLite thread, one WAL commit — with values bound as they are, without SQLKit's encoders.
    /// Chunks commit one after another; each record is independent, so a failure never leaves half a record.
    private func appendSQLite(_ records: [DecisionRecord], on connection: SQLiteConnection) async throws -> [Int64] {
        try await Self.inChunks(records) { chunk in
            var binds: [SQLiteData] = []
            binds.reserveCapacity(chunk.count * Self.columns.count)
            for record in chunk { Self.appendSQLiteBinds(record, to: &binds) }
            let rows = Mutex<[String: Int64]>([:])
            try await connection.query(Self.insertSQL(rows: chunk.count), binds) { row in
                if let id = row.column("id")?.string, let seq = row.column("seq")?.integer {
                    rows.withLock { $0[id] = Int64(seq) }
                }
            }
            return rows.withLock { $0 }
        }
    }

    private static let insertPrefix = "INSERT INTO decisions (\(columns.joined(separator: ", "))) VALUES "
    private static let rowPlaceholder = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
    private static let cachedInsertSQL: [String] = (0...64).map { n in
        insertPrefix + Array(repeating: rowPlaceholder, count: max(n, 1)).joined(separator: ",") + " RETURNING id, seq"
    }

    static func insertSQL(rows: Int) -> String {
        rows < cachedInsertSQL.count ? cachedInsertSQL[rows]
            : insertPrefix + Array(repeating: rowPlaceholder, count: rows).joined(separator: ",") + " RETURNING id, seq"
    }

    static func appendSQLiteBinds(_ r: DecisionRecord, to binds: inout [SQLiteData]) {
        func text(_ s: String?) -> SQLiteData { s.map { .text($0) } ?? .null }
        func int(_ i: Int?) -> SQLiteData { i.map { .integer($0) } ?? .null }
        func real(_ d: Double?) -> SQLiteData { d.map { .float($0) } ?? .null }
        binds.append(.text(r.id))
        binds.append(.integer(Int(Millis.from(r.time))))
        binds.append(text(r.tenant))
        binds.append(text(r.keyID))
        binds.append(text(r.route))
        binds.append(text(r.model))
        binds.append(.text(r.endpoint))
        binds.append(text(r.subject))
        binds.append(text(r.purpose))
        binds.append(.integer(r.status))
        binds.append(.text(r.verdict.rawValue))
        binds.append(text(r.reason))
        binds.append(.integer(r.stream ? 1 : 0))
        binds.append(real(r.upstreamLatencyMs))
        binds.append(.float(r.gatewayLatencyMs))
        binds.append(int(r.usage?.promptTokens))
        binds.append(int(r.usage?.completionTokens))
        binds.append(int(r.usage?.totalTokens))
        binds.append(int(r.usage.map { $0.estimated ? 1 : 0 }))
        binds.append(text(r.requestSHA256))
        binds.append(text(r.responseSHA256))
        binds.append(.text(findingsJSON(r.findings)))
        binds.append(text(r.subjectNonce))
    }

    static func findingsJSON(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "[]" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(findings)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    /// Filters for ``list(_:)``.
    public struct Query: Sendable {
        public var since: Date?
        public var until: Date?
        public var route: String?
        public var keyID: String?
        public var verdict: Verdict?
        public var subject: String?
        /// Most records returned, newest first. Default 100.
        public var limit: Int

        public init(since: Date? = nil, until: Date? = nil, route: String? = nil, keyID: String? = nil, verdict: Verdict? = nil,
                    subject: String? = nil, limit: Int = 100) {
            self.since = since
            self.until = until
            self.route = route
            self.keyID = keyID
            self.verdict = verdict
            self.subject = subject
            self.limit = limit
        }
    }

    /// Records matching `query`, newest first.
    public func list(_ query: Query) async throws -> [DecisionRecord] {
        do {
            var select = store.readDB.select().column("*").from("decisions")
            if let since = query.since { select = select.where("time_ms", .greaterThanOrEqual, Millis.from(since)) }
            if let until = query.until { select = select.where("time_ms", .lessThan, Millis.from(until)) }
            if let route = query.route { select = select.where("route", .equal, route) }
            if let keyID = query.keyID { select = select.where("key_id", .equal, keyID) }
            if let verdict = query.verdict { select = select.where("verdict", .equal, verdict.rawValue) }
            if let subject = query.subject { select = select.where("subject", .equal, subject) }
            return try await select.orderBy("seq", .descending).limit(max(0, query.limit)).all().map(Self.decode)
        } catch {
            throw StoreError.wrap("query_failed", "could not read decision records", error)
        }
    }

    /// Records with `seq` in `after+1 ... upTo`, oldest first, at most `limit` — for the ledger's decision events.
    public func records(after: Int64, upTo: Int64, limit: Int) async throws -> [DecisionRecord] {
        do {
            return try await store.readDB.raw("""
                SELECT * FROM decisions WHERE seq > \(bind: after) AND seq <= \(bind: upTo) ORDER BY seq LIMIT \(bind: limit)
                """).all().map(Self.decode)
        } catch {
            throw StoreError.wrap("query_failed", "could not read decision records", error)
        }
    }

    /// A decision record as the ledger records it: the stored columns, findings as their stored JSON.
    public struct LedgerView: Sendable, Equatable {
        public var seq: Int64
        public var id: String
        public var timeMs: Int64
        public var tenant: String?
        public var keyID: String?
        public var route: String?
        public var model: String?
        public var endpoint: String
        public var subject: String?
        public var subjectNonce: String?
        public var purpose: String?
        public var status: Int
        public var verdict: String
        public var reason: String?
        public var stream: Bool
        public var usage: TokenUsage?
        public var requestSHA256: String?
        public var responseSHA256: String?
        public var findingsJSON: String

        public init(_ r: DecisionRecord) {
            seq = r.seq ?? 0
            id = r.id
            timeMs = Millis.from(r.time)
            tenant = r.tenant
            keyID = r.keyID
            route = r.route
            model = r.model
            endpoint = r.endpoint
            subject = r.subject
            subjectNonce = r.subjectNonce
            purpose = r.purpose
            status = r.status
            verdict = r.verdict.rawValue
            reason = r.reason
            stream = r.stream
            usage = r.usage
            requestSHA256 = r.requestSHA256
            responseSHA256 = r.responseSHA256
            findingsJSON = DecisionStore.findingsJSON(r.findings)
        }
    }

    /// Records with `seq` in `after+1 ... upTo`, oldest first, at most `limit`, as the ledger records them. On SQLite
    /// read straight from the driver (the gateway's ledger keeper reads every record once).
    public func ledgerViews(after: Int64, upTo: Int64, limit: Int) async throws -> [LedgerView] {
        guard case .sqlite(_, let reader) = store.backend else {
            return try await records(after: after, upTo: upTo, limit: limit).map(LedgerView.init)
        }
        let views = Mutex<[LedgerView]>([])
        let broken = Mutex<Int?>(nil)
        var failure: String?
        do {
            try await reader.query("""
                SELECT seq, id, time_ms, tenant, key_id, route, model, endpoint, subject, subject_nonce, purpose, status, verdict, reason, stream,
                       prompt_tokens, completion_tokens, total_tokens, usage_estimated, request_sha256, response_sha256, findings
                FROM decisions WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?
                """, [.integer(Int(after)), .integer(Int(upTo)), .integer(limit)]) { row in
                func text(_ name: String) -> String? { row.column(name)?.string }
                func int(_ name: String) -> Int? { row.column(name)?.integer }
                guard let seq = int("seq"), let id = text("id"), let time = int("time_ms"), let endpoint = text("endpoint"), let status = int("status"),
                      let verdict = text("verdict") else {
                    broken.withLock { $0 = $0 ?? row.column("seq")?.integer ?? -1 }
                    return
                }
                var view = LedgerView(DecisionRecord(id: id, time: Date(timeIntervalSince1970: 0), endpoint: endpoint, status: status, verdict: .allowed))
                view.seq = Int64(seq)
                view.timeMs = Int64(time)
                view.tenant = text("tenant")
                view.keyID = text("key_id")
                view.route = text("route")
                view.model = text("model")
                view.subject = text("subject")
                view.subjectNonce = text("subject_nonce")
                view.purpose = text("purpose")
                view.verdict = verdict
                view.reason = text("reason")
                view.stream = int("stream") == 1
                if let total = int("total_tokens") {
                    view.usage = TokenUsage(promptTokens: int("prompt_tokens") ?? 0, completionTokens: int("completion_tokens") ?? 0, totalTokens: total,
                                            estimated: int("usage_estimated") == 1)
                }
                view.requestSHA256 = text("request_sha256")
                view.responseSHA256 = text("response_sha256")
                view.findingsJSON = text("findings") ?? "[]"
                views.withLock { $0.append(view) }
            }
        } catch {
            failure = String(describing: error)
        }
        if let failure { throw StoreError(code: "query_failed", message: "could not read decision records: \(failure)") }
        if let seq = broken.withLock({ $0 }) {
            throw StoreError(code: "query_failed", message: "decision record \(seq) lacks a required column; the decisions table was changed outside Rampart")
        }
        return views.withLock { $0 }
    }

    /// The highest `seq` (0 when there are none).
    public func maxSeq() async throws -> Int64 {
        do {
            let row = try await store.readDB.raw("SELECT MAX(seq) AS top FROM decisions").first()
            return (try row?.decode(column: "top", as: Int64?.self)).flatMap { $0 } ?? 0
        } catch {
            throw StoreError.wrap("query_failed", "could not read the decision records' extent", error)
        }
    }

    /// Unlinks every record about `subject` (erasure): clears the subject and its nonce. Returns how many.
    public func unlink(subject: String) async throws -> Int {
        try await unlink(where: "subject = \(bind: subject)", what: "the subject's decision records")
    }

    /// Unlinks the records for `purpose` older than `before` (retention). Returns how many.
    public func unlink(purpose: String, before: Date) async throws -> Int {
        try await unlink(where: "purpose = \(bind: purpose) AND time_ms < \(bind: Millis.from(before)) AND subject IS NOT NULL",
                         what: "decision records past retention")
    }

    private func unlink(where condition: SQLQueryString, what: String) async throws -> Int {
        let db = store.writeDB
        let statement: SQLQueryString = "UPDATE decisions SET subject = NULL, subject_nonce = NULL WHERE " + condition + " RETURNING seq"
        do {
            return try await store.write { try await db.raw(statement).all().count }
        } catch {
            throw StoreError.wrap("query_failed", "could not unlink \(what)", error)
        }
    }

    /// The record with this id.
    public func find(id: String) async throws -> DecisionRecord? {
        do {
            return try await store.readDB.raw("SELECT * FROM decisions WHERE id = \(bind: id)").first().map(Self.decode)
        } catch {
            throw StoreError.wrap("query_failed", "could not read decision \(id)", error)
        }
    }

    /// How many records there are.
    public func count() async throws -> Int {
        try await store.readDB.raw("SELECT COUNT(*) AS n FROM decisions").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Requests admitted (not refused) and tokens used per key and route since `start` — to restore daily quotas
    /// after a restart, so that restarting the gateway never resets a quota.
    public func usage(since start: Date) async throws -> [UsageTotal] {
        let rows = try await store.readDB.raw("""
            SELECT key_id, route, COUNT(*) AS requests, CAST(COALESCE(SUM(total_tokens), 0) AS BIGINT) AS tokens
            FROM decisions
            WHERE time_ms >= \(bind: Millis.from(start)) AND verdict <> 'refused' AND key_id IS NOT NULL AND route IS NOT NULL
            GROUP BY key_id, route
            """).all()
        return try rows.map {
            UsageTotal(keyID: try $0.decode(column: "key_id", as: String.self), route: try $0.decode(column: "route", as: String.self),
                       requests: try $0.decode(column: "requests", as: Int.self), tokens: try $0.decode(column: "tokens", as: Int.self))
        }
    }

    static func decode(_ row: any SQLRow) throws -> DecisionRecord {
        let findingsText = try row.decode(column: "findings", as: String.self)
        let findings = (try? JSONDecoder().decode([Finding].self, from: Data(findingsText.utf8))) ?? []
        var usage: TokenUsage?
        if let total = try row.decode(column: "total_tokens", as: Int?.self) {
            usage = TokenUsage(
                promptTokens: try row.decode(column: "prompt_tokens", as: Int?.self) ?? 0,
                completionTokens: try row.decode(column: "completion_tokens", as: Int?.self) ?? 0,
                totalTokens: total, estimated: (try row.decode(column: "usage_estimated", as: Int?.self) ?? 0) != 0)
        }
        return DecisionRecord(
            id: try row.decode(column: "id", as: String.self),
            seq: try row.decode(column: "seq", as: Int64.self),
            time: Millis.date(try row.decode(column: "time_ms", as: Int64.self)),
            tenant: try row.decode(column: "tenant", as: String?.self),
            keyID: try row.decode(column: "key_id", as: String?.self),
            route: try row.decode(column: "route", as: String?.self),
            model: try row.decode(column: "model", as: String?.self),
            endpoint: try row.decode(column: "endpoint", as: String.self),
            subject: try row.decode(column: "subject", as: String?.self),
            purpose: try row.decode(column: "purpose", as: String?.self),
            status: try row.decode(column: "status", as: Int.self),
            verdict: Verdict(rawValue: try row.decode(column: "verdict", as: String.self)) ?? .failed,
            reason: try row.decode(column: "reason", as: String?.self),
            stream: (try row.decode(column: "stream", as: Int.self)) != 0,
            upstreamLatencyMs: try row.decode(column: "upstream_latency_ms", as: Double?.self),
            gatewayLatencyMs: try row.decode(column: "gateway_latency_ms", as: Double.self),
            usage: usage,
            requestSHA256: try row.decode(column: "request_sha256", as: String?.self),
            responseSHA256: try row.decode(column: "response_sha256", as: String?.self),
            findings: findings,
            subjectNonce: try row.decode(column: "subject_nonce", as: String?.self)
        )
    }
}
