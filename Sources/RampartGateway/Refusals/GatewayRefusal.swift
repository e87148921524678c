import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RampartCore

/// Why the gateway answered instead of the upstream: a refusal (4xx) or a failure (5xx), with a code from the one
/// catalog (``RefusalCode``), rendered in OpenAI's error shape `{"error": {"message", "type", "param", "code"}}` so
/// OpenAI clients raise their own exception types — or in the Open Inference Protocol's on the KServe v2 routes.
public struct GatewayRefusal: Error, Sendable, Equatable {
    public var code: RefusalCode
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

    public init(_ code: RefusalCode, _ message: String, param: String? = nil, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.param = param
        self.retryAfter = retryAfter
    }

    public var status: HTTPResponse.Status { code.status }

    /// The verdict this answer records: 5xx and client disconnects are failures, the rest refusals.
    var isFailure: Bool { code.isFailure }

    /// A request the gateway cannot accept as sent (400): `param` names the field at fault.
    public static func badRequest(_ message: String, param: String? = nil, code: RefusalCode = .invalidRequest) -> Self {
        .init(code, message, param: param)
    }

    func body() -> ByteBuffer {
        if shape == .kserve {
            return ByteBuffer(string: #"{"error":"# + JSONValue.quote(message) + #","code":"# + JSONValue.quote(code.rawValue) + #","param":"#
                + (param.map(JSONValue.quote) ?? "null") + "}")
        }
        var out = #"{"error":{"message":"#
        out += JSONValue.quote(message)
        out += #","type":"# + JSONValue.quote(code.type.rawValue)
        out += #","param":"# + (param.map(JSONValue.quote) ?? "null")
        out += #","code":"# + JSONValue.quote(code.rawValue) + "}}"
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
