import Foundation
import PostgresNIO
import RampartCore

/// Token buckets and daily counters shared by every replica on one PostgreSQL database (the guide's "throttling and
/// monitoring model access", enforced once for the whole deployment, not once per process).
///
/// One call, one round trip: the `rampart_admit` function (schema step 4) refills, checks and charges the bucket
/// under its row lock, so concurrent replicas never admit more than the limits allow.
public struct LimitStore: Sendable {
    let store: Store

    /// The outcome of one admission.
    public struct Outcome: Sendable, Equatable {
        public var admitted: Bool
        /// `rate_limited`, `daily_requests_exhausted` or `daily_tokens_exhausted` when refused.
        public var reason: String?
        public var retryAfterSeconds: Int
    }

    private func client() throws -> PostgresClient {
        guard case .postgres(let client) = store.backend else {
            throw StoreError(code: "query_failed", message: "shared limits need the PostgreSQL store; SQLite serves one process, which keeps limits in memory")
        }
        return client
    }

    /// Admits or refuses one request for bucket `key` at `nowMs` (Unix milliseconds), counting it when admitted.
    /// - Parameters:
    ///   - rate: tokens per second (nil: no rate limit); `capacity`: the bucket's size (burst).
    ///   - requestsPerDay, tokensPerDay: daily quotas (UTC days), nil for none.
    public func admit(key: String, nowMs: Int64, rate: Double?, capacity: Double, requestsPerDay: Int?, tokensPerDay: Int?) async throws -> Outcome {
        let client = try client()
        let perDayRequests = requestsPerDay.map(Int64.init)
        let perDayTokens = tokensPerDay.map(Int64.init)
        do {
            return try await store.withDeadline("checking the shared rate limit") {
                let rows = try await client.query("""
                    SELECT admitted, reason, retry_after FROM rampart_admit(\(key), \(nowMs), \(rate), \(capacity), \(perDayRequests), \(perDayTokens))
                    """)
                for try await (admitted, reason, retry) in rows.decode((Bool, String?, Int64).self) {
                    return Outcome(admitted: admitted, reason: reason, retryAfterSeconds: Int(retry))
                }
                throw StoreError(code: "query_failed", message: "rampart_admit returned no row")
            }
        } catch {
            throw StoreError.wrap("query_failed", "could not check the shared rate limit", error)
        }
    }

    /// Adds `tokens` to bucket `key`'s usage for the UTC day of `nowMs`.
    public func recordUsage(key: String, tokens: Int, nowMs: Int64) async throws {
        let client = try client()
        let day = (nowMs / 86_400_000) * 86_400_000
        let used = Int64(tokens)
        do {
            try await store.withDeadline("recording token usage") {
              try await client.query("""
                UPDATE rate_buckets SET
                    requests = CASE WHEN day_ms = \(day) THEN requests ELSE 0 END,
                    tokens_used = CASE WHEN day_ms = \(day) THEN tokens_used + \(used) ELSE \(used) END,
                    day_ms = \(day)
                WHERE key = \(key)
                """)
            }
        } catch {
            throw StoreError.wrap("query_failed", "could not record token usage in the shared limits", error)
        }
    }
}
