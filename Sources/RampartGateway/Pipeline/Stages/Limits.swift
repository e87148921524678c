import Foundation
import RampartCore

extension RequestPipeline {
    /// Stage 4, throttling: the route's token bucket and daily quotas for this key (`rows` counts against a classifier
    /// route's `tokens_per_day`, checked as the request's size) — the guide's "throttling and monitoring model access".
    /// Fails closed when the limits cannot be checked.
    func admit(route: RouteConfig, keyID: String, rows: Int = 0) async throws(GatewayRefusal) {
        let subject = LimitSubject(keyID: keyID, route: route.name)
        let admission: Admission
        do {
            admission = try await limiter.admit(subject, limits: route.limits, now: Date())
        } catch {
            // Fail closed: a request the limits cannot be checked for is not served (the shared limits live in
            // PostgreSQL; a replica that cannot reach it must not serve unthrottled).
            logger.error("could not check the rate limits; refusing", metadata: ["route": "\(route.name)", "error": "\(error)"])
            throw GatewayRefusal(.limitsUnavailable, "the rate limits cannot be checked right now; retry shortly", retryAfter: 1)
        }
        if case .refused(let reason, let retryAfter) = admission {
            switch reason {
            case .rateLimited:
                throw GatewayRefusal(.rateLimited, "rate limit of route `\(route.name)` reached for this key; retry after \(retryAfter) s",
                                     retryAfter: retryAfter)
            case .dailyRequestsExhausted, .dailyTokensExhausted:
                let unit = reason == .dailyRequestsExhausted ? "request" : route.kind == .model ? "row" : "token"
                throw GatewayRefusal(reason == .dailyRequestsExhausted ? .dailyRequestsExhausted : .dailyTokensExhausted,
                                     "daily \(unit) quota of route `\(route.name)` is used up for this key; it resets at 00:00 UTC", retryAfter: retryAfter)
            }
        }
    }

    /// After the upstream answered: what the request used (tokens, or rows on a classifier route) counts against the
    /// daily quota. A failure here is logged by the limiter's store and does not withhold the answer.
    func recordUsage(route: String, keyID: String?, tokens: Int) async {
        guard let keyID else { return }
        try? await limiter.recordUsage(LimitSubject(keyID: keyID, route: route), tokens: tokens, now: Date())
    }
}
