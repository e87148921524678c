import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import RampartCore
import RampartLedger
import RampartStore

/// The OpenAI-compatible API on the public listener — the gateway's hot path (docs/design.md):
/// authenticate → read and validate the body → route → throttle → upstream → decision record → response.
///
/// Every request gets exactly one decision record, whether it is allowed, refused or failed, and every response
/// carries its id in `Rampart-Decision-Id`.
final class OpenAIProxy: Sendable {
    enum Endpoint: String, Sendable {
        case chatCompletions = "/chat/completions"
        case embeddings = "/embeddings"
    }

    let config: RampartConfig
    let keys: KeyRing
    let limiter: any RateLimiter
    let routes: RouteTable
    let upstreams: UpstreamPool
    let decisions: DecisionWriter
    let metrics: GatewayMetrics
    let logger: Logger
    /// The LLM guards of each route that has any.
    let guards: [String: RouteGuards]
    let consents: ConsentBook

    init(config: RampartConfig, keys: KeyRing, limiter: any RateLimiter, upstreams: UpstreamPool, decisions: DecisionWriter,
         metrics: GatewayMetrics, logger: Logger, guards: [String: RouteGuards] = [:], consents: ConsentBook = ConsentBook()) {
        self.guards = guards
        self.consents = consents
        self.config = config
        self.keys = keys
        self.limiter = limiter
        self.routes = RouteTable(routes: config.routes)
        self.upstreams = upstreams
        self.decisions = decisions
        self.metrics = metrics
        self.logger = logger
    }

    // MARK: - POST /v1/chat/completions, POST /v1/embeddings

    func handle(_ request: Request, endpoint: Endpoint) async -> Response {
        var draft = DecisionDraft(endpoint: "/v1" + endpoint.rawValue)
        do {
            try readRampartHeaders(request.headers, into: &draft)
            let key = try keys.authenticate(authorization: request.headers[.authorization], scope: .client).get()
            draft.tenant = key.tenant
            draft.keyID = key.id

            var body = try await collectBody(request)
            draft.requestSHA256 = Hex.encode(SHA256.hash(data: body.readableBytesView))

            let model: String
            var json: JSONValue
            var stream = false
            var promptCharacters = 0
            var injectUsage = false
            var chat: ChatCompletionRequest?
            var embeddings: EmbeddingsRequest?
            switch endpoint {
            case .chatCompletions:
                let parsed = try ChatCompletionRequest.parse(body)
                chat = parsed
                json = parsed.body
                model = parsed.model
                stream = parsed.stream
                promptCharacters = parsed.promptCharacters
                // Ask for usage on streams so daily token quotas hold; strip it again if the client did not ask.
                injectUsage = stream && !parsed.includeUsage
            case .embeddings:
                let parsed = try EmbeddingsRequest.parse(body)
                embeddings = parsed
                json = parsed.body
                model = parsed.model
                promptCharacters = parsed.input.textLength
            }
            draft.model = model
            draft.stream = stream

            guard let (route, upstreamModel) = routes.select(model: model) else {
                throw GatewayRefusal(status: .notFound, type: "invalid_request_error", code: "model_not_found",
                                     message: "no route serves model `\(model.prefix(80))`; see `GET /v1/models` for the models this key may use",
                                     param: "model")
            }
            draft.route = route.name
            guard key.mayUse(route: route.name) else {
                throw GatewayRefusal(status: .forbidden, type: "permission_error", code: "route_not_allowed",
                                     message: "this API key may not use route `\(route.name)`; create a key with `--routes \(route.name)`")
            }
            let subject = LimitSubject(keyID: key.id, route: route.name)
            try await admit(route: route, keyID: key.id)

            // Purpose and consent (after throttling, before the input guards).
            try checkPurposeAndConsent(route: route, draft: &draft)

            // Input guards (after throttling, before the upstream).
            var requestGuard = guards[route.name].map { RequestGuard(guards: $0, tenant: key.tenant) }
            var guarded = false
            if var state = requestGuard {
                do throws(RequestGuard.Blocked) {
                    var rewritten: JSONValue?
                    if let chat { rewritten = try state.guardChat(chat) }
                    if let embeddings { rewritten = try state.guardEmbeddings(embeddings) }
                    if let rewritten {
                        json = rewritten
                        guarded = true
                    }
                    requestGuard = state
                } catch {
                    draft.findings = RouteGuards.capped(state.findings)
                    return await blocked(error.block, draft: draft, guards: state.guards.config, model: model, stream: stream)
                }
                draft.findings = RouteGuards.capped(state.findings)
            }

            if upstreamModel != model || injectUsage || guarded {
                body = Self.rewrite(json, model: upstreamModel != model ? upstreamModel : nil, includeUsage: injectUsage)
            }
            guard let upstream = upstreams[route.name] else {
                throw GatewayRefusal(status: .internalServerError, type: "server_error", code: "internal_error", message: "route has no upstream client")
            }
            return try await forward(
                upstream: upstream, path: endpoint.rawValue, headers: request.headers, body: body, draft: draft, limitSubject: subject,
                promptCharacters: promptCharacters, stripUsage: injectUsage, requestGuard: endpoint == .chatCompletions ? requestGuard : nil)
        } catch let refusal as GatewayRefusal {
            return await answer(refusal, draft: draft)
        } catch {
            logger.error("unexpected error in the gateway", metadata: ["decision_id": "\(draft.id)", "error": "\(type(of: error))"])
            return await answer(.init(status: .internalServerError, type: "server_error", code: "internal_error",
                                      message: "the gateway hit an unexpected error; see its log for decision \(draft.id)"), draft: draft)
        }
    }

    // MARK: - GET /v1/models

    func models(_ request: Request) async -> Response {
        var draft = DecisionDraft(endpoint: "/v1/models")
        do {
            try readRampartHeaders(request.headers, into: &draft)
            let key = try keys.authenticate(authorization: request.headers[.authorization], scope: .client).get()
            draft.tenant = key.tenant
            draft.keyID = key.id
            var entries: [(id: String, owner: String)] = []
            var seen = Set<String>()
            for route in routes.routes where key.mayUse(route: route.name) {
                var names = route.models.filter { !$0.hasSuffix("*") }
                if route.models.isEmpty || route.models.contains(where: { $0.hasSuffix("*") }) {
                    names += await upstreamModels(route)
                }
                for name in names {
                    // List a name as-is when it routes here, else in its explicit `route/name` form.
                    let id = routes.select(model: name)?.route.name == route.name ? name : "\(route.name)/\(name)"
                    if seen.insert(id).inserted { entries.append((id, route.name)) }
                }
            }
            var json = #"{"object":"list","data":["#
            json += entries.map { #"{"id":"# + JSONValue.quote($0.id) + #","object":"model","created":0,"owned_by":"# + JSONValue.quote($0.owner) + "}" }
                .joined(separator: ",")
            json += "]}"
            let buffer = ByteBuffer(string: json)
            draft.responseSHA256 = Hex.encode(SHA256.hash(data: buffer.readableBytesView))
            guard await commit(draft.record(status: 200, verdict: .allowed, reason: nil)) else { return recordUnavailable(draft) }
            finish(draft, status: 200, verdict: .allowed, reason: nil)
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.rampartDecisionID] = draft.id
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
        } catch let refusal as GatewayRefusal {
            return await answer(refusal, draft: draft)
        } catch {
            return await answer(.init(status: .internalServerError, type: "server_error", code: "internal_error", message: "unexpected error"), draft: draft)
        }
    }

    /// Model ids a catch-all route's upstream lists at `GET …/models`; empty when it cannot say.
    private func upstreamModels(_ route: RouteConfig) async -> [String] {
        guard let upstream = upstreams[route.name] else { return [] }
        do {
            let response = try await upstream.client.execute(
                method: .GET, path: "/models", headers: UpstreamPool.forwardHeaders([:], upstream: upstream, hasBody: false), body: nil,
                mode: .collect(maxBytes: 4 << 20), headTimeout: .seconds(5), idleTimeout: .seconds(5))
            guard response.status == 200, case .complete(let body) = response.body else { return [] }
            return (try JSONValue.parse(body.readableBytesView))["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        } catch {
            logger.warning("could not list the upstream's models", metadata: ["route": "\(route.name)", "error": "\(type(of: error))"])
            return []
        }
    }

    // MARK: - Steps

    /// Throttling: the route's rate and daily quotas for this key (`rows` counts against a classifier route's
    /// `tokens_per_day`, checked as the request's size). Fails closed when the limits cannot be checked.
    func admit(route: RouteConfig, keyID: String, rows: Int = 0) async throws(GatewayRefusal) {
        let subject = LimitSubject(keyID: keyID, route: route.name)
        let admission: Admission
        do {
            admission = try await limiter.admit(subject, limits: route.limits, now: Date())
        } catch {
            // Fail closed: a request the limits cannot be checked for is not served (the shared limits live in
            // PostgreSQL; a replica that cannot reach it must not serve unthrottled).
            logger.error("could not check the rate limits; refusing", metadata: ["route": "\(route.name)", "error": "\(error)"])
            throw GatewayRefusal(status: .serviceUnavailable, type: "server_error", code: "limits_unavailable",
                                 message: "the rate limits cannot be checked right now; retry shortly", retryAfter: 1)
        }
        if case .refused(let reason, let retryAfter) = admission {
            throw GatewayRefusal(
                status: .tooManyRequests, type: reason == "rate_limited" ? "rate_limit_error" : "insufficient_quota", code: reason,
                message: reason == "rate_limited"
                    ? "rate limit of route `\(route.name)` reached for this key; retry after \(retryAfter) s"
                    : "daily \(reason == "daily_tokens_exhausted" ? (route.kind == .model ? "row" : "token") : "request") quota of route `\(route.name)` is used up for this key; it resets at 00:00 UTC",
                retryAfter: retryAfter)
        }
    }

    func readRampartHeaders(_ headers: HTTPFields, into draft: inout DecisionDraft) throws(GatewayRefusal) {
        func check(_ name: HTTPField.Name) throws(GatewayRefusal) -> String? {
            guard let value = headers[name] else { return nil }
            guard !value.isEmpty, value.utf8.count <= 256, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw .badRequest("header `\(name.rawName)` must be 1–256 printable characters (a pseudonymous id, never a name)",
                                  param: name.rawName, code: "invalid_header")
            }
            return value
        }
        draft.subject = try check(.rampartSubject)
        draft.purpose = try check(.rampartPurpose)
    }

    /// The guide's purpose specification and consent, enforced per request: the route's purpose is recorded with
    /// the decision; a route whose purpose rests on consent (or that requires a subject) needs `Rampart-Subject`, and
    /// that subject's consent for the purpose must be current — read from the in-memory consent book.
    func checkPurposeAndConsent(route: RouteConfig, draft: inout DecisionDraft) throws(GatewayRefusal) {
        guard let purposeID = route.purpose else {
            if route.requireSubject, draft.subject == nil { throw Self.subjectRequired(route) }
            return
        }
        if let asked = draft.purpose, asked != purposeID {
            throw GatewayRefusal(status: .forbidden, type: "permission_error", code: "purpose_not_served",
                                 message: "route `\(route.name)` serves purpose `\(purposeID)`, not `\(asked.prefix(64))` (Rampart-Purpose)")
        }
        draft.purpose = purposeID
        // One lookup per request: the subject's standing for the purpose (objection first, whatever the basis).
        let standing = draft.subject.map { consents.standing(subject: $0, purpose: purposeID, now: Date()) }
        if standing == .objected {
            throw GatewayRefusal(status: .forbidden, type: "permission_error", code: "objection_recorded",
                                 message: "the subject has objected to processing for purpose `\(purposeID)`")
        }
        let basis = config.purpose(purposeID)?.lawfulBasis
        guard route.requireSubject || basis == .consent else { return }
        guard draft.subject != nil else { throw Self.subjectRequired(route) }
        if basis == .consent, standing != .consented {
            throw GatewayRefusal(status: .forbidden, type: "permission_error", code: "consent_required",
                                 message: "the subject has not given consent for purpose `\(purposeID)`, or has withdrawn it; record it with `rampart ledger consent give`")
        }
    }

    private static func subjectRequired(_ route: RouteConfig) -> GatewayRefusal {
        GatewayRefusal(status: .forbidden, type: "permission_error", code: "subject_required",
                       message: "route `\(route.name)` needs a Rampart-Subject header: a pseudonymous id of the person the request is about")
    }

    func collectBody(_ request: Request) async throws(GatewayRefusal) -> ByteBuffer {
        let limit = config.server.maxBodyBytes
        let tooLarge = GatewayRefusal(status: .contentTooLarge, type: "invalid_request_error", code: "request_too_large",
                                      message: "the request body is larger than max_body_bytes (\(limit) bytes)")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        var collected = ByteBuffer()
        do {
            for try await chunk in request.body {
                guard collected.readableBytes + chunk.readableBytes <= limit else { throw tooLarge }
                var chunk = chunk
                collected.writeBuffer(&chunk)
            }
        } catch let refusal as GatewayRefusal {
            throw refusal
        } catch {
            throw GatewayRefusal(status: .init(code: 499, reasonPhrase: "Client Closed Request"), type: "invalid_request_error",
                                 code: "client_closed", message: "the client closed the connection while sending the body")
        }
        return collected
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

    private func forward(upstream: UpstreamPool.Upstream, path: String, headers: HTTPFields, body: ByteBuffer, draft: DecisionDraft,
                         limitSubject: LimitSubject, promptCharacters: Int, stripUsage: Bool, requestGuard: RequestGuard?) async throws -> Response {
        var draft = draft
        let route = upstream.route
        let headers = UpstreamPool.forwardHeaders(headers, upstream: upstream, hasBody: true)
        let upstreamStart = DispatchTime.now().uptimeNanoseconds
        let response: UpstreamResponse
        do {
            response = try await upstream.client.execute(
                method: .POST, path: path, headers: headers, body: body,
                mode: draft.stream ? .stream : .collect(maxBytes: config.server.maxUpstreamResponseBytes),
                headTimeout: upstream.timeout, idleTimeout: upstream.timeout)
        } catch {
            // Answer here, so the record keeps how long the upstream was waited for.
            draft.upstreamLatencyMs = Double(DispatchTime.now().uptimeNanoseconds - upstreamStart) / 1e6
            return await answer(Self.upstreamFailure(error, route: route), draft: draft)
        }
        draft.upstreamLatencyMs = Double(DispatchTime.now().uptimeNanoseconds - upstreamStart) / 1e6
        let status = response.status
        var responseHeaders = UpstreamPool.responseHeaders(response.headers)
        responseHeaders[.rampartDecisionID] = draft.id
        let isEventStream = response.headers.first(name: "content-type")?.lowercased().contains("text/event-stream") ?? false

        var buffer: ByteBuffer
        switch response.body {
        case .stream(let stream) where isEventStream && (200..<300).contains(status):
            metrics.request(route: route.name, status: status, seconds: draft.elapsedSeconds, upstreamSeconds: draft.upstreamLatencyMs.map { $0 / 1000 })
            let streamGuard = requestGuard.map(StreamGuard.init).flatMap { $0.isNeeded ? $0 : nil }
            let relay = StreamRelay(proxy: self, draft: draft, limitSubject: limitSubject, promptCharacters: promptCharacters, stripUsage: stripUsage,
                                    streamGuard: streamGuard)
            return Response(status: .init(code: status), headers: responseHeaders, body: ResponseBody { writer in
                try await relay.run(upstream: stream, writer: &writer)
            })
        case .stream(let stream):
            // A streamed request answered without an event stream (typically an error): relay it whole.
            do {
                buffer = try await stream.collect(upTo: config.server.maxUpstreamResponseBytes)
            } catch is NIOTooManyBytesError {
                return await answer(Self.upstreamFailure(UpstreamError(kind: .tooLarge, detail: "", responseStarted: true), route: route), draft: draft)
            } catch {
                return await answer(Self.upstreamFailure(error, route: route), draft: draft)
            }
        case .complete(let complete):
            buffer = complete
        }
        if (200..<300).contains(status), var state = requestGuard {
            // Output guards on a whole answer; error bodies from the upstream pass as they are.
            do throws(RequestGuard.Blocked) {
                if let guarded = try state.guardCompletion(buffer) {
                    buffer = guarded
                    responseHeaders[.contentLength] = nil
                }
                draft.findings = RouteGuards.capped(state.findings)
            } catch {
                draft.findings = RouteGuards.capped(state.findings)
                let usage = ResponseUsage.of(buffer, promptCharacters: promptCharacters)
                draft.usage = usage
                try? await limiter.recordUsage(limitSubject, tokens: usage.totalTokens, now: Date())
                return await blocked(error.block, draft: draft, guards: state.guards.config, model: draft.model ?? "", stream: false)
            }
        }
        if (200..<300).contains(status) {
            let usage = ResponseUsage.of(buffer, promptCharacters: promptCharacters)
            draft.usage = usage
            try? await limiter.recordUsage(limitSubject, tokens: usage.totalTokens, now: Date())
        }
        draft.responseSHA256 = Hex.encode(SHA256.hash(data: buffer.readableBytesView))
        let reason = (200..<300).contains(status) ? nil : "upstream_status_\(status)"
        guard await commit(draft.record(status: status, verdict: .allowed, reason: reason)) else { return recordUnavailable(draft) }
        finish(draft, status: status, verdict: .allowed, reason: reason)
        return Response(status: .init(code: status), headers: responseHeaders, body: .init(byteBuffer: buffer))
    }

    /// Answers a request a guard stopped, as `block_response` says: a refusal completion (200, or a short event
    /// stream when the client asked for one) or an OpenAI error (400). The record is `refused` with the guard's code.
    func blocked(_ block: GuardBlock, draft: DecisionDraft, guards: GuardsConfig, model: String, stream: Bool) async -> Response {
        var draft = draft
        metrics.guardBlock(stage: block.stage.rawValue, guardName: block.guardName)
        guard guards.blockResponse == .refusal else {
            return await answer(GuardAnswer.refusal(block), draft: draft)
        }
        let body = stream
            ? GuardAnswer.streamRefusal(block, model: model, decisionID: draft.id, withRole: true)
            : GuardAnswer.completion(block, model: model, decisionID: draft.id)
        draft.responseSHA256 = Hex.encode(SHA256.hash(data: body.readableBytesView))
        metrics.refusal(reason: block.code)
        guard await commit(draft.record(status: 200, verdict: .refused, reason: block.code)) else { return recordUnavailable(draft) }
        finish(draft, status: 200, verdict: .refused, reason: block.code)
        var headers = HTTPFields()
        headers[.contentType] = stream ? "text/event-stream" : "application/json"
        headers[.rampartDecisionID] = draft.id
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    static func upstreamFailure(_ error: any Error, route: RouteConfig) -> GatewayRefusal {
        switch (error as? UpstreamError)?.kind {
        case .timeout:
            return GatewayRefusal(status: .gatewayTimeout, type: "upstream_error", code: "upstream_timeout",
                                  message: "route `\(route.name)`'s upstream did not answer within \(route.timeoutSeconds) s")
        case .tooLarge:
            return GatewayRefusal(status: .badGateway, type: "upstream_error", code: "upstream_response_too_large",
                                  message: "the upstream's response is larger than max_upstream_response_bytes")
        case .protocolError:
            return GatewayRefusal(status: .badGateway, type: "upstream_error", code: "upstream_protocol_error",
                                  message: "route `\(route.name)`'s upstream did not answer in HTTP/1.1")
        default:
            return GatewayRefusal(status: .badGateway, type: "upstream_error", code: "upstream_unreachable",
                                  message: "route `\(route.name)`'s upstream could not be reached or broke off the response")
        }
    }

    // MARK: - Records and answers

    /// Stores `record` as the durability setting says; `false` when strict and it could not be stored.
    func commit(_ record: DecisionRecord) async -> Bool {
        do {
            switch config.store.durability {
            case .strict: _ = try await decisions.append(record)
            case .relaxed: try await decisions.enqueue(record)
            }
            return true
        } catch {
            metrics.decisionWriteFailed()
            logger.error("decision record could not be stored; withholding the response", metadata: ["decision_id": "\(record.id)", "error": "\(error)"])
            return false
        }
    }

    /// Fail closed: without its record, a response is not sent (guide: traceability).
    func recordUnavailable(_ draft: DecisionDraft) -> Response {
        metrics.request(route: draft.route, status: 503, seconds: draft.elapsedSeconds, upstreamSeconds: nil)
        metrics.refusal(reason: "decision_record_unavailable")
        return GatewayRefusal(status: .serviceUnavailable, type: "server_error", code: "decision_record_unavailable",
                              message: "the decision record could not be stored, so the response is withheld; check the store")
            .response(decisionID: draft.id)
    }

    func answer(_ refusal: GatewayRefusal, draft: DecisionDraft) async -> Response {
        var draft = draft
        let response = refusal.response(decisionID: draft.id)
        draft.responseSHA256 = Hex.encode(SHA256.hash(data: refusal.body().readableBytesView))
        let verdict: Verdict = refusal.isFailure ? .failed : .refused
        metrics.refusal(reason: refusal.code)
        guard await commit(draft.record(status: Int(refusal.status.code), verdict: verdict, reason: refusal.code)) else {
            return recordUnavailable(draft)
        }
        finish(draft, status: Int(refusal.status.code), verdict: verdict, reason: refusal.code)
        return response
    }

    /// Metrics and the access log line (ids and outcomes only: never keys, prompts or completions).
    func finish(_ draft: DecisionDraft, status: Int, verdict: Verdict, reason: String?, countRequest: Bool = true) {
        if countRequest {
            metrics.request(route: draft.route, status: status, seconds: draft.elapsedSeconds, upstreamSeconds: draft.upstreamLatencyMs.map { $0 / 1000 })
        }
        var metadata: Logger.Metadata = [
            "decision_id": "\(draft.id)", "endpoint": "\(draft.endpoint)", "status": "\(status)", "verdict": "\(verdict.rawValue)",
            "latency_ms": "\(String(format: "%.2f", draft.elapsedSeconds * 1000))",
        ]
        if let route = draft.route { metadata["route"] = "\(route)" }
        if let tenant = draft.tenant { metadata["tenant"] = "\(tenant)" }
        if let keyID = draft.keyID { metadata["key_id"] = "\(keyID)" }
        if let reason { metadata["reason"] = "\(reason)" }
        if let usage = draft.usage { metadata["total_tokens"] = "\(usage.totalTokens)" }
        logger.debug("request", metadata: metadata)
    }
}
