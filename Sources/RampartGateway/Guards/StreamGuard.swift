import Foundation
import NIOCore
import RampartCore
import RampartText

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
