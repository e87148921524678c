import Foundation
import NIOCore
import RampartCore
import RampartText

/// The guards' state for one request: its vault of placeholders, its canary and the findings so far. It lives and dies
/// with the request (and its stream); nothing in it is logged or stored except the findings, which carry types,
/// scores and offsets, never the text.
struct RequestGuard: Sendable {
    let guards: RouteGuards
    let redactor: Redactor
    var vault = RedactionVault()
    /// This request's canary token, when `output.canary` is on.
    let canary: String?
    var findings: [Finding] = []

    init(guards: RouteGuards, tenant: String?) {
        self.guards = guards
        self.redactor = guards.redactor(tenant: tenant)
        self.canary = guards.config.outputCanary != .off ? CanaryDetector.makeToken() : nil
    }

    /// A guard stopped the exchange; `findings` holds what the record keeps.
    struct Blocked: Error {
        var block: GuardBlock
    }

    // MARK: - Requests

    /// The chat request's messages guarded and, when `output.canary` is on, the canary added to the system prompt.
    /// Returns the body to send upstream (`nil` when unchanged).
    mutating func guardChat(_ request: ChatCompletionRequest) throws(Blocked) -> JSONValue? {
        var messages = request.messages
        var changed = false
        for index in messages.indices {
            let role = messages[index]["role"]?.stringValue ?? ""
            let voice: RouteGuards.Voice = switch role {
            case "user": .user
            case "tool", "function": .data
            default: .trusted
            }
            if let content = messages[index]["content"],
               let guarded = try guardContent(content, voice: voice, location: "input.messages[\(index)].content") {
                messages[index] = messages[index].setting("content", to: guarded)
                changed = true
            }
        }
        if let canary {
            let sentence = guards.config.canaryTemplate.replacingOccurrences(of: "{canary}", with: canary)
            let first = messages.first?["role"]?.stringValue
            if first == "system" || first == "developer", let content = messages[0]["content"] {
                switch content {
                case .string(let text):
                    messages[0] = messages[0].setting("content", to: .string(text + "\n\n" + sentence))
                case .array(let parts):
                    messages[0] = messages[0].setting("content", to: .array(parts + [.object([("type", .string("text")), ("text", .string(sentence))])]))
                default:
                    messages.insert(.object([("role", .string("system")), ("content", .string(sentence))]), at: 0)
                }
            } else {
                messages.insert(.object([("role", .string("system")), ("content", .string(sentence))]), at: 0)
            }
            changed = true
        }
        return changed ? request.body.setting("messages", to: .array(messages)) : nil
    }

    /// The embeddings input guarded (documents to embed are data, so they get the indirect-injection threshold).
    mutating func guardEmbeddings(_ request: EmbeddingsRequest) throws(Blocked) -> JSONValue? {
        switch request.input {
        case .string(let text):
            guard let guarded = try guardText(text, voice: .data, location: "input.input") else { return nil }
            return request.body.setting("input", to: .string(guarded))
        case .array(var items):
            var changed = false
            for index in items.indices {
                guard case .string(let text) = items[index] else { continue }
                if let guarded = try guardText(text, voice: .data, location: "input.input[\(index)]") {
                    items[index] = .string(guarded)
                    changed = true
                }
            }
            return changed ? request.body.setting("input", to: .array(items)) : nil
        default:
            return nil
        }
    }

    /// A message's `content` — a string, or an array of parts whose `text` parts are guarded — or `nil` when unchanged.
    private mutating func guardContent(_ content: JSONValue, voice: RouteGuards.Voice, location: String) throws(Blocked) -> JSONValue? {
        switch content {
        case .string(let text):
            return try guardText(text, voice: voice, location: location).map(JSONValue.string)
        case .array(var parts):
            var changed = false
            for index in parts.indices where parts[index]["type"]?.stringValue == "text" {
                guard let text = parts[index]["text"]?.stringValue else { continue }
                if let guarded = try guardText(text, voice: voice, location: "\(location)[\(index)].text") {
                    parts[index] = parts[index].setting("text", to: .string(guarded))
                    changed = true
                }
            }
            return changed ? .array(parts) : nil
        default:
            return nil
        }
    }

    private mutating func guardText(_ text: String, voice: RouteGuards.Voice, location: String) throws(Blocked) -> String? {
        let outcome = guards.guardInput(text, voice: voice, location: location, redactor: redactor, vault: &vault)
        findings += outcome.findings
        if let block = outcome.block { throw Blocked(block: block) }
        return outcome.changed ? outcome.text : nil
    }

    // MARK: - Responses

    /// A whole (non-streamed) chat completion guarded: each choice's `message.content` scanned, redacted and its
    /// placeholders restored. Returns the body to send (`nil` when unchanged); a body the guard cannot read is a guard
    /// error.
    mutating func guardCompletion(_ body: ByteBuffer) throws(Blocked) -> ByteBuffer? {
        guard guards.config.hasOutputGuards || !vault.isEmpty else { return nil }
        guard let json = try? JSONValue.parse(body.readableBytesView), case .object = json, let choices = json["choices"]?.arrayValue else {
            try guardError("UNREADABLE_RESPONSE")
            return nil
        }
        var changed = false
        var newChoices = choices
        for (index, choice) in choices.enumerated() {
            guard let message = choice["message"], let text = message["content"]?.stringValue else { continue }
            let location = "output.choices[\(choice["index"]?.intValue ?? index)]"
            let result = guards.guardOutput(text, final: true, canary: canary, location: location, offset: 0, redactor: redactor, vault: vault)
            findings += result.findings
            if let block = result.block { throw Blocked(block: block) }
            if result.released != text {
                newChoices[index] = choice.setting("message", to: message.setting("content", to: .string(result.released)))
                changed = true
            }
        }
        return changed ? ByteBuffer(bytes: json.setting("choices", to: .array(newChoices)).encoded()) : nil
    }

    /// Fail closed unless `on_error: allow`: records the error and either blocks or lets the original through.
    mutating func guardError(_ type: String) throws(Blocked) {
        let allow = guards.config.onError == .allow
        findings.append(Finding(guardName: "guard_error", type: type, severity: allow ? "low" : "high", location: "output",
                                action: allow ? "flagged" : "blocked"))
        if allow { return }
        throw Blocked(block: GuardBlock(stage: .output, guardName: "guard_error", type: type))
    }
}

/// The output guards of one streamed answer: each choice's text is held back by up to `stream_window` characters and
/// rescanned with what comes next, so what is split across chunks is still seen whole and nothing unscanned reaches
/// the client (docs/design.md, the request pipeline).
struct StreamGuard {
    var request: RequestGuard
    private var pending: [Int: String] = [:]
    private var released: [Int: Int] = [:]
    /// `id`, `created` and `model` of the last chunk, for the chunk that flushes the held-back text at the end.
    private var template: JSONValue?

    init(request: RequestGuard) {
        self.request = request
    }

    var isNeeded: Bool { request.guards.config.hasOutputGuards || !request.vault.isEmpty }

    /// One chunk's `data` (parsed as `chunk`) rewritten: its `delta.content` replaced by the text now safe to
    /// release. Data that is not a JSON object is a guard error (passed through untouched only with `on_error: allow`).
    mutating func transform(_ data: [UInt8], chunk: JSONValue?) throws(RequestGuard.Blocked) -> [UInt8] {
        guard let chunk, case .object = chunk else {
            try request.guardError("UNREADABLE_STREAM_CHUNK")
            return data
        }
        guard let choices = chunk["choices"]?.arrayValue, !choices.isEmpty else { return data }
        template = chunk
        var newChoices = choices
        var changed = false
        for (position, choice) in choices.enumerated() {
            let index = choice["index"]?.intValue ?? position
            let delta = choice["delta"] ?? .object([])
            let incoming = delta["content"]?.stringValue
            let finished = !(choice["finish_reason"]?.isNull ?? true)
            guard incoming != nil || (finished && !(pending[index] ?? "").isEmpty) else { continue }
            let text = try release(index: index, adding: incoming ?? "", final: finished)
            if text != incoming {
                newChoices[position] = choice.setting("delta", to: delta.setting("content", to: .string(text)))
                changed = true
            }
        }
        return changed ? chunk.setting("choices", to: .array(newChoices)).encoded() : data
    }

    /// At the end of the stream: a chunk carrying whatever is still held back, if anything.
    mutating func flush() throws(RequestGuard.Blocked) -> [UInt8]? {
        var choices: [JSONValue] = []
        for index in pending.keys.sorted() where !(pending[index] ?? "").isEmpty {
            let text = try release(index: index, adding: "", final: true)
            choices.append(.object([("index", .number(String(index))), ("delta", .object([("content", .string(text))])), ("finish_reason", .null)]))
        }
        guard !choices.isEmpty else { return nil }
        let base = template ?? .object([("object", .string("chat.completion.chunk"))])
        return base.setting("choices", to: .array(choices)).encoded()
    }

    private mutating func release(index: Int, adding text: String, final: Bool) throws(RequestGuard.Blocked) -> String {
        let held = (pending[index] ?? "") + text
        let offset = released[index] ?? 0
        let result = request.guards.guardOutput(held, final: final, canary: request.canary, location: "output.choices[\(index)]",
                                                offset: offset, redactor: request.redactor, vault: request.vault)
        request.findings += result.findings
        if let block = result.block { throw RequestGuard.Blocked(block: block) }
        pending[index] = result.rest
        released[index] = offset + held.unicodeScalars.count - result.rest.unicodeScalars.count
        return result.released
    }
}

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
