import SQLiteNIO

/// Bulk reads of the ledger's rows on SQLite through SQLiteNIO's row callback, by column position: `verify` reads
/// every row of the log, and SQLKit's decoding (a column looked up by name, then decoded, per value) cost it most of
/// its time. (Measured with bench/ledger/run.sh, 1 M entries, one core: 2.33 s, against 1.49 s for a reader on the
/// driver's private C symbols, which a versioned dependency must not call. Having SQLite pack a page into one text
/// value read back in one pass was tried and was slower: 2.48 s, the proofs' leaf reads 1.8 s against 1.07 s.) The rows come from the store's read connection on NIO's blocking-I/O thread pool, so no event loop or
/// cooperative thread waits on the disk.
///
/// It stays inside the driver's own copy of SQLite on purpose: a second copy of SQLite in one process (the system
/// library, say) would release the driver's POSIX locks on the file whenever it closed its own descriptor — one of
/// the ways to corrupt a database that <https://www.sqlite.org/howtocorrupt.html> (§2.2.1) lists.
enum SQLiteLedgerReader {
    /// Rows of `ledger_entries` with `seq` in `range`, in order.
    static func rows(_ connection: SQLiteConnection, _ range: Range<Int64>) async throws -> [LedgerStore.Row] {
        let collector = Collector<LedgerStore.Row>(capacity: range.count)
        try await connection.query(
            "SELECT seq, time_ms, kind, subject_ref, body, leaf_hash FROM ledger_entries WHERE seq >= ?1 AND seq < ?2 ORDER BY seq",
            [.integer(.init(range.lowerBound)), .integer(.init(range.upperBound))]
        ) { row in
            let c = row.columns
            guard c.count == 6 else { return collector.fail() }
            collector.append(LedgerStore.Row(
                seq: Int64(c[0].data.integer ?? -1), timeMs: Int64(c[1].data.integer ?? 0), kind: c[2].data.string ?? "",
                subjectRef: c[3].data.string, body: c[4].data.string ?? "", leafHash: bytes(c[5].data)))
        }
        return try collector.result()
    }

    /// The stored leaf hashes for `seq` in `range`, in order.
    static func leafHashes(_ connection: SQLiteConnection, _ range: Range<Int64>) async throws -> [[UInt8]] {
        let collector = Collector<[UInt8]>(capacity: range.count)
        try await connection.query(
            "SELECT leaf_hash FROM ledger_entries WHERE seq >= ?1 AND seq < ?2 ORDER BY seq",
            [.integer(.init(range.lowerBound)), .integer(.init(range.upperBound))]
        ) { row in
            guard let first = row.columns.first else { return collector.fail() }
            collector.append(bytes(first.data))
        }
        return try collector.result()
    }

    private static func bytes(_ data: SQLiteData) -> [UInt8] {
        if case .blob(let buffer) = data { return Array(buffer.readableBytesView) }
        return []
    }

    /// Gathers the rows the driver hands over one by one, on its thread-pool thread, until the query returns.
    private final class Collector<Element>: @unchecked Sendable {
        // Only the one thread running the query touches these, and only until `query` returns.
        private var items: [Element] = []
        private var malformed = false

        init(capacity: Int) { items.reserveCapacity(max(0, min(capacity, 1 << 20))) }
        func append(_ item: Element) { items.append(item) }
        func fail() { malformed = true }

        func result() throws -> [Element] {
            guard !malformed else { throw Failure(description: "a ledger row did not have the expected columns") }
            return items
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}
