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
