import Foundation
import RampartCore
import RampartStore
import Synchronization

/// A token bucket plus daily request and token counters per key and route, in process memory.
///
/// Daily counters are restored from the decision records at start (``seed(_:day:)``), so a restart never resets a
/// quota. Days are UTC days. The token quota is checked on admission and charged when the response's `usage` is
/// known, so requests in flight together can overshoot it by their own usage (as OpenAI's quotas do).
public final class InMemoryRateLimiter: RateLimiter {
    struct State {
        var tokens: Double
        var updated: Double
        var day: Double
        var requestsToday: Int
        var tokensToday: Int
    }

    private let states = Mutex<[LimitSubject: State]>([:])

    public init() {}

    /// Sets today's counters from stored usage (one entry per key and route).
    public func seed(_ totals: [UsageTotal], day: Date) {
        let dayStart = RFC3339.startOfUTCDay(day).timeIntervalSince1970
        states.withLock { states in
            for total in totals {
                let subject = LimitSubject(keyID: total.keyID, route: total.route)
                var state = states[subject] ?? State(tokens: .nan, updated: 0, day: dayStart, requestsToday: 0, tokensToday: 0)
                state.day = dayStart
                state.requestsToday = total.requests
                state.tokensToday = total.tokens
                states[subject] = state
            }
        }
    }

    public func admit(_ subject: LimitSubject, limits: RouteLimits, now: Date) -> Admission {
        if limits.isUnlimited { return .admitted }
        let t = now.timeIntervalSince1970
        let dayStart = (t / 86_400).rounded(.down) * 86_400
        let secondsToMidnight = max(1, Int((dayStart + 86_400 - t).rounded(.up)))
        return states.withLock { states in
            let capacity = Self.capacity(limits)
            var state = states[subject] ?? State(tokens: capacity, updated: t, day: dayStart, requestsToday: 0, tokensToday: 0)
            if state.tokens.isNaN {
                state.tokens = capacity
                state.updated = t
            }
            if state.day != dayStart {
                state.day = dayStart
                state.requestsToday = 0
                state.tokensToday = 0
            }
            defer { states[subject] = state }
            if let perDay = limits.requestsPerDay, state.requestsToday >= perDay {
                return .refused(reason: .dailyRequestsExhausted, retryAfterSeconds: secondsToMidnight)
            }
            if let perDay = limits.tokensPerDay, state.tokensToday >= perDay {
                return .refused(reason: .dailyTokensExhausted, retryAfterSeconds: secondsToMidnight)
            }
            if let rate = limits.ratePerSecond {
                state.tokens = min(capacity, state.tokens + max(0, t - state.updated) * rate)
                state.updated = t
                guard state.tokens >= 1 else {
                    return .refused(reason: .rateLimited, retryAfterSeconds: max(1, Int(((1 - state.tokens) / rate).rounded(.up))))
                }
                state.tokens -= 1
            }
            state.requestsToday += 1
            return .admitted
        }
    }

    /// The bucket's size: `burst`, or one second's worth of the rate (at least 1).
    static func capacity(_ limits: RouteLimits) -> Double {
        Double(limits.burst ?? max(1, Int(limits.ratePerSecond?.rounded(.up) ?? 1)))
    }

    public func recordUsage(_ subject: LimitSubject, tokens: Int, now: Date) {
        guard tokens > 0 else { return }
        let dayStart = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        states.withLock { states in
            guard var state = states[subject] else { return }
            if state.day != dayStart {
                state.day = dayStart
                state.requestsToday = 0
                state.tokensToday = 0
            }
            state.tokensToday += tokens
            states[subject] = state
        }
    }
}
