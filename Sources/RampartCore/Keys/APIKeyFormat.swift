import Crypto
import Foundation

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
