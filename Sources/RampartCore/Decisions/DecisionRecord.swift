import Foundation

/// What the gateway decided about one request. The guide's "traceability" principle asks "which model has
/// made that decision about an individual and when?" — this is the record that answers it.
///
/// Records are append-only: never deleted, and the only change ever made is unlinking the subject (retention and
/// erasure clear ``subject`` and ``subjectNonce``). Each gets a sequence number (`seq`) in the order it was
/// committed; the ledger records each one as a `decision` event that commits to the subject without naming it.
public struct DecisionRecord: Sendable, Equatable, Codable {
    /// Time-ordered UUIDv7 (RFC 9562), also sent to the client as `Rampart-Decision-Id`.
    public var id: String
    /// Commit order, assigned by the store; `nil` until committed.
    public var seq: Int64?
    public var time: Date
    public var tenant: String?
    public var keyID: String?
    public var route: String?
    public var model: String?
    /// Endpoint that was called, e.g. `/v1/chat/completions`.
    public var endpoint: String
    /// `Rampart-Subject` request header: whom the request is about (a pseudonymous id, never a name).
    public var subject: String?
    /// Random hex nonce, set by the store when there is a subject: the ledger's decision event carries
    /// SHA-256("rampart-subject-commitment-v1\n" + nonce + "\n" + subject), which only this nonce opens.
    public var subjectNonce: String?
    /// `Rampart-Purpose` request header: the purpose the caller claims for it.
    public var purpose: String?
    public var status: Int
    public var verdict: Verdict
    /// Stable reason code for refusals and failures (`invalid_api_key`, `rate_limited`, `upstream_timeout`…).
    public var reason: String?
    public var stream: Bool
    /// Time spent waiting on the upstream, milliseconds.
    public var upstreamLatencyMs: Double?
    /// Time spent in the gateway in total, milliseconds (excludes the wait for the record's own commit).
    public var gatewayLatencyMs: Double
    public var usage: TokenUsage?
    /// SHA-256 of the request body as received, lowercase hex.
    public var requestSHA256: String?
    /// SHA-256 of the response body as sent, lowercase hex.
    public var responseSHA256: String?
    public var findings: [Finding]

    public init(
        id: String, seq: Int64? = nil, time: Date, tenant: String? = nil, keyID: String? = nil, route: String? = nil,
        model: String? = nil, endpoint: String, subject: String? = nil, purpose: String? = nil, status: Int,
        verdict: Verdict, reason: String? = nil, stream: Bool = false, upstreamLatencyMs: Double? = nil,
        gatewayLatencyMs: Double = 0, usage: TokenUsage? = nil, requestSHA256: String? = nil,
        responseSHA256: String? = nil, findings: [Finding] = [], subjectNonce: String? = nil
    ) {
        self.subjectNonce = subjectNonce
        self.id = id
        self.seq = seq
        self.time = time
        self.tenant = tenant
        self.keyID = keyID
        self.route = route
        self.model = model
        self.endpoint = endpoint
        self.subject = subject
        self.purpose = purpose
        self.status = status
        self.verdict = verdict
        self.reason = reason
        self.stream = stream
        self.upstreamLatencyMs = upstreamLatencyMs
        self.gatewayLatencyMs = gatewayLatencyMs
        self.usage = usage
        self.requestSHA256 = requestSHA256
        self.responseSHA256 = responseSHA256
        self.findings = findings
    }

    enum CodingKeys: String, CodingKey {
        case id, seq, time, tenant, route, model, endpoint, subject, purpose, status, verdict, reason, stream, usage, findings
        case keyID = "key_id"
        case upstreamLatencyMs = "upstream_latency_ms"
        case gatewayLatencyMs = "gateway_latency_ms"
        case requestSHA256 = "request_sha256"
        case responseSHA256 = "response_sha256"
        case subjectNonce = "subject_nonce"
    }

    /// Deterministic bytes for hashing: sorted keys, `seq` left out (it is the leaf's position, not its content),
    /// time as RFC 3339 with milliseconds.
    public func canonicalJSON() -> Data {
        var copy = self
        copy.seq = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        return (try? encoder.encode(copy)) ?? Data()
    }
}
