import Crypto
import Foundation
import Hummingbird
import NIOCore
import RampartCore

/// Relays an upstream's server-sent events to the client event by event, as they arrive.
///
/// Each whole event is read before it is passed on (usage today; guards in a later issue). The final
/// `data: [DONE]` is held back until the decision record is committed, so a client that saw the whole stream
/// always has a record (strict durability). A client that goes away cancels the upstream request and still
/// leaves a record (status 499, reason `client_closed`).
struct StreamRelay: Sendable {
    let proxy: OpenAIProxy
    let draft: DecisionDraft
    let limitSubject: LimitSubject
    let promptCharacters: Int
    /// The gateway asked the upstream for usage; drop the usage-only chunk the client did not ask for.
    let stripUsage: Bool

    private struct ClientGone: Error {}

    func run(upstream: UpstreamBodyStream, writer: inout any ResponseBodyWriter) async throws {
        var draft = draft
        var splitter = ServerSentEventSplitter()
        var tracker = StreamUsageTracker()
        var hasher = SHA256()
        var heldDone: [UInt8]?
        var outcome: (status: Int, verdict: Verdict, reason: String?) = (200, .allowed, nil)

        func relay(_ events: [[UInt8]], _ writer: inout any ResponseBodyWriter) async throws {
            var out = ByteBuffer()
            for event in events {
                if let data = ServerSentEventSplitter.data(of: event) {
                    switch tracker.observe(data: data) {
                    case .done:
                        heldDone = event
                        continue
                    case .usageOnly where stripUsage:
                        continue
                    default:
                        break
                    }
                }
                out.writeBytes(event)
                hasher.update(data: event)
            }
            guard out.readableBytes > 0 else { return }
            do {
                try await writer.write(out)
            } catch {
                throw ClientGone()
            }
        }

        do {
            for try await chunk in upstream {
                try await relay(try splitter.feed(chunk.readableBytesView), &writer)
            }
            let rest = splitter.remainder
            if !rest.isEmpty { try await relay([rest], &writer) }
        } catch is ClientGone {
            outcome = (499, .failed, "client_closed")
        } catch let error as SSEError {
            proxy.logger.warning("upstream stream broke the event-stream format", metadata: ["decision_id": "\(draft.id)", "error": "\(error.message)"])
            outcome = (200, .failed, "upstream_stream_invalid")
        } catch {
            let failure = OpenAIProxy.upstreamFailure(error, route: proxy.config.route(named: draft.route ?? "") ?? .init(name: "?", upstream: ""))
            outcome = (200, .failed, failure.code == "upstream_timeout" ? "upstream_stream_timeout" : "upstream_stream_broken")
        }

        let usage = tracker.usage ?? ResponseUsage.estimate(promptCharacters: promptCharacters, completionCharacters: tracker.completionCharacters)
        draft.usage = usage
        try? await proxy.limiter.recordUsage(limitSubject, tokens: usage.totalTokens, now: Date())
        if let heldDone, outcome.reason == nil { hasher.update(data: heldDone) }
        draft.responseSHA256 = Hex.encode(hasher.finalize())
        let committed = await proxy.commit(draft.record(status: outcome.status, verdict: outcome.verdict, reason: outcome.reason))
        proxy.finish(draft, status: outcome.status, verdict: outcome.verdict, reason: outcome.reason, countRequest: false)
        if outcome.reason != nil { proxy.metrics.refusal(reason: outcome.reason!) }
        guard outcome.reason != "client_closed" else { return }
        guard committed else {
            // Fail closed: end the stream without its final event, so the client knows it is incomplete.
            throw ClientGone()
        }
        if let heldDone { try await writer.write(ByteBuffer(bytes: heldDone)) }
        try await writer.finish(nil)
    }
}
