import Foundation
import Hummingbird
import Logging
import NIOCore
import RampartCore
import RampartLedger
import RampartStore

/// The one path every request on the public listener takes, whatever its protocol — the gateway's hot path. The
/// stages run in this order (this comment is where the order is written down; docs/design.md shows it from here):
///
/// 1. **authenticate** — the `Rampart-Subject` and `Rampart-Purpose` headers are read and checked, then the client
///    key (`Stages/Authenticate.swift`);
/// 2. **read the body** — at most `server.max_body_bytes` (`Stages/ReadBody.swift`);
/// 3. **route** — the protocol adapter decodes the request far enough to pick its route (the `model` field, or the
///    path); the key must be allowed to use that route; then the adapter validates the request for it, so a key
///    learns nothing about the model behind a route it may not use (`Stages/Route.swift`);
/// 4. **limits** — the route's token bucket and daily quotas for the key; fail closed (`Stages/Limits.swift`);
/// 5. **purpose & consent** — the route's purpose, the subject's consent and objections (`Stages/PurposeAndConsent.swift`);
/// 6. **input checks** — the LLM input guards, or the classifier's evasion monitor;
/// 7. **upstream** — an OpenAI-compatible LLM, a remote KServe v2 server or a local ONNX model;
/// 8. **output checks** — the LLM output guards (streams chunk by chunk), or the extraction monitor, the confidence
///    policy and smoothing (6–8 are the adapter's ``ProtocolAdapter/exchange(_:route:key:draft:pipeline:)``, in the
///    files named for them under `OpenAI/` and `KServe/`);
/// 9. **decision record** — one per request, whatever happened, committed before the answer under strict
///    durability; fail closed (`Stages/DecisionRecord.swift`);
/// 10. **answer** — in the client's protocol, with `Rampart-Decision-Id` (`Stages/Answer.swift`).
///
/// A refusal at any stage skips to 9 and 10: it is recorded and answered in the adapter's error shape, with a code
/// from the one catalog (``RefusalCode``). Requests that only describe a route (`GET /v2/models/{name}`) stop
/// after 3. OpenAI and KServe v2 are adapters (``ProtocolAdapter``): they translate in and out and never call each
/// other; a new protocol adds an adapter, never a second pipeline.
final class RequestPipeline: Sendable {
    let config: RampartConfig
    let keys: KeyRing
    let limiter: any RateLimiter
    let decisions: DecisionWriter
    let metrics: GatewayMetrics
    let logger: Logger
    let consents: ConsentBook

    init(config: RampartConfig, keys: KeyRing, limiter: any RateLimiter, decisions: DecisionWriter, metrics: GatewayMetrics, logger: Logger,
         consents: ConsentBook = ConsentBook()) {
        self.config = config
        self.keys = keys
        self.limiter = limiter
        self.decisions = decisions
        self.metrics = metrics
        self.logger = logger
        self.consents = consents
    }

    /// Runs one request through the stages with `adapter` and answers it.
    func run<Adapter: ProtocolAdapter>(_ request: Request, _ target: Adapter.Target, adapter: Adapter) async -> Response {
        var draft = DecisionDraft(endpoint: adapter.endpoint(target))
        do {
            let key = try authenticate(request.headers, draft: &draft)                               // 1
            let body = try await readBody(request, draft: &draft)                                  // 2
            let (route, routed) = try await adapter.route(target, body: body, draft: &draft)        // 3
            try allow(key, on: route, draft: &draft)
            let call = try await adapter.decode(routed, route: route, draft: &draft)
            if let description = adapter.description(of: call) { return await answer(description, draft: draft) }
            try await admit(route: route, keyID: key.id, rows: adapter.rows(of: call))            // 4
            try checkPurposeAndConsent(route: route, draft: &draft)                                // 5
            switch try await adapter.exchange(call, route: route, key: key, draft: &draft, pipeline: self) {  // 6–8
            case .complete(let reply, let draft):
                return await answer(reply, draft: draft)                                            // 9, 10
            case .streaming(let response):
                return response                                                                     // 9 when the stream ends
            }
        } catch var refusal {
            refusal.shape = adapter.refusalShape
            return await answer(refusal, draft: draft)
        }
    }
}
