import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import RampartCore

/// Relays an upstream's server-sent events to the client event by event, as they arrive.
///
/// Each whole event is read before it is passed on: for usage and, when the route has output guards or the request
/// a vault, through ``StreamGuard``, which holds back the last `stream_window` characters of each choice until the
/// next chunk has been scanned with them. A guard that blocks ends the stream with a refusal (or an `error` event)
/// and drops the upstream request. The final
/// `data: [DONE]` is held back until the decision record is committed, so a client that saw the whole stream
/// always has a record (strict durability). A client that goes away cancels the upstream request and still
/// leaves a record (status 499, reason `client_closed`).
struct StreamRelay: Sendable {
    let pipeline: RequestPipeline
    let route: RouteConfig
    let draft: DecisionDraft
    let keyID: String?
    let promptCharacters: Int
    /// The gateway asked the upstream for usage; drop the usage-only chunk the client did not ask for.
    let stripUsage: Bool
    /// Output guards and the vault's restore, when the request has them.
    let streamGuard: StreamGuard?
    let logger: Logger

    private struct ClientGone: Error {}
    private struct Blocked: Error { var block: GuardBlock }

    func run(upstream: UpstreamBodyStream, writer: inout any ResponseBodyWriter) async throws {
        var draft = draft
        var splitter = ServerSentEventSplitter()
        var tracker = StreamUsageTracker()
        var hasher = SHA256()
        var heldDone: [UInt8]?
        var outcome: (status: Int, verdict: Verdict, reason: String?) = (200, .allowed, nil)
        var guardState = streamGuard
        var block: GuardBlock?
        var sentContent = false

        func relay(_ events: [[UInt8]], _ writer: inout any ResponseBodyWriter) async throws {
            var out = ByteBuffer()
            for event in events {
                if let data = ServerSentEventSplitter.data(of: event) {
                    // Parse each chunk once, for the usage tracker and the guard alike.
                    let chunk = StreamUsageTracker.isDone(data) ? nil : try? JSONValue.parse(data)
                    switch tracker.observe(data: data, chunk: chunk) {
                    case .done:
                        heldDone = event
                        continue
                    case .usageOnly where stripUsage:
                        continue
                    default:
                        break
                    }
                    if guardState != nil {
                        let guarded: [UInt8]
                        do {
                            guarded = try guardState!.transform(data, chunk: chunk)
                        } catch {
                            // Send what was already released, then stop.
                            if out.readableBytes > 0 { try? await writer.write(out) }
                            throw Blocked(block: error.block)
                        }
                        if guarded != data {
                            let rewritten = Array("data: ".utf8) + guarded + Array("\n\n".utf8)
                            out.writeBytes(rewritten)
                            hasher.update(data: rewritten)
                            sentContent = true
                            continue
                        }
                    }
                }
                out.writeBytes(event)
                hasher.update(data: event)
                sentContent = true
            }
            guard out.readableBytes > 0 else { return }
            do {
                try await writer.write(out)
            } catch {
                throw ClientGone()
            }
        }

        /// Releases the text the guard still holds back, as one more chunk before `[DONE]`.
        func flush(_ writer: inout any ResponseBodyWriter) async throws {
            guard guardState != nil else { return }
            let data: [UInt8]?
            do {
                data = try guardState!.flush()
            } catch {
                throw Blocked(block: error.block)
            }
            guard let data else { return }
            let event = Array("data: ".utf8) + data + Array("\n\n".utf8)
            hasher.update(data: event)
            do {
                try await writer.write(ByteBuffer(bytes: event))
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
            try await flush(&writer)
        } catch let blocked as Blocked {
            block = blocked.block
            outcome = (200, .refused, blocked.block.code.rawValue)
        } catch is ClientGone {
            outcome = (499, .failed, RefusalCode.clientClosed.rawValue)
        } catch let error as SSEError {
            logger.warning("upstream stream broke the event-stream format", metadata: ["decision_id": "\(draft.id)", "error": "\(error.message)"])
            outcome = (200, .failed, RefusalCode.upstreamStreamInvalid.rawValue)
        } catch {
            try? await flush(&writer)
            let failure = RequestPipeline.upstreamFailure(error, route: route)
            outcome = (200, .failed, (failure.code == .upstreamTimeout ? RefusalCode.upstreamStreamTimeout : .upstreamStreamBroken).rawValue)
        }

        let usage = tracker.usage ?? ResponseUsage.estimate(promptCharacters: promptCharacters, completionCharacters: tracker.completionCharacters)
        draft.usage = usage
        if let guardState { draft.findings = RouteGuards.capped(guardState.request.findings) }
        var ending: ByteBuffer?
        if let block {
            pipeline.metrics.guardBlock(stage: block.stage.rawValue, guardName: block.guardName)
            ending = guardState?.request.guards.config.blockResponse == .error
                ? GuardAnswer.streamError(block)
                : GuardAnswer.streamRefusal(block, model: draft.model ?? "", decisionID: draft.id, withRole: !sentContent)
            hasher.update(data: ending!.readableBytesView)
            heldDone = nil
        }
        await pipeline.recordUsage(route: route.name, keyID: keyID, tokens: usage.totalTokens)
        if let heldDone, outcome.reason == nil { hasher.update(data: heldDone) }
        draft.responseSHA256 = Hex.encode(hasher.finalize())
        let committed = await pipeline.commit(draft.record(status: outcome.status, verdict: outcome.verdict, reason: outcome.reason))
        pipeline.finish(draft, status: outcome.status, verdict: outcome.verdict, reason: outcome.reason, countRequest: false)
        if let reason = outcome.reason { pipeline.metrics.refusal(reason: reason) }
        guard outcome.reason != RefusalCode.clientClosed.rawValue else { return }
        guard committed else {
            // Fail closed: end the stream without its final event, so the client knows it is incomplete.
            throw ClientGone()
        }
        if let ending { try await writer.write(ending) }
        if let heldDone { try await writer.write(ByteBuffer(bytes: heldDone)) }
        try await writer.finish(nil)
    }
}
