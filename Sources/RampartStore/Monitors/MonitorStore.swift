import Foundation
import RampartCore
import SQLKit

/// The classifier routes' monitor state at rest (schema step 6): one row per route, client and detector, holding the
/// detector's encoded state. Written in batches by the gateway, read once at start.
public struct MonitorStore: Sendable {
    let store: Store

    public struct Row: Sendable, Equatable {
        public var route: String
        public var client: String
        public var detector: String
        public var state: String

        public init(route: String, client: String, detector: String, state: String) {
            self.route = route
            self.client = client
            self.detector = detector
            self.state = state
        }
    }

    /// Inserts or replaces `rows` in one transaction.
    public func save(_ rows: [Row], at date: Date = Date()) async throws {
        guard !rows.isEmpty else { return }
        let now = Millis.from(date)
        do {
            try await store.transaction { db in
                for row in rows {
                    try await db.raw("""
                        INSERT INTO monitor_states (route, client, detector, state, updated_at_ms)
                        VALUES (\(bind: row.route), \(bind: row.client), \(bind: row.detector), \(bind: row.state), \(bind: now))
                        ON CONFLICT (route, client, detector) DO UPDATE SET state = excluded.state, updated_at_ms = excluded.updated_at_ms
                        """).run()
                }
            }
        } catch {
            throw StoreError.wrap("query_failed", "could not store the monitors' state", error)
        }
    }

    /// Deletes the rows of clients the gateway has forgotten.
    public func delete(route: String, clients: [String]) async throws {
        guard !clients.isEmpty else { return }
        do {
            try await store.transaction { db in
                for chunk in stride(from: 0, to: clients.count, by: 200).map({ Array(clients[$0..<min($0 + 200, clients.count)]) }) {
                    try await db.raw("DELETE FROM monitor_states WHERE route = \(bind: route) AND client IN (\(binds: chunk))").run()
                }
            }
        } catch {
            throw StoreError.wrap("query_failed", "could not delete forgotten monitor state", error)
        }
    }

    /// Every client's state for `route`, most recently updated last.
    public func load(route: String) async throws -> [Row] {
        do {
            return try await store.readDB.raw("SELECT client, detector, state FROM monitor_states WHERE route = \(bind: route) ORDER BY updated_at_ms, client")
                .all().map { row in
                    Row(route: route, client: try row.decode(column: "client", as: String.self), detector: try row.decode(column: "detector", as: String.self),
                        state: try row.decode(column: "state", as: String.self))
                }
        } catch {
            throw StoreError.wrap("query_failed", "could not read the monitors' state", error)
        }
    }
}
