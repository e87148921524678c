import Crypto
import Foundation

/// SHA-256 helpers for request and response digests.
public enum Digest {
    public static func sha256Hex<D: DataProtocol>(_ data: D) -> String { Hex.encode(SHA256.hash(data: data)) }
}
