import Foundation

/// The three outcomes of a request at the gateway.
public enum Verdict: String, Sendable, Codable, CaseIterable {
    /// Forwarded to the upstream, whose answer (success or its own error) was relayed.
    case allowed
    /// Stopped by Rampart: bad request, authentication, permission, limits.
    case refused
    /// Rampart could not complete it: upstream unreachable, timed out, or the client went away.
    case failed
}
