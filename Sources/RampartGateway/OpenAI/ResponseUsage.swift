import NIOCore
import RampartCore

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
