import HTTPTypes
import Logging
import NIOCore
import RampartCore

/// OpenAI's API on the public listener (`POST /v1/chat/completions`, `POST /v1/embeddings`): decodes a request into
/// the pipeline's terms — its `model` picks the route (docs/routing.md) — and runs the
/// LLM route's stages: the input guards (`+InputChecks`), the upstream with streams relayed event by event
/// (`+Upstream`), and the output guards (`+OutputChecks`). Refusals are OpenAI errors, so SDKs raise their own types.
struct OpenAIAdapter: ProtocolAdapter {
    enum Endpoint: String, Sendable {
        case chatCompletions = "/chat/completions"
        case embeddings = "/embeddings"
    }

    /// The endpoint, and the client's headers (some of which go upstream: ``UpstreamPool/forwardHeaders(_:upstream:hasBody:)``).
    struct Target: Sendable {
        var endpoint: Endpoint
        var headers: HTTPFields
    }

    /// A request decoded, with what the stages need from it; the body itself passes through untouched unless a stage
    /// rewrites it.
    struct Call: Sendable {
        var target: Target
        var json: JSONValue
        var body: ByteBuffer
        var model: String
        /// The model name sent upstream (`ROUTE/NAME` sends `NAME`).
        var upstreamModel: String
        var stream: Bool
        /// Characters of prompt text, for token estimates when the upstream reports no usage.
        var promptCharacters: Int
        /// The gateway asks for usage on streams so daily token quotas hold, and strips it again if the client did not ask.
        var injectUsage: Bool
        var chat: ChatCompletionRequest?
        var embeddings: EmbeddingsRequest?
    }

    let routes: RouteTable
    let upstreams: UpstreamPool
    /// The LLM guards of each route that has any.
    let guards: [String: RouteGuards]
    let maxUpstreamResponseBytes: Int
    let logger: Logger

    var refusalShape: GatewayRefusal.Shape { .openai }

    func endpoint(_ target: Target) -> String { "/v1" + target.endpoint.rawValue }

    func route(_ target: Target, body: ByteBuffer, draft: inout DecisionDraft) async throws(GatewayRefusal) -> (RouteConfig, Call) {
        var call: Call
        switch target.endpoint {
        case .chatCompletions:
            let parsed = try ChatCompletionRequest.parse(body)
            call = Call(target: target, json: parsed.body, body: body, model: parsed.model, upstreamModel: parsed.model, stream: parsed.stream,
                        promptCharacters: parsed.promptCharacters, injectUsage: parsed.stream && !parsed.includeUsage, chat: parsed)
        case .embeddings:
            let parsed = try EmbeddingsRequest.parse(body)
            call = Call(target: target, json: parsed.body, body: body, model: parsed.model, upstreamModel: parsed.model, stream: false,
                        promptCharacters: parsed.input.textLength, injectUsage: false, embeddings: parsed)
        }
        draft.model = call.model
        draft.stream = call.stream
        guard let (route, upstreamModel) = routes.select(model: call.model) else {
            throw GatewayRefusal(.modelNotFound, "no route serves model `\(call.model.prefix(80))`; see `GET /v1/models` for the models this key may use",
                                 param: "model")
        }
        call.upstreamModel = upstreamModel
        return (route, call)
    }

    func decode(_ routed: Call, route: RouteConfig, draft: inout DecisionDraft) async throws(GatewayRefusal) -> Call { routed }

    func description(of call: Call) -> Reply? { nil }

    func rows(of call: Call) -> Int { 0 }

    func exchange(_ call: Call, route: RouteConfig, key: APIKeyRecord, draft: inout DecisionDraft, pipeline: RequestPipeline)
        async throws(GatewayRefusal) -> Exchange
    {
        var call = call
        var requestGuard = guards[route.name].map { RequestGuard(guards: $0, tenant: key.tenant) }
        if let blocked = try inputChecks(&call, requestGuard: &requestGuard, draft: &draft, pipeline: pipeline) {   // 6
            return .complete(blocked, draft)
        }
        return try await upstream(call, route: route, requestGuard: requestGuard, draft: &draft, pipeline: pipeline)   // 7, 8
    }

    /// The request body with `model` replaced and/or `stream_options.include_usage` set; every other member
    /// keeps its place and its exact text.
    static func rewrite(_ body: JSONValue, model: String?, includeUsage: Bool) -> ByteBuffer {
        var body = body
        if let model { body = body.setting("model", to: .string(model)) }
        if includeUsage {
            var options = body["stream_options"] ?? .object([])
            if case .object = options {} else { options = .object([]) }
            body = body.setting("stream_options", to: options.setting("include_usage", to: .bool(true)))
        }
        return ByteBuffer(bytes: body.encoded())
    }

    /// How a guard's block is answered, as `block_response` says: a refusal completion (200, or a short event stream
    /// when the client asked for one), or an OpenAI error (thrown: 400, or 502 for `guard_error`). Either way the record
    /// is `refused` with the guard's code.
    func blocked(_ block: GuardBlock, draft: DecisionDraft, guards: GuardsConfig, stream: Bool, pipeline: RequestPipeline) throws(GatewayRefusal) -> Reply {
        pipeline.metrics.guardBlock(stage: block.stage.rawValue, guardName: block.guardName)
        guard guards.blockResponse == .refusal else { throw GuardAnswer.refusal(block) }
        let model = draft.model ?? ""
        var headers = HTTPFields()
        headers[.contentType] = stream ? "text/event-stream" : "application/json"
        let body = stream
            ? GuardAnswer.streamRefusal(block, model: model, decisionID: draft.id, withRole: true)
            : GuardAnswer.completion(block, model: model, decisionID: draft.id)
        return Reply(status: 200, headers: headers, body: body, verdict: .refused, reason: block.code.rawValue)
    }
}
