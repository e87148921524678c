import Foundation
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

    /// Appends up to ``maxAppend`` rows as one multi-row `INSERT` in autocommit: all of them or none. It shares the
    /// write connection with the decision writer, so it opens no transaction of its own (a `BEGIN` there would take
    /// in decision records written meanwhile); callers serialize appends and number the rows.
    public func append(_ rows: [Row]) async throws {
        guard !rows.isEmpty else { return }
        guard rows.count <= Self.maxAppend else {
            throw StoreError(code: "query_failed", message: "a ledger append takes at most \(Self.maxAppend) entries, got \(rows.count)")
        }
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
            _ = try await store.sqliteWriter.query(sql, binds)
        } catch {
            throw StoreError.wrap("query_failed", "could not append \(rows.count) ledger entr\(rows.count == 1 ? "y" : "ies")", error)
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

    /// Rows with `seq` in `range`, in order. Read straight from SQLite (a verify reads every row of the log).
    public func rows(_ range: Range<Int64>) async throws -> [Row] {
        let rows = Mutex<[Row]>([])
        var failure: String?
        do {
            try await store.sqliteReader.query("""
                SELECT seq, time_ms, kind, subject_ref, body, leaf_hash FROM ledger_entries WHERE seq >= ? AND seq < ? ORDER BY seq
                """, [.integer(Int(range.lowerBound)), .integer(Int(range.upperBound))]) { row in
                guard let seq = row.column("seq")?.integer, let time = row.column("time_ms")?.integer, let kind = row.column("kind")?.string,
                      let body = row.column("body")?.string, let hash = row.column("leaf_hash")?.blob else { return }
                let entry = Row(seq: Int64(seq), timeMs: Int64(time), kind: kind, subjectRef: row.column("subject_ref")?.string, body: body,
                                leafHash: hash.getBytes(at: hash.readerIndex, length: hash.readableBytes) ?? [])
                rows.withLock { $0.append(entry) }
            }
        } catch {
            failure = String(describing: error)
        }
        if let failure { throw StoreError(code: "query_failed", message: "could not read ledger entries \(range.lowerBound)..<\(range.upperBound): \(failure)") }
        return rows.withLock { $0 }
    }

    /// Every stored leaf hash, in `seq` order (32 bytes each) — to rebuild the tree for proofs.
    public func leafHashes(upTo size: Int64) async throws -> [[UInt8]] {
        let hashes = Mutex<[[UInt8]]>([])
        do {
            try await store.sqliteReader.query("SELECT leaf_hash FROM ledger_entries WHERE seq < ? ORDER BY seq", [.integer(Int(size))]) { row in
                guard let hash = row.column("leaf_hash")?.blob else { return }
                let bytes = hash.getBytes(at: hash.readerIndex, length: hash.readableBytes) ?? []
                hashes.withLock { $0.append(bytes) }
            }
        } catch {
            throw StoreError.wrap("query_failed", "could not read the ledger's leaf hashes", error)
        }
        return hashes.withLock { $0 }
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
            try await store.writeDB.raw("""
                INSERT INTO ledger_checkpoints (size, root, time_ms, note)
                VALUES (\(bind: checkpoint.size), \(bind: Data(checkpoint.root)), \(bind: checkpoint.timeMs), \(bind: checkpoint.note))
                """).run()
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
            try await store.writeDB.raw("""
                INSERT INTO ledger_subjects (subject_hash, subject_ref, seal_key, created_ms)
                VALUES (\(bind: subject.hash), \(bind: subject.ref), \(bind: Data(subject.sealKey)), \(bind: timeMs))
                ON CONFLICT (subject_hash) DO NOTHING
                """).run()
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
            try await store.writeDB.raw("DELETE FROM ledger_subjects WHERE subject_ref = \(bind: ref)").run()
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
