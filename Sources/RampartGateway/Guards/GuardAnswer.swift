import Foundation
import NIOCore
import RampartCore
import RampartText

/// How a blocked exchange is answered (`block_response`), in the client's protocol, so real clients and scanners keep working.
enum GuardAnswer {
    static let refusalPrefix = "I can't help with that: "

    /// The text of the refusal completion.
    static func refusalText(_ block: GuardBlock, decisionID: String) -> String {
        refusalPrefix + block.message + " (Rampart decision \(decisionID))."
    }

    /// A whole `chat.completion` carrying the refusal.
    static func completion(_ block: GuardBlock, model: String, decisionID: String) -> ByteBuffer {
        let message: JSONValue = .object([("role", .string("assistant")), ("content", .string(refusalText(block, decisionID: decisionID))), ("refusal", .null)])
        let body: JSONValue = .object([
            ("id", .string("chatcmpl-rampart-\(decisionID)")), ("object", .string("chat.completion")),
            ("created", .number(String(Int(Date().timeIntervalSince1970)))), ("model", .string(model)),
            ("choices", .array([.object([("index", .number("0")), ("message", message), ("logprobs", .null), ("finish_reason", .string("content_filter"))])])),
            ("usage", .object([("prompt_tokens", .number("0")), ("completion_tokens", .number("0")), ("total_tokens", .number("0"))])),
        ])
        return ByteBuffer(bytes: body.encoded())
    }

    /// Server-sent events ending a stream with the refusal: `prefix` text (if any) then the refusal as content, a
    /// `content_filter` finish and `[DONE]`.
    static func streamRefusal(_ block: GuardBlock, model: String, decisionID: String, withRole: Bool) -> ByteBuffer {
        func chunk(_ delta: JSONValue, finish: JSONValue) -> String {
            let value: JSONValue = .object([
                ("id", .string("chatcmpl-rampart-\(decisionID)")), ("object", .string("chat.completion.chunk")),
                ("created", .number(String(Int(Date().timeIntervalSince1970)))), ("model", .string(model)),
                ("choices", .array([.object([("index", .number("0")), ("delta", delta), ("finish_reason", finish)])])),
            ])
            return "data: " + String(decoding: value.encoded(), as: UTF8.self) + "\n\n"
        }
        var delta: [(key: String, value: JSONValue)] = []
        if withRole { delta.append(("role", .string("assistant"))) }
        delta.append(("content", .string((withRole ? "" : "\n\n") + refusalText(block, decisionID: decisionID))))
        let text = chunk(.object(delta), finish: .null) + chunk(.object([]), finish: .string("content_filter")) + "data: [DONE]\n\n"
        return ByteBuffer(string: text)
    }

    /// The `error` event that ends a stream in `block_response: error` mode (the OpenAI SDKs raise on it).
    static func streamError(_ block: GuardBlock) -> ByteBuffer {
        ByteBuffer(string: "data: " + String(decoding: refusal(block).body().readableBytesView, as: UTF8.self) + "\n\n")
    }

    /// The OpenAI-shaped 400 error of `block_response: error`.
    static func refusal(_ block: GuardBlock) -> GatewayRefusal {
        GatewayRefusal(block.code, block.message)
    }
}
