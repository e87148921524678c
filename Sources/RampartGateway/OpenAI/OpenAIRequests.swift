import Foundation

/// The fields of `POST /v1/chat/completions` the gateway needs; the rest passes through untouched.
struct ChatCompletionRequest: Decodable, Sendable {
    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    var model: String
    var messages: [ChatMessage]
    var stream: Bool?
    var streamOptions: StreamOptions?

    struct StreamOptions: Decodable, Sendable {
        var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    struct ChatMessage: Decodable, Sendable {
        var role: String
        var content: JSONValue?
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, stream
        case streamOptions = "stream_options"
    }

    /// Parses and validates `body`; errors name the field (`messages[1].role`).
    static func parse(_ body: Data) throws(GatewayRefusal) -> ChatCompletionRequest {
        let request = try RequestDecoding.decode(ChatCompletionRequest.self, from: body)
        try RequestDecoding.checkModel(request.model)
        guard !request.messages.isEmpty else {
            throw .badRequest("`messages` must contain at least one message", param: "messages")
        }
        for (index, message) in request.messages.enumerated() where !roles.contains(message.role) {
            throw .badRequest("`messages[\(index)].role` is `\(message.role.prefix(40))`; expected one of: \(roles.sorted().joined(separator: ", "))",
                              param: "messages[\(index)].role")
        }
        return request
    }

    /// Characters of message text, for token estimates when the upstream reports no usage.
    var promptCharacters: Int { messages.reduce(0) { $0 + ($1.content?.textLength ?? 0) } }
}

/// The fields of `POST /v1/embeddings` the gateway needs.
struct EmbeddingsRequest: Decodable, Sendable {
    var model: String
    var input: JSONValue

    static func parse(_ body: Data) throws(GatewayRefusal) -> EmbeddingsRequest {
        let request = try RequestDecoding.decode(EmbeddingsRequest.self, from: body)
        try RequestDecoding.checkModel(request.model)
        switch request.input {
        case .string, .array: break
        default: throw .badRequest("`input` must be a string or an array of strings or token ids", param: "input")
        }
        return request
    }
}

enum RequestDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from body: Data) throws(GatewayRefusal) -> T {
        guard !body.isEmpty else { throw .badRequest("the request body is empty; send a JSON object", code: "invalid_json") }
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch let DecodingError.keyNotFound(key, context) {
            let path = render(context.codingPath + [key])
            throw .badRequest("missing required field `\(path)`", param: path, code: "missing_field")
        } catch let DecodingError.typeMismatch(expected, context) {
            let path = render(context.codingPath)
            if path.isEmpty { throw .badRequest("the request body must be a JSON object", code: "invalid_json") }
            throw .badRequest("field `\(path)` has the wrong type; expected \(describe(expected))", param: path, code: "invalid_type")
        } catch let DecodingError.valueNotFound(expected, context) {
            let path = render(context.codingPath)
            throw .badRequest("field `\(path)` is null; expected \(describe(expected))", param: path, code: "invalid_type")
        } catch {
            throw .badRequest("the request body is not valid JSON", code: "invalid_json")
        }
    }

    static func checkModel(_ model: String) throws(GatewayRefusal) {
        guard !model.isEmpty, model.utf8.count <= 256 else {
            throw .badRequest("`model` must be a non-empty string of at most 256 bytes", param: "model")
        }
    }

    /// `messages[1].role` from a coding path.
    static func render(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type, is Bool?.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Double.Type: return "a number"
        case is [Any].Type: return "an array"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.contains("Dictionary") || name.contains("Request") || name.contains("Message") || name.contains("Options") { return "an object" }
            return name
        }
    }
}
