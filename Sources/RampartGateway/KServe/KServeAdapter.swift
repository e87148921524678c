import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RampartCore
import RampartML
import RampartONNX

/// The KServe v2 / Open Inference Protocol (JSON) for classifier routes (`kind: model`, `kind: kserve`;
/// docs/models.md), read and written by RampartCore's codec:
///
/// - `GET /v2/models/{route}` — metadata: the input, and the outputs the confidence policy lets through;
/// - `GET /v2/models/{route}/ready`;
/// - `POST /v2/models/{route}/infer`.
///
/// Inputs are validated before the model runs — name, datatype, shape against the model's declaration, every value
/// finite and inside the route's declared range — and a bad one is a 400 naming the tensor and the index. The
/// classifier's stages are the evasion monitor (input checks), the model (upstream: local or remote), and the
/// extraction monitor, randomized smoothing and the confidence policy (output checks). Errors use the protocol's
/// shape, `{"error": "…"}`, with Rampart's `code` beside it.
struct KServeAdapter: ProtocolAdapter {
    enum Action: String, Sendable { case metadata = "", ready = "/ready", infer = "/infer" }

    /// The route named in the path, and what is asked of it.
    struct Target: Sendable {
        var name: String
        var action: Action
    }

    /// A request for a served model, before and after validation.
    struct Call: Sendable {
        var served: ServedModel
        var action: Action
        var body: ByteBuffer
        var signature: ServedModel.Signature?
        var input: ServedModel.Input?
    }

    let models: [String: ServedModel]
    let logger: Logger

    var refusalShape: GatewayRefusal.Shape { .kserve }

    func add(to router: Router<GatewayRequestContext>, pipeline: RequestPipeline) {
        router.get("/v2/health/live") { _, _ in Self.json(#"{"live":true}"#) }
        router.get("/v2/health/ready") { _, _ in Self.json(#"{"ready":true}"#) }
        for (path, action) in [("/v2/models/:name", Action.metadata), ("/v2/models/:name/ready", .ready)] {
            router.get(RouterPath(path)) { request, context in
                await pipeline.run(request, Target(name: context.parameters.get("name") ?? "", action: action), adapter: self)
            }
        }
        router.post("/v2/models/:name/infer") { request, context in
            await pipeline.run(request, Target(name: context.parameters.get("name") ?? "", action: .infer), adapter: self)
        }
    }

    static func json(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func endpoint(_ target: Target) -> String { "/v2/models/\(target.name.prefix(64))\(target.action.rawValue)" }

    func route(_ target: Target, body: ByteBuffer, draft: inout DecisionDraft) async throws(GatewayRefusal) -> (RouteConfig, Call) {
        guard let served = models[target.name] else {
            throw GatewayRefusal(.modelNotFound, "no classifier route is named `\(target.name.prefix(64))`", param: "name")
        }
        draft.model = served.route.name
        return (served.route, Call(served: served, action: target.action, body: body))
    }

    func decode(_ routed: Call, route: RouteConfig, draft: inout DecisionDraft) async throws(GatewayRefusal) -> Call {
        var call = routed
        let signature = try await call.served.signature()
        call.signature = signature
        if call.action == .infer { call.input = try call.served.decodeRequest(call.body, signature: signature) }
        return call
    }

    func description(of call: Call) -> Reply? {
        guard let signature = call.signature else { return nil }
        switch call.action {
        case .metadata: return .json(Self.metadata(call.served, signature))
        case .ready: return .json(#"{"name":"# + JSONValue.quote(call.served.route.name) + #","ready":true}"#)
        case .infer: return nil
        }
    }

    func rows(of call: Call) -> Int { call.input?.rows ?? 0 }

    func exchange(_ call: Call, route: RouteConfig, key: APIKeyRecord, draft: inout DecisionDraft, pipeline: RequestPipeline)
        async throws(GatewayRefusal) -> Exchange
    {
        guard let input = call.input, let signature = call.signature else { throw GatewayRefusal(.internalError, "the request was not decoded") }
        let clients = ModelMonitor.clients(keyID: key.id, subject: draft.subject)
        try inputChecks(input, served: call.served, clients: clients, draft: &draft)                                     // 6
        let outputs = try await upstream(input, served: call.served, signature: signature, draft: &draft)                  // 7
        let answer = try outputChecks(outputs, input: input, served: call.served, signature: signature, clients: clients, draft: &draft)  // 8
        draft.usage = TokenUsage(promptTokens: input.rows, completionTokens: 0, totalTokens: input.rows)
        await pipeline.recordUsage(route: route.name, keyID: key.id, tokens: input.rows)
        return .complete(.json(answer.json()), draft)
    }

    static func metadata(_ served: ServedModel, _ signature: ServedModel.Signature) -> String {
        let platform = if case .remote = served.backend { "kserve" } else { "onnx" }
        return ModelMetadata(name: served.route.name, versions: ["1"], platform: platform,
                             inputs: [TensorMetadata(name: signature.input, datatype: "FP32", shape: signature.inputShape)],
                             outputs: ConfidencePolicy.declaredOutputs(served, signature)).json()
    }
}
