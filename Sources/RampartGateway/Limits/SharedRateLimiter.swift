import Foundation
import RampartCore
import RampartStore

/// The same token bucket and daily quotas as ``InMemoryRateLimiter``, kept in PostgreSQL so that every replica on the
/// database draws from one bucket per key and route: N replicas admit what one would, not N times as much.
public struct SharedRateLimiter: RateLimiter {
    let limits: LimitStore

    public init(store: Store) {
        self.limits = store.limits
    }

    static func bucket(_ subject: LimitSubject) -> String { "\(subject.route)\u{1F}\(subject.keyID)" }

    public func admit(_ subject: LimitSubject, limits: RouteLimits, now: Date) async throws -> Admission {
        if limits.isUnlimited { return .admitted }
        let outcome = try await self.limits.admit(
            key: Self.bucket(subject), nowMs: Millis.from(now), rate: limits.ratePerSecond, capacity: InMemoryRateLimiter.capacity(limits),
            requestsPerDay: limits.requestsPerDay, tokensPerDay: limits.tokensPerDay)
        return outcome.admitted ? .admitted : .refused(reason: outcome.reason.flatMap(Admission.Reason.init(rawValue:)) ?? .rateLimited, retryAfterSeconds: outcome.retryAfterSeconds)
    }

    public func recordUsage(_ subject: LimitSubject, tokens: Int, now: Date) async throws {
        guard tokens > 0 else { return }
        try await limits.recordUsage(key: Self.bucket(subject), tokens: tokens, nowMs: Millis.from(now))
    }
}
