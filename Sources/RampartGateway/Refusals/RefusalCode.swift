import HTTPTypes
import RampartCore

/// Every reason the gateway answers a request itself instead of passing on the upstream's answer — the one catalog
/// of them. Each has a stable code (the error's `code` and the decision record's `reason`), the HTTP status it is
/// sent with and OpenAI's error `type`. docs/errors.md lists every one; a test fails when the two disagree.
///
/// ```swift
/// throw GatewayRefusal(.routeNotAllowed, "this API key may not use route `chat`")
/// ```
public struct RefusalCode: Sendable, Hashable, CustomStringConvertible {
    /// The code, e.g. `rate_limited`.
    public let rawValue: String
    public let status: HTTPResponse.Status
    public let type: ErrorType

    /// OpenAI's error types, so OpenAI SDKs raise their own exception classes.
    public enum ErrorType: String, Sendable {
        case invalidRequest = "invalid_request_error"
        case permission = "permission_error"
        case rateLimit = "rate_limit_error"
        case insufficientQuota = "insufficient_quota"
        case notFound = "not_found_error"
        case upstream = "upstream_error"
        case server = "server_error"
    }

    init(_ rawValue: String, _ status: HTTPResponse.Status, _ type: ErrorType) {
        self.rawValue = rawValue
        self.status = status
        self.type = type
    }

    public var description: String { rawValue }

    /// Whether the record's verdict is `failed` (5xx, and a client that went away) rather than `refused`.
    public var isFailure: Bool { status.code >= 500 || status.code == 499 }

    /// The code of an Open Inference Protocol document the codec could not read (a client's infer request).
    public init(_ kind: InferenceCodingError.Kind) {
        switch kind {
        case .invalidJSON: self = .invalidJSON
        case .invalidRequest: self = .invalidRequest
        case .invalidInput: self = .invalidInput
        case .invalidShape: self = .invalidShape
        case .invalidValue: self = .invalidValue
        case .outOfRange: self = .outOfRange
        }
    }

    public static func == (a: RefusalCode, b: RefusalCode) -> Bool { a.rawValue == b.rawValue && a.status == b.status }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}

extension RefusalCode {
    // MARK: Authenticate

    public static let missingAPIKey = RefusalCode("missing_api_key", .unauthorized, .invalidRequest)
    public static let invalidAPIKey = RefusalCode("invalid_api_key", .unauthorized, .invalidRequest)
    public static let wrongKeyScope = RefusalCode("wrong_key_scope", .forbidden, .permission)
    public static let invalidHeader = RefusalCode("invalid_header", .badRequest, .invalidRequest)

    // MARK: Route

    public static let modelNotFound = RefusalCode("model_not_found", .notFound, .invalidRequest)
    public static let routeNotAllowed = RefusalCode("route_not_allowed", .forbidden, .permission)

    // MARK: Read the body

    public static let requestTooLarge = RefusalCode("request_too_large", .contentTooLarge, .invalidRequest)
    public static let clientClosed = RefusalCode("client_closed", .init(code: 499, reasonPhrase: "Client Closed Request"), .invalidRequest)
    public static let invalidJSON = RefusalCode("invalid_json", .badRequest, .invalidRequest)
    public static let missingField = RefusalCode("missing_field", .badRequest, .invalidRequest)
    public static let invalidType = RefusalCode("invalid_type", .badRequest, .invalidRequest)
    public static let invalidRequest = RefusalCode("invalid_request", .badRequest, .invalidRequest)
    /// Classifier routes: the infer request's tensor does not match the model.
    public static let invalidInput = RefusalCode("invalid_input", .badRequest, .invalidRequest)
    public static let invalidShape = RefusalCode("invalid_shape", .badRequest, .invalidRequest)
    public static let invalidValue = RefusalCode("invalid_value", .badRequest, .invalidRequest)
    public static let outOfRange = RefusalCode("out_of_range", .badRequest, .invalidRequest)

    // MARK: Limits

    public static let rateLimited = RefusalCode("rate_limited", .tooManyRequests, .rateLimit)
    public static let dailyRequestsExhausted = RefusalCode("daily_requests_exhausted", .tooManyRequests, .insufficientQuota)
    public static let dailyTokensExhausted = RefusalCode("daily_tokens_exhausted", .tooManyRequests, .insufficientQuota)
    public static let limitsUnavailable = RefusalCode("limits_unavailable", .serviceUnavailable, .server)

    // MARK: Purpose and consent

    public static let purposeNotServed = RefusalCode("purpose_not_served", .forbidden, .permission)
    public static let subjectRequired = RefusalCode("subject_required", .forbidden, .permission)
    public static let consentRequired = RefusalCode("consent_required", .forbidden, .permission)
    public static let objectionRecorded = RefusalCode("objection_recorded", .forbidden, .permission)

    // MARK: Input and output checks

    /// The LLM guards' codes; sent with 200 and a refusal completion when `block_response` is `refusal`.
    public static let promptInjection = RefusalCode("prompt_injection", .badRequest, .invalidRequest)
    public static let piiInInput = RefusalCode("pii_in_input", .badRequest, .invalidRequest)
    public static let secretInInput = RefusalCode("secret_in_input", .badRequest, .invalidRequest)
    public static let invisibleText = RefusalCode("invisible_text", .badRequest, .invalidRequest)
    public static let piiInOutput = RefusalCode("pii_in_output", .badRequest, .invalidRequest)
    public static let secretInOutput = RefusalCode("secret_in_output", .badRequest, .invalidRequest)
    public static let systemPromptLeak = RefusalCode("system_prompt_leak", .badRequest, .invalidRequest)
    public static let exfiltrationLink = RefusalCode("exfiltration_link", .badRequest, .invalidRequest)
    /// A guard could not read what it must check (and `on_error` is `block`): fail closed.
    public static let guardError = RefusalCode("guard_error", .badGateway, .upstream)
    /// Classifier routes' model-access monitors.
    public static let evasionSuspected = RefusalCode("evasion_suspected", .forbidden, .permission)
    public static let extractionSuspected = RefusalCode("extraction_suspected", .forbidden, .permission)

    // MARK: Upstream

    public static let upstreamUnreachable = RefusalCode("upstream_unreachable", .badGateway, .upstream)
    public static let upstreamProtocolError = RefusalCode("upstream_protocol_error", .badGateway, .upstream)
    public static let upstreamResponseTooLarge = RefusalCode("upstream_response_too_large", .badGateway, .upstream)
    public static let upstreamTimeout = RefusalCode("upstream_timeout", .gatewayTimeout, .upstream)
    public static let inferenceFailed = RefusalCode("inference_failed", .unprocessableContent, .invalidRequest)
    public static let modelOutputInvalid = RefusalCode("model_output_invalid", .badGateway, .upstream)

    /// A stream that broke after it started cannot change its status any more: these reasons are recorded (verdict
    /// `failed`) while the client sees the stream end without `data: [DONE]`.
    public static let upstreamStreamBroken = RefusalCode("upstream_stream_broken", .ok, .upstream)
    public static let upstreamStreamTimeout = RefusalCode("upstream_stream_timeout", .ok, .upstream)
    public static let upstreamStreamInvalid = RefusalCode("upstream_stream_invalid", .ok, .upstream)

    /// A remote KServe v2 server refused: the caller's mistakes (400, 404, 422) pass with their status, anything else
    /// (a wrong upstream key, 5xx) is the gateway's problem and goes out as 502.
    public static func upstreamStatus(_ status: Int) -> RefusalCode {
        let passes = [400, 404, 422].contains(status)
        return RefusalCode("upstream_status_\(status)", passes ? .init(code: status) : .badGateway, .upstream)
    }

    // MARK: Decision record

    public static let decisionRecordUnavailable = RefusalCode("decision_record_unavailable", .serviceUnavailable, .server)
    public static let internalError = RefusalCode("internal_error", .internalServerError, .server)

    // MARK: Admin API

    public static let notFound = RefusalCode("not_found", .notFound, .notFound)
    public static let consentNotCurrent = RefusalCode("consent_not_current", .conflict, .invalidRequest)
    public static let ledgerTampered = RefusalCode("ledger_tampered", .internalServerError, .server)
    public static let storeUnavailable = RefusalCode("store_unavailable", .serviceUnavailable, .server)

    /// Every fixed code, in the order docs/errors.md groups them (`upstream_status_N` is the one family of codes).
    public static let catalog: [RefusalCode] = [
        missingAPIKey, invalidAPIKey, wrongKeyScope, invalidHeader,
        modelNotFound, routeNotAllowed,
        requestTooLarge, clientClosed, invalidJSON, missingField, invalidType, invalidRequest,
        invalidInput, invalidShape, invalidValue, outOfRange,
        rateLimited, dailyRequestsExhausted, dailyTokensExhausted, limitsUnavailable,
        purposeNotServed, subjectRequired, consentRequired, objectionRecorded,
        promptInjection, piiInInput, secretInInput, invisibleText, piiInOutput, secretInOutput, systemPromptLeak, exfiltrationLink,
        guardError, evasionSuspected, extractionSuspected,
        upstreamUnreachable, upstreamProtocolError, upstreamResponseTooLarge, upstreamTimeout, inferenceFailed, modelOutputInvalid,
        upstreamStreamBroken, upstreamStreamTimeout, upstreamStreamInvalid,
        decisionRecordUnavailable, internalError,
        notFound, consentNotCurrent, ledgerTampered, storeUnavailable,
    ]
}
