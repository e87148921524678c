import Crypto
import Foundation

/// What an API key may do. Client keys call the public API; admin keys call the admin listener
/// (the admin API has its own listener and its own keys).
public enum KeyScope: String, Sendable, Codable, CaseIterable {
    case client
    case admin
}

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

/// Makes and checks API keys of the form `rk_<id>_<secret>`.
///
/// The id is 13 base32 characters (64 random bits) and the secret 52 (256 random bits), so a stored SHA-256
/// is enough (no slow KDF is needed for keys this long); verification compares digests in constant time.
public enum APIKeyFormat {
    public static let prefix = "rk_"

    /// A new key and the record to store for it. Print `key` once; it cannot be recovered.
    public static func generate(tenant: String, routes: [String], scope: KeyScope, label: String? = nil,
                                now: Date = Date()) -> (key: String, record: APIKeyRecord) {
        var rng = SystemRandomNumberGenerator()
        let id = Base32.encode((0..<8).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let secret = Base32.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let key = prefix + id + "_" + secret
        let record = APIKeyRecord(id: id, tenant: tenant, routes: routes, scope: scope, hash: digest(of: key), createdAt: now, label: label)
        return (key, record)
    }

    /// The id embedded in a presented key, or `nil` when it does not have the key's shape.
    public static func keyID(of presented: Substring) -> Substring? {
        guard presented.utf8.count == 3 + 13 + 1 + 52, presented.hasPrefix(prefix) else { return nil }
        let body = presented.dropFirst(3)
        let id = body.prefix(13)
        guard body.dropFirst(13).first == "_", id.utf8.allSatisfy(Base32.isDigit), body.dropFirst(14).utf8.allSatisfy(Base32.isDigit) else {
            return nil
        }
        return id
    }

    /// SHA-256 of a key, lowercase hex.
    public static func digest<S: StringProtocol>(of key: S) -> String {
        Hex.encode(SHA256.hash(data: Array(key.utf8)))
    }

    /// Whether `presented` is the key whose digest is stored, in time independent of where they differ.
    public static func matches<S: StringProtocol>(_ presented: S, storedHash: String) -> Bool {
        let computed = Array(digest(of: presented).utf8)
        let stored = Array(storedHash.utf8)
        return ConstantTime.equal(computed, stored)
    }
}

/// Comparison whose running time depends only on the lengths, not the contents.
public enum ConstantTime {
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

/// RFC 4648 base32, lowercase, without padding.
public enum Base32 {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var buffer: UInt32 = 0
        var bits = 0
        for b in bytes {
            buffer = buffer << 8 | UInt32(b)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func isDigit(_ c: UInt8) -> Bool { (97...122).contains(c) || (50...55).contains(c) }
}

/// SHA-256 helpers for request and response digests.
public enum Digest {
    public static func sha256Hex<D: DataProtocol>(_ data: D) -> String { Hex.encode(SHA256.hash(data: data)) }
}
