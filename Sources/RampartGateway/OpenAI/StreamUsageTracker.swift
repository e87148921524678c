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
