import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RampartCore

extension OpenAIAdapter {
    /// Stage 7 on an LLM route: the request goes to the route's OpenAI-compatible upstream. A stream is relayed event
    /// by event (``StreamRelay``, which runs the output checks on each chunk and commits the record when it ends); a
    /// whole answer goes through ``outputChecks(_:status:call:route:requestGuard:draft:pipeline:)``. The upstream's own
    /// errors pass as they are (verdict `allowed`, reason `upstream_status_<code>`).
    func upstream(_ call: Call, route: RouteConfig, requestGuard: RequestGuard?, draft: inout DecisionDraft, pipeline: RequestPipeline)
        async throws(GatewayRefusal) -> Exchange
    {
        guard let upstream = upstreams[route.name] else { throw GatewayRefusal(.internalError, "route has no upstream client") }
        let headers = UpstreamPool.forwardHeaders(call.target.headers, upstream: upstream, hasBody: true)
        let upstreamStart = DispatchTime.now().uptimeNanoseconds
        let response: UpstreamResponse
        do {
            response = try await upstream.client.execute(
                method: .POST, path: call.target.endpoint.rawValue, headers: headers, body: call.body,
                mode: call.stream ? .stream : .collect(maxBytes: maxUpstreamResponseBytes),
                headTimeout: upstream.timeout, idleTimeout: upstream.timeout)
        } catch {
            // The record keeps how long the upstream was waited for.
            draft.upstreamLatencyMs = Double(DispatchTime.now().uptimeNanoseconds - upstreamStart) / 1e6
            throw RequestPipeline.upstreamFailure(error, route: route)
        }
        draft.upstreamLatencyMs = Double(DispatchTime.now().uptimeNanoseconds - upstreamStart) / 1e6
        let status = response.status
        var responseHeaders = UpstreamPool.responseHeaders(response.headers)
        responseHeaders[.rampartDecisionID] = draft.id
        let isEventStream = response.headers.first(name: "content-type")?.lowercased().contains("text/event-stream") ?? false

        let buffer: ByteBuffer
        switch response.body {
        case .stream(let stream) where isEventStream && (200..<300).contains(status):
            pipeline.metrics.request(route: route.name, status: status, seconds: draft.elapsedSeconds, upstreamSeconds: draft.upstreamLatencyMs.map { $0 / 1000 })
            let streamGuard = requestGuard.map(StreamGuard.init).flatMap { $0.isNeeded ? $0 : nil }
            let relay = StreamRelay(pipeline: pipeline, route: route, draft: draft, keyID: draft.keyID, promptCharacters: call.promptCharacters,
                                    stripUsage: call.injectUsage, streamGuard: streamGuard, logger: logger)
            return .streaming(Response(status: .init(code: status), headers: responseHeaders, body: ResponseBody { writer in
                try await relay.run(upstream: stream, writer: &writer)
            }))
        case .stream(let stream):
            // A streamed request answered without an event stream (typically an error): relay it whole.
            do {
                buffer = try await stream.collect(upTo: maxUpstreamResponseBytes)
            } catch is NIOTooManyBytesError {
                throw RequestPipeline.upstreamFailure(UpstreamError(kind: .tooLarge, detail: "", responseStarted: true), route: route)
            } catch {
                throw RequestPipeline.upstreamFailure(error, route: route)
            }
        case .complete(let complete):
            buffer = complete
        }
        responseHeaders[.rampartDecisionID] = nil
        return try await outputChecks(buffer, status: status, headers: responseHeaders, call: call, route: route, requestGuard: requestGuard,
                                      draft: &draft, pipeline: pipeline)
    }
}
