import Foundation
import PostgresNIO
import RampartCore
import SQLKit
import SQLiteNIO
import Synchronization

/// The ledger's rows at rest: entries (one per Merkle leaf) and signed checkpoints. Append-only; the meaning of the
/// rows — leaf encoding, tree, signatures — is `RampartLedger`'s.
public struct LedgerStore: Sendable {
    let store: Store

    /// One stored entry.
    public struct Row: Sendable, Equatable {
        public var seq: Int64
        public var timeMs: Int64
        public var kind: String
        public var subjectRef: String?
        public var body: String
        public var leafHash: [UInt8]

        public init(seq: Int64, timeMs: Int64, kind: String, subjectRef: String?, body: String, leafHash: [UInt8]) {
            self.seq = seq
            self.timeMs = timeMs
            self.kind = kind
            self.subjectRef = subjectRef
            self.body = body
            self.leafHash = leafHash
        }
    }

    public struct CheckpointRow: Sendable, Equatable {
        public var size: Int64
        public var root: [UInt8]
        public var timeMs: Int64
        public var note: String

        public init(size: Int64, root: [UInt8], timeMs: Int64, note: String) {
            self.size = size
            self.root = root
            self.timeMs = timeMs
            self.note = note
        }
    }

    static let columns = ["seq", "time_ms", "kind", "subject_ref", "body", "leaf_hash"]

    /// Most rows one append takes: one statement binds 6 values per row, under SQLite's 32,766.
    public static let maxAppend = 4_000

    /// Appends up to ``maxAppend`` rows as one multi-row `INSERT` in autocommit: all of them or none. On SQLite it
    /// shares the write connection with the decision writer (behind the store's write gate), so it opens no transaction
    /// of its own. Callers number the rows; a `seq` that another process took first fails the whole insert with
    /// `conflict`, and the caller catches up and renumbers.
    public func append(_ rows: [Row]) async throws {
        guard !rows.isEmpty else { return }
        guard rows.count <= Self.maxAppend else {
            throw StoreError(code: "query_failed", message: "a ledger append takes at most \(Self.maxAppend) entries, got \(rows.count)")
        }
        let what = "could not append \(rows.count) ledger entr\(rows.count == 1 ? "y" : "ies")"
        switch store.backend {
        case .sqlite(let writer, _):
            var binds: [SQLiteData] = []
            binds.reserveCapacity(rows.count * Self.columns.count)
            for row in rows {
                binds.append(.integer(Int(row.seq)))
                binds.append(.integer(Int(row.timeMs)))
                binds.append(.text(row.kind))
                binds.append(row.subjectRef.map { .text($0) } ?? .null)
                binds.append(.text(row.body))
                binds.append(.blob(ByteBuffer(bytes: row.leafHash)))
            }
            let sql = "INSERT INTO ledger_entries (\(Self.columns.joined(separator: ", "))) VALUES "
                + Array(repeating: "(?,?,?,?,?,?)", count: rows.count).joined(separator: ",")
            do {
                let values = binds
                _ = try await store.write { try await writer.query(sql, values) }
            } catch let error as SQLiteError where [.constraint, .constraintPrimaryKeyFailed, .constraintUniqueFailed].contains(error.reason) {
                throw StoreError(code: "conflict", message: "\(what): position \(rows[0].seq) is taken (another process appended)")
            } catch {
                throw StoreError.wrap("query_failed", what, error)
            }
        case .postgres(let client):
            var bindings = PostgresBindings(capacity: rows.count * Self.columns.count)
            var sql = "INSERT INTO ledger_entries (\(Self.columns.joined(separator: ", "))) VALUES "
            for (index, row) in rows.enumerated() {
                let base = index * Self.columns.count
                sql += (index == 0 ? "" : ",") + "($\(base + 1),$\(base + 2),$\(base + 3),$\(base + 4),$\(base + 5),$\(base + 6))"
                bindings.append(row.seq)
                bindings.append(row.timeMs)
                bindings.append(row.kind)
                bindings.append(row.subjectRef)
                bindings.append(row.body)
                bindings.append(ByteBuffer(bytes: row.leafHash))
            }
            do {
                try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings))
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                throw StoreError(code: "conflict", message: "\(what): position \(rows[0].seq) is taken (another replica appended)")
            } catch {
                throw StoreError.wrap("query_failed", what, error)
            }
        }
    }

    /// Number of rows and the highest `seq` (nil when empty).
    public func extent() async throws -> (count: Int64, maxSeq: Int64?) {
        do {
            let row = try await store.readDB.raw("SELECT COUNT(*) AS n, MAX(seq) AS top FROM ledger_entries").first()
            return (try row?.decode(column: "n", as: Int64.self) ?? 0, try row?.decode(column: "top", as: Int64?.self))
        } catch {
            throw StoreError.wrap("query_failed", "could not read the ledger's size", error)
        }
    }

    /// One past the highest `seq` (0 when empty): the size of the log as stored, by the primary key's index.
    public func nextSeq() async throws -> Int64 {
        do {
            let row = try await store.readDB.raw("SELECT MAX(seq) AS top FROM ledger_entries").first()
            return (try row?.decode(column: "top", as: Int64?.self)).flatMap { $0 }.map { $0 + 1 } ?? 0
        } catch {
            throw StoreError.wrap("query_failed", "could not read the ledger's size", error)
        }
    }

    /// Rows with `seq` in `range`, in order. Read without SQLKit's decoding (a verify reads every row of the log): on
    /// SQLite by column position from the driver's rows (``SQLiteLedgerReader``), on PostgreSQL with the driver's
    /// typed decoding.
    public func rows(_ range: Range<Int64>) async throws -> [Row] {
        let what = "could not read ledger entries \(range.lowerBound)..<\(range.upperBound)"
        switch store.backend {
        case .sqlite(_, let reader):
            do {
                return try await SQLiteLedgerReader.rows(reader, range)
            } catch {
                throw StoreError.wrap("query_failed", what, error)
            }
        case .postgres(let client):
            do {
                var out: [Row] = []
                out.reserveCapacity(Int(max(0, min(range.count, 1 << 20))))
                let sequence = try await client.query("""
                    SELECT seq, time_ms, kind, subject_ref, body, leaf_hash FROM ledger_entries
                    WHERE seq >= \(range.lowerBound) AND seq < \(range.upperBound) ORDER BY seq
                    """)
                for try await (seq, time, kind, subjectRef, body, hash) in sequence.decode((Int64, Int64, String, String?, String, ByteBuffer).self) {
                    out.append(Row(seq: seq, timeMs: time, kind: kind, subjectRef: subjectRef, body: body, leafHash: Array(hash.readableBytesView)))
                }
                return out
            } catch {
                throw StoreError.wrap("query_failed", what, error)
            }
        }
    }

    /// Stored leaf hashes for positions `from..<size`, in `seq` order (32 bytes each) — to rebuild the tree for
    /// proofs, or to catch up with entries another process appended.
    public func leafHashes(from start: Int64 = 0, upTo size: Int64) async throws -> [[UInt8]] {
        switch store.backend {
        case .sqlite(_, let reader):
            do {
                return try await SQLiteLedgerReader.leafHashes(reader, start..<max(start, size))
            } catch {
                throw StoreError.wrap("query_failed", "could not read the ledger's leaf hashes", error)
            }
        case .postgres(let client):
            do {
                var out: [[UInt8]] = []
                let sequence = try await client.query("SELECT leaf_hash FROM ledger_entries WHERE seq >= \(start) AND seq < \(size) ORDER BY seq")
                for try await hash in sequence.decode(ByteBuffer.self) { out.append(Array(hash.readableBytesView)) }
                return out
            } catch {
                throw StoreError.wrap("query_failed", "could not read the ledger's leaf hashes", error)
            }
        }
    }

    /// The body of the newest entry of `kind`, if any.
    public func lastBody(kind: String) async throws -> String? {
        do {
            return try await store.readDB.raw("SELECT body FROM ledger_entries WHERE kind = \(bind: kind) ORDER BY seq DESC LIMIT 1")
                .first()?.decode(column: "body", as: String.self)
        } catch {
            throw StoreError.wrap("query_failed", "could not read the ledger's last \(kind) entry", error)
        }
    }

    /// Rows about one subject (by the ledger's pseudonymous reference), in order.
    public func rows(subjectRef: String) async throws -> [Row] {
        do {
            return try await store.readDB.raw("""
                SELECT seq, time_ms, kind, subject_ref, body, leaf_hash FROM ledger_entries WHERE subject_ref = \(bind: subjectRef) ORDER BY seq
                """).all().map(Self.decode)
        } catch {
            throw StoreError.wrap("query_failed", "could not read the subject's ledger entries", error)
        }
    }

    static func decode(_ row: any SQLRow) throws -> Row {
        Row(seq: try row.decode(column: "seq", as: Int64.self), timeMs: try row.decode(column: "time_ms", as: Int64.self),
            kind: try row.decode(column: "kind", as: String.self), subjectRef: try row.decode(column: "subject_ref", as: String?.self),
            body: try row.decode(column: "body", as: String.self), leafHash: Array(try row.decode(column: "leaf_hash", as: Data.self)))
    }

    public func addCheckpoint(_ checkpoint: CheckpointRow) async throws {
        do {
            let db = store.writeDB
            try await store.write { try await db.raw("""
                INSERT INTO ledger_checkpoints (size, root, time_ms, note)
                VALUES (\(bind: checkpoint.size), \(bind: Data(checkpoint.root)), \(bind: checkpoint.timeMs), \(bind: checkpoint.note))
                ON CONFLICT (size) DO NOTHING
                """).run() }
        } catch {
            throw StoreError.wrap("query_failed", "could not store the checkpoint for size \(checkpoint.size)", error)
        }
    }

    /// Every checkpoint, smallest size first.
    public func checkpoints() async throws -> [CheckpointRow] {
        do {
            return try await store.readDB.raw("SELECT size, root, time_ms, note FROM ledger_checkpoints ORDER BY size").all().map {
                CheckpointRow(size: try $0.decode(column: "size", as: Int64.self), root: Array(try $0.decode(column: "root", as: Data.self)),
                              timeMs: try $0.decode(column: "time_ms", as: Int64.self), note: try $0.decode(column: "note", as: String.self))
            }
        } catch {
            throw StoreError.wrap("query_failed", "could not read the ledger's checkpoints", error)
        }
    }

    // MARK: Subjects

    public struct Subject: Sendable, Equatable {
        public var hash: String
        public var ref: String
        public var sealKey: [UInt8]

        public init(hash: String, ref: String, sealKey: [UInt8]) {
            self.hash = hash
            self.ref = ref
            self.sealKey = sealKey
        }
    }

    /// The subject with this lookup hash, if known (and not erased).
    public func subject(hash: String) async throws -> Subject? { try await subject(column: "subject_hash", hash) }

    /// The subject with this reference, if known (and not erased).
    public func subject(ref: String) async throws -> Subject? { try await subject(column: "subject_ref", ref) }

    private func subject(column: String, _ value: String) async throws -> Subject? {
        do {
            return try await store.readDB.raw("SELECT subject_hash, subject_ref, seal_key FROM ledger_subjects WHERE \(ident: column) = \(bind: value)")
                .first().map(Self.decodeSubject)
        } catch {
            throw StoreError.wrap("query_failed", "could not look up a ledger subject", error)
        }
    }

    /// Stores a new subject; if one with the same hash appeared meanwhile, returns that one instead.
    public func insertSubject(_ subject: Subject, at timeMs: Int64) async throws -> Subject {
        do {
            let db = store.writeDB
            try await store.write { try await db.raw("""
                INSERT INTO ledger_subjects (subject_hash, subject_ref, seal_key, created_ms)
                VALUES (\(bind: subject.hash), \(bind: subject.ref), \(bind: Data(subject.sealKey)), \(bind: timeMs))
                ON CONFLICT (subject_hash) DO NOTHING
                """).run() }
        } catch {
            throw StoreError.wrap("query_failed", "could not store a ledger subject", error)
        }
        guard let stored = try await self.subject(hash: subject.hash) else {
            throw StoreError(code: "query_failed", message: "a ledger subject was not stored")
        }
        return stored
    }

    /// Erases a subject: its lookup hash and seal key are deleted (crypto-shredding). Returns whether it existed.
    public func deleteSubject(ref: String) async throws -> Bool {
        do {
            let existed = try await self.subject(ref: ref) != nil
            let db = store.writeDB
            try await store.write { try await db.raw("DELETE FROM ledger_subjects WHERE subject_ref = \(bind: ref)").run() }
            return existed
        } catch {
            throw StoreError.wrap("query_failed", "could not erase a ledger subject", error)
        }
    }

    static func decodeSubject(_ row: any SQLRow) throws -> Subject {
        Subject(hash: try row.decode(column: "subject_hash", as: String.self), ref: try row.decode(column: "subject_ref", as: String.self),
                sealKey: Array(try row.decode(column: "seal_key", as: Data.self)))
    }

    /// Entries of the given kinds after position `after`, in order, at most `limit` (the consent book and the model
    /// states fold these).
    public func rows(kinds: [String], after: Int64, limit: Int = 10_000) async throws -> [Row] {
        guard !kinds.isEmpty else { return [] }
        do {
            var list = SQLQueryString("")
            for (index, kind) in kinds.enumerated() { list.appendInterpolation(raw: index == 0 ? "" : ", "); list.appendInterpolation(bind: kind) }
            return try await store.readDB.raw("""
                SELECT seq, time_ms, kind, subject_ref, body, leaf_hash FROM ledger_entries
                WHERE seq > \(bind: after) AND kind IN (\(list)) ORDER BY seq LIMIT \(bind: limit)
                """).all().map(Self.decode)
        } catch {
            throw StoreError.wrap("query_failed", "could not read ledger entries", error)
        }
    }
}
