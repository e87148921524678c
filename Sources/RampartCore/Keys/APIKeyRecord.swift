import Crypto
import Foundation

/// A stored API key. The secret itself is never stored: only its SHA-256.
public struct APIKeyRecord: Sendable, Equatable, Codable {
    /// Public identifier, also embedded in the key (`rk_<id>_<secret>`), safe to log.
    public var id: String
    public var tenant: String
    /// Route names the key may call; `["*"]` means every route.
    public var routes: [String]
    public var scope: KeyScope
    /// SHA-256 of the whole key string, lowercase hex.
    public var hash: String
    public var createdAt: Date
    public var revokedAt: Date?
    public var label: String?

    public init(id: String, tenant: String, routes: [String], scope: KeyScope, hash: String, createdAt: Date,
                revokedAt: Date? = nil, label: String? = nil) {
        self.id = id
        self.tenant = tenant
        self.routes = routes
        self.scope = scope
        self.hash = hash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.label = label
    }

    public var isRevoked: Bool { revokedAt != nil }

    public func mayUse(route: String) -> Bool {
        scope == .client && (routes.contains("*") || routes.contains(route))
    }

    enum CodingKeys: String, CodingKey {
        case id, tenant, routes, scope, hash, label
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }
}
