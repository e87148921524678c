import Foundation
import RampartCore

/// Who a limit applies to: one API key on one route.
public struct LimitSubject: Hashable, Sendable {
    public var keyID: String
    public var route: String

    public init(keyID: String, route: String) {
        self.keyID = keyID
        self.route = route
    }
}

/// Whether a request may go on, and if not, when to try again.
public enum Admission: Sendable, Equatable {
    case admitted
    case refused(reason: Reason, retryAfterSeconds: Int)

    /// Which limit refused; the raw values are the refusal codes (and what the PostgreSQL admission function returns).
    public enum Reason: String, Sendable, Equatable {
        /// The token bucket is empty.
        case rateLimited = "rate_limited"
        case dailyRequestsExhausted = "daily_requests_exhausted"
        case dailyTokensExhausted = "daily_tokens_exhausted"
    }
}

/// Throttling and quotas per key and route — the guide's "throttling and monitoring model access" against
/// model theft and resource exhaustion.
///
/// One protocol so that a shared implementation (PostgreSQL, for several replicas) can replace the in-process
/// one without touching the gateway.
public protocol RateLimiter: Sendable {
    /// Admits or refuses one request now, counting it against the limits when admitted.
    func admit(_ subject: LimitSubject, limits: RouteLimits, now: Date) async throws -> Admission
    /// Adds the tokens an admitted request used to its daily total.
    func recordUsage(_ subject: LimitSubject, tokens: Int, now: Date) async throws
}
