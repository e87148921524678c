import NIOCore
import RampartCore

/// Splits a `text/event-stream` byte stream into whole events (WHATWG HTML §9.2), carrying partial events over
/// from one chunk to the next. The gateway relays whole events only, which is what lets it read each one (usage
/// today, guards later) before the client sees it.
struct ServerSentEventSplitter {
    private var carry: [UInt8] = []
    /// Most bytes one event may have; a longer one is an upstream protocol error.
    let maxEventBytes: Int

    init(maxEventBytes: Int = 1 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Position up to which `carry` has been scanned, and where the current line starts (both into `carry`).
    private var scanned = 0
    private var lineStart = 0

    /// Whole events completed by `chunk`, each with its terminating blank line.
    mutating func feed(_ chunk: ByteBuffer) throws(SSEError) -> [[UInt8]] {
        carry.append(contentsOf: chunk.readableBytesView)
        var events: [[UInt8]] = []
        var start = 0
        var i = scanned
        let n = carry.count
        while i < n {
            let c = carry[i]
            guard c == 10 || c == 13 else {
                i += 1
                continue
            }
            var end = i
            if c == 13 {
                if i + 1 == n { break }  // a CR at the end may be half of CRLF: wait for the next byte
                if carry[i + 1] == 10 { end = i + 1 }
            }
            if i == lineStart {  // an empty line ends the event
                events.append(Array(carry[start...end]))
                start = end + 1
            }
            lineStart = end + 1
            i = end + 1
        }
        scanned = i - start
        lineStart -= start
        if start > 0 { carry.removeFirst(start) }
        if carry.count > maxEventBytes { throw SSEError(message: "upstream sent a server-sent event over \(maxEventBytes) bytes") }
        return events
    }

    /// Bytes of an unfinished event left when the stream ended.
    var remainder: [UInt8] { carry }

    /// The `data:` payload of an event (lines joined with "\n"), or nil when it has none.
    static func data(of event: [UInt8]) -> [UInt8]? {
        var payload: [UInt8] = []
        var found = false
        var lineStart = 0
        var i = 0
        func take(_ line: ArraySlice<UInt8>) {
            guard line.starts(with: Array("data".utf8)) else { return }
            var rest = line.dropFirst(4)
            if let first = rest.first {
                guard first == 58 else { return }  // "data:"
                rest = rest.dropFirst()
                if rest.first == 32 { rest = rest.dropFirst() }
            }
            if found { payload.append(10) }
            payload.append(contentsOf: rest)
            found = true
        }
        while i <= event.count {
            if i == event.count || event[i] == 10 || event[i] == 13 {
                if i > lineStart { take(event[lineStart..<i]) }
                lineStart = i + 1
            }
            i += 1
        }
        return found ? payload : nil
    }
}

struct SSEError: Error {
    var message: String
}

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

    mutating func observe(data: [UInt8]) -> Kind {
        if data.count == 6 && data.elementsEqual("[DONE]".utf8) {
            sawDone = true
            return .done
        }
        guard let chunk = try? JSONValue.parse(data) else { return .other }
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
