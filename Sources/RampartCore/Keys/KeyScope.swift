import Crypto
import Foundation

/// What an API key may do. Client keys call the public API; admin keys call the admin listener
/// (the admin API has its own listener and its own keys).
public enum KeyScope: String, Sendable, Codable, CaseIterable {
    case client
    case admin
}
