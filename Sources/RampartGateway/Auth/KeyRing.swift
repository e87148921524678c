import Foundation
import Logging
import RampartCore
import RampartLedger
import RampartStore
import ServiceLifecycle
import Synchronization

/// The API keys a running gateway accepts, held in memory and reloaded from the store whenever its keys
/// generation changes (so `rampart keys revoke` in another process takes effect within `key_refresh_seconds`).
public final class KeyRing: Sendable {
    private let keys = Mutex<[String: APIKeyRecord]>([:])
    private let generation = Mutex<Int64>(-1)

    public init() {}

    /// Replaces the keys held.
    public func load(_ records: [APIKeyRecord]) {
        var byID: [String: APIKeyRecord] = [:]
        for record in records where !record.isRevoked { byID[record.id] = record }
        keys.withLock { $0 = byID }
    }

    /// Reloads from `store` if any key changed since the last load.
    public func refresh(from store: Store) async throws {
        let current = try await store.keys.generation()
        guard current != generation.withLock({ $0 }) else { return }
        load(try await store.keys.all())
        generation.withLock { $0 = current }
    }

    /// The key presented in an `Authorization: Bearer rk_…` header, or why it was refused.
    /// The digest comparison is constant-time; the lookup by the key's public id leaks nothing secret.
    public func authenticate(authorization: String?, scope: KeyScope) -> Result<APIKeyRecord, GatewayRefusal> {
        guard let authorization, !authorization.isEmpty else {
            return .failure(.init(.missingAPIKey, "no API key: send `Authorization: Bearer rk_…` (create one with `rampart keys create`)"))
        }
        let scheme = authorization.utf8.prefix(7)
        guard scheme.count == 7, scheme.elementsEqual("bearer ".utf8, by: { ($0 | 0x20) == $1 }) else {
            return .failure(.init(.invalidAPIKey, "the Authorization header must be `Bearer rk_…`"))
        }
        var presented = Substring(authorization.dropFirst(7))
        while presented.first == " " { presented = presented.dropFirst() }
        while presented.last == " " { presented = presented.dropLast() }
        let invalid = GatewayRefusal(.invalidAPIKey, "the API key is not valid (unknown, revoked or mistyped)")
        guard let id = APIKeyFormat.keyID(of: presented), let record = keys.withLock({ $0[String(id)] }) else {
            return .failure(invalid)
        }
        guard APIKeyFormat.matches(presented, storedHash: record.hash) else { return .failure(invalid) }
        guard record.scope == scope else {
            return .failure(.init(.wrongKeyScope, "this is \(record.scope == .admin ? "an admin" : "a client") key; the \(scope == .admin ? "admin listener needs an admin key" : "public API needs a client key")"))
        }
        return .success(record)
    }
}
