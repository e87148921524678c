import Foundation
import RampartCore
import SQLKit

/// API keys at rest: only their SHA-256 digests, never the keys themselves.
public struct KeyStore: Sendable {
    let store: Store

    /// Stores a new key and bumps the keys generation, so running gateways reload.
    public func insert(_ record: APIKeyRecord) async throws {
        do {
            try await store.transaction { db in
                try await db.raw("""
                    INSERT INTO api_keys (id, tenant, routes, scope, hash, label, created_at_ms, revoked_at_ms)
                    VALUES (\(bind: record.id), \(bind: record.tenant), \(bind: record.routes.joined(separator: ",")), \(bind: record.scope.rawValue),
                            \(bind: record.hash), \(bind: record.label), \(bind: Millis.from(record.createdAt)), \(bind: record.revokedAt.map(Millis.from)))
                    """).run()
                try await Self.bumpGeneration(db)
            }
        } catch {
            throw StoreError.wrap("query_failed", "could not store the key", error)
        }
    }

    /// Revokes key `id`. Returns the updated record; throws `not_found` for an unknown id.
    @discardableResult
    public func revoke(id: String, at date: Date = Date()) async throws -> APIKeyRecord {
        do {
            try await store.transaction { db in
                try await db.raw("UPDATE api_keys SET revoked_at_ms = \(bind: Millis.from(date)) WHERE id = \(bind: id) AND revoked_at_ms IS NULL").run()
                try await Self.bumpGeneration(db)
            }
        } catch {
            throw StoreError.wrap("query_failed", "could not revoke key \(id)", error)
        }
        guard let record = try await find(id: id) else {
            throw StoreError(code: "not_found", message: "no key with id \(id); `rampart keys list` shows the ids")
        }
        return record
    }

    public func find(id: String) async throws -> APIKeyRecord? {
        try await store.readDB.raw("SELECT * FROM api_keys WHERE id = \(bind: id)").first().map(Self.decode)
    }

    /// Every key, oldest first.
    public func all() async throws -> [APIKeyRecord] {
        do {
            return try await store.readDB.raw("SELECT * FROM api_keys ORDER BY created_at_ms, id").all().map(Self.decode)
        } catch {
            throw StoreError.wrap("query_failed", "could not read keys", error)
        }
    }

    /// A number that changes whenever any key is created or revoked.
    public func generation() async throws -> Int64 {
        let row = try await store.readDB.raw("SELECT value FROM store_meta WHERE name = 'keys_generation'").first()
        return try row?.decode(column: "value", as: Int64.self) ?? 0
    }

    private static func bumpGeneration(_ db: any SQLDatabase) async throws {
        try await db.raw("UPDATE store_meta SET value = value + 1 WHERE name = 'keys_generation'").run()
    }

    static func decode(_ row: any SQLRow) throws -> APIKeyRecord {
        let routes = try row.decode(column: "routes", as: String.self)
        return APIKeyRecord(
            id: try row.decode(column: "id", as: String.self),
            tenant: try row.decode(column: "tenant", as: String.self),
            routes: routes.isEmpty ? [] : routes.split(separator: ",").map(String.init),
            scope: KeyScope(rawValue: try row.decode(column: "scope", as: String.self)) ?? .client,
            hash: try row.decode(column: "hash", as: String.self),
            createdAt: Millis.date(try row.decode(column: "created_at_ms", as: Int64.self)),
            revokedAt: try row.decode(column: "revoked_at_ms", as: Int64?.self).map(Millis.date),
            label: try row.decode(column: "label", as: String?.self)
        )
    }
}
