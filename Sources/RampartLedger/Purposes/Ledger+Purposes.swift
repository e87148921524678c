import Foundation
import RampartCore
import RampartStore

extension Ledger {
    static let purposesLock: Int64 = 0x72_61_6d_70_5f_70_75_72

    /// The purposes as the ledger records them, by id: the latest `purpose.declared` or `purpose.retired` for each.
    public func recordedPurposes() async throws -> [RecordedPurpose] {
        var latest: [String: RecordedPurpose] = [:]
        var after: Int64 = -1
        while true {
            let rows = try await store.ledger.rows(kinds: ["purpose.declared", "purpose.retired"], after: after, limit: 10_000)
            for row in rows {
                guard case .object(let members)? = try? JSONValue.parse(Array(row.body.utf8)),
                      let id = members.first(where: { $0.key == "id" })?.value.stringValue else { continue }
                latest[id] = RecordedPurpose(id: id, state: row.kind == "purpose.declared" ? "declared" : "retired", entry: row.seq,
                                             time: RFC3339.format(Millis.date(row.timeMs)), declaration: row.body)
            }
            guard let last = rows.last, rows.count == 10_000 else { break }
            after = last.seq
        }
        return latest.values.sorted { $0.id < $1.id }
    }

    /// Records the declared purposes (guide: purpose specification — document each purpose and its lawful basis before
    /// data is used for it): a `purpose.declared` event for each purpose that is new or changed since the ledger last
    /// recorded it, and `purpose.retired` for one no longer declared. Returns the new entries (none when nothing
    /// changed). `rampart serve` does this at start; on PostgreSQL one replica at a time.
    @discardableResult
    public func recordPurposes(_ purposes: [PurposeConfig]) async throws -> [LedgerEntry] {
        try await store.exclusively(Self.purposesLock) { () async throws -> [LedgerEntry] in
            let recorded = Dictionary(uniqueKeysWithValues: try await self.recordedPurposes().map { ($0.id, $0) })
            var events: [LedgerEvent] = []
            for purpose in purposes {
                let body = try Self.canonical(PurposeBody(purpose))
                if let known = recorded[purpose.id], known.state == "declared", known.declaration == body { continue }
                events.append(LedgerEvent(kind: "purpose.declared", body: body))
            }
            for (id, known) in recorded.sorted(by: { $0.key < $1.key }) where known.state == "declared" && !purposes.contains(where: { $0.id == id }) {
                events.append(LedgerEvent(kind: "purpose.retired", body: #"{"id":\#(JSONValue.quote(id))}"#))
            }
            return events.isEmpty ? [] : try await self.append(events)
        } ?? []
    }
}
