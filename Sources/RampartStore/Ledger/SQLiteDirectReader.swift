import Foundation
import NIOPosix
import VaporCSQLite

/// Bulk reads of the ledger's rows through SQLite's C API, without the driver's per-row objects (an array of values,
/// a `String` and a `ByteBuffer` per column): `verify` reads every row of the log, and on SQLiteNIO's rows about 60 %
/// of its time went to materializing them. Each read opens its own read-only connection (WAL lets it read beside the
/// writer) on NIO's blocking-I/O thread pool, so no event loop or cooperative thread waits on the disk.
///
/// The C symbols are those of the SQLite copy sqlite-nio builds (`sqlite_nio_sqlite3_*`), so this reads the same
/// library version the rest of the store uses.
enum SQLiteDirectReader {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Rows of `ledger_entries` with `seq` in `range`, in order.
    static func rows(path: String, _ range: Range<Int64>) async throws -> [LedgerStore.Row] {
        try await NIOThreadPool.singleton.runIfActive {
            try query(path: path, "SELECT seq, time_ms, kind, subject_ref, body, leaf_hash FROM ledger_entries WHERE seq >= ?1 AND seq < ?2 ORDER BY seq",
                      range.lowerBound, range.upperBound, capacity: range.count) { statement in
                LedgerStore.Row(seq: sqlite_nio_sqlite3_column_int64(statement, 0), timeMs: sqlite_nio_sqlite3_column_int64(statement, 1),
                                kind: text(statement, 2) ?? "", subjectRef: text(statement, 3), body: text(statement, 4) ?? "",
                                leafHash: blob(statement, 5))
            }
        }
    }

    /// The stored leaf hashes for `seq` in `range`, in order.
    static func leafHashes(path: String, _ range: Range<Int64>) async throws -> [[UInt8]] {
        try await NIOThreadPool.singleton.runIfActive {
            try query(path: path, "SELECT leaf_hash FROM ledger_entries WHERE seq >= ?1 AND seq < ?2 ORDER BY seq", range.lowerBound, range.upperBound,
                      capacity: range.count) { statement in blob(statement, 0) }
        }
    }

    private static func query<T>(path: String, _ sql: String, _ low: Int64, _ high: Int64, capacity: Int,
                                 _ row: (OpaquePointer) -> T) throws -> [T] {
        var db: OpaquePointer?
        guard sqlite_nio_sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite_nio_sqlite3_close(db)
            throw Failure(description: "cannot open \(path) to read: \(message)")
        }
        defer { sqlite_nio_sqlite3_close(db) }
        sqlite_nio_sqlite3_busy_timeout(db, 5_000)
        var statement: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(description: "cannot read \(path): \(String(cString: sqlite_nio_sqlite3_errmsg(db)))")
        }
        defer { sqlite_nio_sqlite3_finalize(statement) }
        sqlite_nio_sqlite3_bind_int64(statement, 1, low)
        sqlite_nio_sqlite3_bind_int64(statement, 2, high)
        var out: [T] = []
        out.reserveCapacity(max(0, min(capacity, 1 << 20)))
        while true {
            let step = sqlite_nio_sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw Failure(description: "cannot read \(path): \(String(cString: sqlite_nio_sqlite3_errmsg(db)))") }
            out.append(row(statement))
        }
        return out
    }

    private static func text(_ statement: OpaquePointer, _ column: Int32) -> String? {
        guard sqlite_nio_sqlite3_column_type(statement, column) != SQLITE_NULL, let bytes = sqlite_nio_sqlite3_column_text(statement, column) else {
            return nil
        }
        let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    private static func blob(_ statement: OpaquePointer, _ column: Int32) -> [UInt8] {
        guard let bytes = sqlite_nio_sqlite3_column_blob(statement, column) else { return [] }
        let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}
