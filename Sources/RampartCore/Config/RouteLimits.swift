public struct RouteLimits: Sendable, Equatable {
    /// Token-bucket refill rate, requests per second.
    public var ratePerSecond: Double?
    /// Token-bucket capacity. Defaults to `max(1, ceil(rate_per_second))` when only a rate is given.
    public var burst: Int?
    /// Requests admitted per key per UTC day.
    public var requestsPerDay: Int?
    /// Tokens (prompt + completion, from the upstream's `usage`) per key per UTC day.
    public var tokensPerDay: Int?

    public init(ratePerSecond: Double? = nil, burst: Int? = nil, requestsPerDay: Int? = nil, tokensPerDay: Int? = nil) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.requestsPerDay = requestsPerDay
        self.tokensPerDay = tokensPerDay
    }

    public var isUnlimited: Bool { ratePerSecond == nil && requestsPerDay == nil && tokensPerDay == nil }
}
