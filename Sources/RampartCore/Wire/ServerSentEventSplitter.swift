/// Splits a `text/event-stream` byte stream into whole events (WHATWG HTML §9.2), carrying partial events over
/// from one chunk to the next. The gateway relays whole events only, which is what lets it read each one (usage
/// today, guards later) before the client sees it.
public struct ServerSentEventSplitter: Sendable {
    private var carry: [UInt8] = []
    /// Most bytes one event may have; a longer one is an upstream protocol error.
    public let maxEventBytes: Int

    public init(maxEventBytes: Int = 1 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Position up to which `carry` has been scanned, and where the current line starts (both into `carry`).
    private var scanned = 0
    private var lineStart = 0

    /// Whole events completed by `chunk`, each with its terminating blank line.
    public mutating func feed<Bytes: Sequence>(_ chunk: Bytes) throws(SSEError) -> [[UInt8]] where Bytes.Element == UInt8 {
        carry.append(contentsOf: chunk)
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
    public var remainder: [UInt8] { carry }

    /// The `data:` payload of an event (lines joined with "\n"), or nil when it has none.
    public static func data(of event: [UInt8]) -> [UInt8]? {
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
