import NIOCore
import RampartCore

/// The fields of `POST /v1/chat/completions` the gateway needs; the body itself passes through untouched.
struct ChatCompletionRequest: Sendable {
    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    var body: JSONValue
    var model: String
    var messages: [JSONValue]
    var stream: Bool
    var includeUsage: Bool

    /// Parses and validates a request body; errors name the field (`messages[1].role`).
    static func parse(_ bytes: ByteBuffer) throws(GatewayRefusal) -> ChatCompletionRequest {
        let body = try RequestDecoding.object(bytes)
        let model = try RequestDecoding.model(in: body)
        guard let messagesValue = body["messages"] else {
            throw .badRequest("missing required field `messages`", param: "messages", code: .missingField)
        }
        guard let messages = messagesValue.arrayValue else {
            throw .badRequest("field `messages` has the wrong type; expected an array, found \(messagesValue.kindName)",
                              param: "messages", code: .invalidType)
        }
        guard !messages.isEmpty else {
            throw .badRequest("`messages` must contain at least one message", param: "messages")
        }
        for (index, message) in messages.enumerated() {
            let path = "messages[\(index)]"
            guard case .object = message else {
                throw .badRequest("field `\(path)` has the wrong type; expected an object, found \(message.kindName)", param: path, code: .invalidType)
            }
            guard let role = message["role"] else {
                throw .badRequest("missing required field `\(path).role`", param: "\(path).role", code: .missingField)
            }
            guard let name = role.stringValue else {
                throw .badRequest("field `\(path).role` has the wrong type; expected a string, found \(role.kindName)", param: "\(path).role", code: .invalidType)
            }
            guard roles.contains(name) else {
                throw .badRequest("`\(path).role` is `\(name.prefix(40))`; expected one of: \(roles.sorted().joined(separator: ", "))", param: "\(path).role")
            }
        }
        let stream = try RequestDecoding.optionalBool(body["stream"], path: "stream") ?? false
        var includeUsage = false
        if let options = body["stream_options"], !options.isNull {
            guard case .object = options else {
                throw .badRequest("field `stream_options` has the wrong type; expected an object, found \(options.kindName)", param: "stream_options", code: .invalidType)
            }
            includeUsage = try RequestDecoding.optionalBool(options["include_usage"], path: "stream_options.include_usage") ?? false
        }
        return ChatCompletionRequest(body: body, model: model, messages: messages, stream: stream, includeUsage: includeUsage)
    }

    /// Characters of message text, for token estimates when the upstream reports no usage.
    var promptCharacters: Int { messages.reduce(0) { $0 + ($1["content"]?.textLength ?? 0) } }
}
