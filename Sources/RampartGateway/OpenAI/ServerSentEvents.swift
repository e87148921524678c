import NIOCore
import RampartCore

/// Reads what the gateway needs from each streamed chat chunk: usage (when the upstream reports it), the text
/// generated (for an estimate when it does not), and whether the chunk only carries usage.
struct StreamUsageTracker {
    private(set) var usage: TokenUsage?
    private(set) var completionCharacters = 0
    private(set) var sawDone = false

    enum Kind {
        case done
        /// A chunk with `usage` and no choices: the one `stream_options.include_usage` adds at the end.
        case usageOnly
        case other
    }

    static func isDone(_ data: [UInt8]) -> Bool { data.count == 6 && data.elementsEqual("[DONE]".utf8) }

    mutating func observe(data: [UInt8]) -> Kind {
        observe(data: data, chunk: Self.isDone(data) ? nil : try? JSONValue.parse(data))
    }

    /// The same, for a caller that has parsed the chunk already (the stream guard reads it too).
    mutating func observe(data: [UInt8], chunk: JSONValue?) -> Kind {
        if Self.isDone(data) {
            sawDone = true
            return .done
        }
        guard let chunk else { return .other }
        let choices = chunk["choices"]?.arrayValue ?? []
        for choice in choices {
            let delta = choice["delta"]
            completionCharacters += (delta?["content"]?.stringValue?.count ?? 0) + (delta?["reasoning_content"]?.stringValue?.count ?? 0)
        }
        if let usage = ResponseUsage.usage(in: chunk) {
            self.usage = usage
            if choices.isEmpty { return .usageOnly }
        }
        return .other
    }
}

/// `usage` of OpenAI responses.
enum ResponseUsage {
    /// The `usage` member of a response or chunk, when it has one.
    static func usage(in value: JSONValue) -> TokenUsage? {
        guard let u = value["usage"], case .object = u else { return nil }
        let prompt = u["prompt_tokens"]?.intValue
        let completion = u["completion_tokens"]?.intValue
        let total = u["total_tokens"]?.intValue
        guard prompt != nil || completion != nil || total != nil else { return nil }
        return TokenUsage(promptTokens: max(0, prompt ?? 0), completionTokens: max(0, completion ?? 0), totalTokens: total.map { max(0, $0) })
    }

    /// The usage the upstream reported or, when it reported none, an estimate from the prompt and the
    /// generated text.
    static func of(_ body: ByteBuffer, promptCharacters: Int) -> TokenUsage {
        let parsed = try? JSONValue.parse(body.readableBytesView)
        if let parsed, let usage = usage(in: parsed) { return usage }
        let generated = parsed?["choices"]?.arrayValue?.reduce(0) { $0 + ($1["message"]?["content"]?.stringValue?.count ?? 0) } ?? 0
        return estimate(promptCharacters: promptCharacters, completionCharacters: generated)
    }

    /// Rough estimate when the upstream reports nothing: 4 characters per token, as OpenAI's own rule of thumb.
    static func estimate(promptCharacters: Int, completionCharacters: Int) -> TokenUsage {
        let prompt = (promptCharacters + 3) / 4
        let completion = (completionCharacters + 3) / 4
        return TokenUsage(promptTokens: prompt, completionTokens: completion, estimated: true)
    }
}
