import SQLiteNIO

/// Bulk reads of the ledger's rows on SQLite: `verify` reads every row of the log, and materializing one driver row
/// per entry (an array of column values, a `String` and a `ByteBuffer` each) cost it half its time. So SQLite itself
/// packs a page of entries into one text value — each entry a header of byte lengths, then its fields, then its
/// leaf hash in hex, concatenated in `seq` order (`group_concat(… ORDER BY seq)`) — and it is read back here in one
/// pass over the bytes: one driver value per page instead of six per entry. A page that does not read back (rows
/// changed behind the store's back into something the packing cannot carry) is read row by row instead, so `verify`
/// still reports what is wrong with it.
///
/// It stays inside the driver's own copy of SQLite on purpose: a second copy of SQLite in one process (the system
/// library, say) would release the driver's POSIX locks on the file whenever it closed its own descriptor — one of
/// the ways to corrupt a database that <https://www.sqlite.org/howtocorrupt.html> (§2.2.1) lists.
enum SQLiteLedgerReader {
    /// Rows of `ledger_entries` with `seq` in `range`, in order.
    static func rows(_ connection: SQLiteConnection, _ range: Range<Int64>) async throws -> [LedgerStore.Row] {
        guard !range.isEmpty else { return [] }
        // The subquery's order is the concatenation's (SQLite streams it through the index); the reader checks that
        // every seq follows the one before, and reads row by row if not. `group_concat(… ORDER BY …)` would sort instead.
        let packed = try await single(connection, """
            SELECT group_concat(entry, '') FROM (
                SELECT printf('%d %d %d %d %d %d ', seq, time_ms, length(CAST(kind AS BLOB)), ifnull(length(CAST(subject_ref AS BLOB)), -1),
                              length(CAST(body AS BLOB)), ifnull(length(leaf_hash), 0))
                       || kind || ifnull(subject_ref, '') || body || ifnull(hex(leaf_hash), '') AS entry
                FROM ledger_entries WHERE seq >= ?1 AND seq < ?2 ORDER BY seq)
            """, range)
        if let rows = unpackRows(packed, capacity: range.count) { return rows }
        return try await rowsOneByOne(connection, range)
    }

    /// The stored leaf hashes for `seq` in `range`, in order.
    static func leafHashes(_ connection: SQLiteConnection, _ range: Range<Int64>) async throws -> [[UInt8]] {
        guard !range.isEmpty else { return [] }
        let packed = try await single(connection, """
            SELECT group_concat(entry, ',') FROM (
                SELECT printf('%d ', seq) || hex(leaf_hash) AS entry FROM ledger_entries WHERE seq >= ?1 AND seq < ?2 ORDER BY seq)
            """, range)
        guard !packed.isEmpty else { return [] }
        var hashes: [[UInt8]] = []
        hashes.reserveCapacity(max(0, min(range.count, 1 << 20)))
        var expected = range.lowerBound
        for part in packed.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard let space = part.firstIndex(of: UInt8(ascii: " ")), Int64(String(decoding: part[..<space], as: UTF8.self)) == expected,
                  let bytes = hex(part[part.index(after: space)...]) else {
                return try await leafHashesOneByOne(connection, range)
            }
            hashes.append(bytes)
            expected += 1
        }
        return hashes
    }

    private static func leafHashesOneByOne(_ connection: SQLiteConnection, _ range: Range<Int64>) async throws -> [[UInt8]] {
        try await rowsOneByOne(connection, range).map(\.leafHash)
    }

    // MARK: Reading

    /// The one text value a packing query returns ("" for no rows).
    private static func single(_ connection: SQLiteConnection, _ sql: String, _ range: Range<Int64>) async throws -> String {
        let collector = Collector<String>(capacity: 1)
        try await connection.query(sql, [.integer(.init(range.lowerBound)), .integer(.init(range.upperBound))]) { row in
            collector.append(row.columns.first?.data.string ?? "")
        }
        return try collector.result().first ?? ""
    }

    /// The entries of a packed page, or nil when the text does not read back as the packing wrote it.
    static func unpackRows(_ packed: String, capacity: Int) -> [LedgerStore.Row]? {
        var packed = packed
        return packed.withUTF8 { bytes -> [LedgerStore.Row]? in
            var rows: [LedgerStore.Row] = []
            rows.reserveCapacity(max(0, min(capacity, 1 << 20)))
            var i = 0
            let n = bytes.count
            func number() -> Int64? {
                var negative = false
                if i < n, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
                var value: Int64 = 0
                var digits = 0
                while i < n, bytes[i] != UInt8(ascii: " ") {
                    let d = Int64(bytes[i]) - 48
                    guard d >= 0, d <= 9, digits < 19 else { return nil }
                    value = value * 10 + d
                    digits += 1
                    i += 1
                }
                guard digits > 0, i < n else { return nil }
                i += 1  // the space
                return negative ? -value : value
            }
            func text(_ count: Int64) -> String? {
                guard count >= 0, count <= n - i else { return nil }
                defer { i += Int(count) }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<(i + Int(count))]), as: UTF8.self)
            }
            var expected: Int64?
            while i < n {
                guard let seq = number(), expected == nil || seq == expected, let time = number(), let kindLength = number(), let subjectLength = number(),
                      let bodyLength = number(), let hashLength = number(),
                      let kind = text(kindLength) else { return nil }
                var subject: String?
                if subjectLength >= 0 {
                    guard let s = text(subjectLength) else { return nil }
                    subject = s
                }
                guard let body = text(bodyLength), hashLength >= 0, hashLength * 2 <= n - i,
                      let hash = hex(UnsafeBufferPointer(rebasing: bytes[i..<(i + Int(hashLength) * 2)])) else { return nil }
                i += Int(hashLength) * 2
                rows.append(LedgerStore.Row(seq: seq, timeMs: time, kind: kind, subjectRef: subject, body: body, leafHash: hash))
                expected = seq + 1
            }
            return rows
        }
    }

    /// Bytes of upper- or lower-case hex, or nil.
    static func hex<Bytes: Collection>(_ text: Bytes) -> [UInt8]? where Bytes.Element == UInt8 {
        guard text.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 65...70: c - 55
            case 97...102: c - 87
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2)
        var iterator = text.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = nibble(high), let l = nibble(low) else { return nil }
            out.append(h << 4 | l)
        }
        return out
    }

    /// Row by row through the driver, for a page that does not read back packed.
    private static func rowsOneByOne(_ connection: SQLiteConnection, _ range: Range<Int64>) async throws -> [LedgerStore.Row] {
        let collector = Collector<LedgerStore.Row>(capacity: range.count)
        try await connection.query(
            "SELECT seq, time_ms, kind, subject_ref, body, leaf_hash FROM ledger_entries WHERE seq >= ?1 AND seq < ?2 ORDER BY seq",
            [.integer(.init(range.lowerBound)), .integer(.init(range.upperBound))]
        ) { row in
            let c = row.columns
            guard c.count == 6 else { return collector.fail() }
            var hash: [UInt8] = []
            if case .blob(let buffer) = c[5].data { hash = Array(buffer.readableBytesView) }
            collector.append(LedgerStore.Row(
                seq: Int64(c[0].data.integer ?? -1), timeMs: Int64(c[1].data.integer ?? 0), kind: c[2].data.string ?? "",
                subjectRef: c[3].data.string, body: c[4].data.string ?? "", leafHash: hash))
        }
        return try collector.result()
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
