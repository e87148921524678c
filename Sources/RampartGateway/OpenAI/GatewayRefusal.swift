import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RampartCore

/// Why the gateway answered instead of the upstream: a refusal (4xx) or a failure (5xx), rendered in OpenAI's
/// error shape `{"error": {"message", "type", "param", "code"}}` so OpenAI clients raise their own exception types.
public struct GatewayRefusal: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// OpenAI's error `type`: `invalid_request_error`, `authentication_error`, `permission_error`,
    /// `rate_limit_error`, `insufficient_quota`, `not_found_error`, `upstream_error`, `server_error`.
    public var type: String
    /// Stable reason code, also stored as the decision record's `reason`.
    public var code: String
    public var message: String
    /// The request field at fault (e.g. `messages[1].role`), when there is one.
    public var param: String?
    /// Seconds for `Retry-After` (429).
    public var retryAfter: Int?
    /// The error body's shape: OpenAI's, or the Open Inference Protocol's for the KServe v2 routes.
    public var shape: Shape = .openai

    public enum Shape: Sendable, Equatable {
        /// `{"error": {"message", "type", "param", "code"}}`
        case openai
        /// `{"error": "message", "code", "param"}` — KServe v2 / Open Inference Protocol, with Rampart's code beside.
        case kserve
    }

    public init(status: HTTPResponse.Status, type: String, code: String, message: String, param: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.retryAfter = retryAfter
    }

    /// The verdict this answer records: 5xx and client disconnects are failures, the rest refusals.
    var isFailure: Bool { status.code >= 500 || status.code == 499 }

    public static func badRequest(_ message: String, param: String? = nil, code: String = "invalid_request") -> Self {
        .init(status: .badRequest, type: "invalid_request_error", code: code, message: message, param: param)
    }

    func body() -> ByteBuffer {
        if shape == .kserve {
            return ByteBuffer(string: #"{"error":"# + JSONValue.quote(message) + #","code":"# + JSONValue.quote(code) + #","param":"#
                + (param.map(JSONValue.quote) ?? "null") + "}")
        }
        var out = #"{"error":{"message":"#
        out += JSONValue.quote(message)
        out += #","type":"# + JSONValue.quote(type)
        out += #","param":"# + (param.map(JSONValue.quote) ?? "null")
        out += #","code":"# + JSONValue.quote(code) + "}}"
        return ByteBuffer(string: out)
    }

    func response(decisionID: String?) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let decisionID { headers[.rampartDecisionID] = decisionID }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body()))
    }
}

extension HTTPField.Name {
    static let rampartDecisionID = HTTPField.Name("Rampart-Decision-Id")!
    static let rampartSubject = HTTPField.Name("Rampart-Subject")!
    static let rampartPurpose = HTTPField.Name("Rampart-Purpose")!
}
