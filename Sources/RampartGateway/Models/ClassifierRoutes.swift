import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RampartCore
import RampartML
import RampartONNX

/// Classifier routes over KServe v2 / the Open Inference Protocol (JSON), for `kind: model` routes (docs/models.md):
///
/// - `GET /v2/models/{route}` — metadata: inputs and the outputs the confidence policy lets through;
/// - `GET /v2/models/{route}/ready`;
/// - `POST /v2/models/{route}/infer`.
///
/// The path is the LLM routes': client key → body → route → limits → purpose and consent → model → decision record →
/// response, and every answer carries `Rampart-Decision-Id`. Inputs are validated before the model runs — name,
/// datatype, shape against the model's declaration, every value finite and inside the route's declared range — and a
/// bad one is a 400 naming the tensor and the index. Answers carry only what `output.confidence` allows (the guide:
/// "excluding confidence from the output" against model theft, membership inference and model inversion).
/// Errors use the protocol's shape, `{"error": "…"}`, with Rampart's `code` beside it.
final class ClassifierRoutes: Sendable {
    let proxy: OpenAIProxy
    let models: [String: ServedModel]

    init(proxy: OpenAIProxy, models: [String: ServedModel]) {
        self.proxy = proxy
        self.models = models
    }

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/v2/health/live") { _, _ in Self.json(#"{"live":true}"#) }
        router.get("/v2/health/ready") { _, _ in Self.json(#"{"ready":true}"#) }
        router.get("/v2/models/:name") { request, context in
            await self.handle(request, name: context.parameters.get("name") ?? "", action: .metadata)
        }
        router.get("/v2/models/:name/ready") { request, context in
            await self.handle(request, name: context.parameters.get("name") ?? "", action: .ready)
        }
        router.post("/v2/models/:name/infer") { request, context in
            await self.handle(request, name: context.parameters.get("name") ?? "", action: .infer)
        }
    }

    enum Action: String { case metadata = "", ready = "/ready", infer = "/infer" }

    static func json(_ text: String, status: HTTPResponse.Status = .ok, decisionID: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let decisionID { headers[.rampartDecisionID] = decisionID }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func handle(_ request: Request, name: String, action: Action) async -> Response {
        var draft = DecisionDraft(endpoint: "/v2/models/\(name.prefix(64))\(action.rawValue)")
        do {
            try proxy.readRampartHeaders(request.headers, into: &draft)
            let key = try proxy.keys.authenticate(authorization: request.headers[.authorization], scope: .client).get()
            draft.tenant = key.tenant
            draft.keyID = key.id
            guard let served = models[name] else {
                throw GatewayRefusal(status: .notFound, type: "invalid_request_error", code: "model_not_found",
                                     message: "no classifier route is named `\(name.prefix(64))`", param: "name")
            }
            draft.route = served.route.name
            draft.model = served.route.name
            guard key.mayUse(route: served.route.name) else {
                throw GatewayRefusal(status: .forbidden, type: "permission_error", code: "route_not_allowed",
                                     message: "this API key may not use route `\(served.route.name)`; create a key with `--routes \(served.route.name)`")
            }
            let signature = try await served.signature()
            switch action {
            case .metadata: return await allowed(Self.metadata(served, signature), draft: draft)
            case .ready: return await allowed(#"{"name":"# + JSONValue.quote(served.route.name) + #","ready":true}"#, draft: draft)
            case .infer: break
            }
            let body = try await proxy.collectBody(request)
            draft.requestSHA256 = Hex.encode(SHA256.hash(data: body.readableBytesView))
            let parsed = try InferenceRequest.parse(body, for: served, signature: signature)
            try await proxy.admit(route: served.route, keyID: key.id, rows: parsed.rows)
            try proxy.checkPurposeAndConsent(route: served.route, draft: &draft)
            // Model-access monitors: evasion before the model runs (it needs only the input), extraction after (it needs
            // the predicted class). Their alerts go into the decision record either way.
            let clients = ModelMonitor.clients(keyID: key.id, subject: draft.subject)
            let before = served.monitor.beforeInference(clients: clients, rows: parsed.tensor)
            draft.findings += before.findings
            if let refusal = before.refusal { throw refusal }
            let upstreamStart = DispatchTime.now().uptimeNanoseconds
            let outputs = try await served.infer(parsed.tensor, signature: signature, decisionID: draft.id, logger: proxy.logger)
            if case .remote = served.backend { draft.upstreamLatencyMs = Double(DispatchTime.now().uptimeNanoseconds - upstreamStart) / 1e6 }
            var smoothed: [Int?]?
            if served.smoothing != nil {
                do {
                    smoothed = try served.smoothedLabels(parsed.tensor, signature: signature)
                } catch {
                    proxy.logger.warning("the model failed on a request", metadata: ["decision_id": "\(draft.id)", "route": "\(served.route.name)", "error": "\(error)"])
                    throw GatewayRefusal(status: .unprocessableContent, type: "invalid_request_error", code: "inference_failed",
                                         message: "the model could not run on this input; decision \(draft.id) in the gateway's log says why", param: "inputs[0]")
                }
            }
            let after = served.monitor.afterInference(clients: clients, rows: parsed.tensor, classes: served.classes(outputs, signature: signature))
            draft.findings += after.findings
            if let refusal = after.refusal { throw refusal }
            draft.usage = TokenUsage(promptTokens: parsed.rows, completionTokens: 0, totalTokens: parsed.rows)
            try? await proxy.limiter.recordUsage(LimitSubject(keyID: key.id, route: served.route.name), tokens: parsed.rows, now: Date())
            let response = try InferenceResponse.render(outputs, served: served, signature: signature, id: parsed.id, smoothed: smoothed)
            return await allowed(response, draft: draft)
        } catch var refusal as GatewayRefusal {
            refusal.shape = .kserve
            return await proxy.answer(refusal, draft: draft)
        } catch {
            proxy.logger.error("unexpected error on a classifier route", metadata: ["decision_id": "\(draft.id)", "error": "\(type(of: error))"])
            var refusal = GatewayRefusal(status: .internalServerError, type: "server_error", code: "internal_error",
                                         message: "the gateway hit an unexpected error; see its log for decision \(draft.id)")
            refusal.shape = .kserve
            return await proxy.answer(refusal, draft: draft)
        }
    }

    private func allowed(_ text: String, draft: DecisionDraft) async -> Response {
        var draft = draft
        let buffer = ByteBuffer(string: text)
        draft.responseSHA256 = Hex.encode(SHA256.hash(data: buffer.readableBytesView))
        guard await proxy.commit(draft.record(status: 200, verdict: .allowed, reason: nil)) else { return proxy.recordUnavailable(draft) }
        proxy.finish(draft, status: 200, verdict: .allowed, reason: nil)
        return Self.json(text, decisionID: draft.id)
    }

    static func metadata(_ served: ServedModel, _ signature: ServedModel.Signature) -> String {
        func tensor(_ t: ServedModel.Tensor2) -> String {
            #"{"name":"# + JSONValue.quote(t.name) + #","datatype":"# + JSONValue.quote(t.datatype) + #","shape":["#
                + t.shape.map(String.init).joined(separator: ",") + "]}"
        }
        let input = ServedModel.Tensor2(name: signature.input, datatype: "FP32", shape: signature.inputShape)
        let platform = if case .remote = served.backend { "kserve" } else { "onnx" }
        return #"{"name":"# + JSONValue.quote(served.route.name) + #","versions":["1"],"platform":"# + JSONValue.quote(platform) + #","inputs":["#
            + tensor(input) + #"],"outputs":["# + served.declaredOutputs(signature).map(tensor).joined(separator: ",") + "]}"
    }
}

/// A parsed and validated `POST /v2/models/{name}/infer` body.
struct InferenceRequest {
    var id: String?
    var tensor: Tensor
    var rows: Int

    static func parse(_ body: ByteBuffer, for served: ServedModel, signature: ServedModel.Signature) throws(GatewayRefusal) -> InferenceRequest {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body.readableBytesView)
        } catch {
            throw .badRequest("the body is not valid JSON: \(error)", code: "invalid_json")
        }
        guard case .object = json else { throw .badRequest("the body must be a JSON object with `inputs`", code: "invalid_request") }
        let id = json["id"]?.stringValue
        guard let inputs = json["inputs"]?.arrayValue, !inputs.isEmpty else {
            throw .badRequest("`inputs` must be a non-empty list of tensors", param: "inputs", code: "invalid_request")
        }
        guard inputs.count == 1 else {
            throw .badRequest("the model takes one input, `\(signature.input)`; the request has \(inputs.count)", param: "inputs", code: "invalid_input")
        }
        let input = inputs[0]
        let param = "inputs[0]"
        guard let name = input["name"]?.stringValue else { throw .badRequest("every input needs a `name`", param: "\(param).name", code: "invalid_input") }
        guard name == signature.input else {
            throw .badRequest("the model has no input `\(name.prefix(64))`; its input is `\(signature.input)`", param: "\(param).name", code: "invalid_input")
        }
        guard let datatype = input["datatype"]?.stringValue, ["FP32", "FP64"].contains(datatype) else {
            throw .badRequest("input `\(name)` must have `datatype` FP32 (or FP64)", param: "\(param).datatype", code: "invalid_input")
        }
        guard let shapeValues = input["shape"]?.arrayValue else {
            throw .badRequest("input `\(name)` needs a `shape`", param: "\(param).shape", code: "invalid_input")
        }
        var shape: [Int] = []
        for (axis, value) in shapeValues.enumerated() {
            guard let d = value.intValue, d >= 1, d <= 1 << 24 else {
                throw .badRequest("input `\(name)`: shape[\(axis)] must be a whole number from 1 to 16777216", param: "\(param).shape", code: "invalid_input")
            }
            shape.append(d)
        }
        guard shape.count == signature.inputShape.count else {
            throw .badRequest("input `\(name)` has shape \(shape); the model takes rank \(signature.inputShape.count) \(signature.inputShape.map { $0 < 0 ? "N" : String($0) })",
                              param: "\(param).shape", code: "invalid_shape")
        }
        for (axis, (given, declared)) in zip(shape, signature.inputShape).enumerated() where declared >= 0 && given != declared {
            throw .badRequest("input `\(name)`: dimension \(axis) is \(given), the model declares \(declared)", param: "\(param).shape", code: "invalid_shape")
        }
        guard let count = try? Tensor.count(of: shape), count <= 1 << 24 else {
            throw .badRequest("input `\(name)` has too many values for shape \(shape)", param: "\(param).shape", code: "invalid_shape")
        }
        guard let data = input["data"]?.arrayValue else {
            throw .badRequest("input `\(name)` needs `data`, a list of numbers in row-major order", param: "\(param).data", code: "invalid_input")
        }
        var values: [Float] = []
        values.reserveCapacity(count)
        let range = served.config.inputRanges[name]
        func flatten(_ items: [JSONValue]) throws(GatewayRefusal) {
            for item in items {
                if case .array(let nested) = item {
                    try flatten(nested)
                    continue
                }
                let index = values.count
                guard index < count else { return }
                guard case .number(let text) = item, let d = Double(text) else {
                    throw .badRequest("input `\(name)`: value at index \(index) \(position(index, shape)) is not a number", param: "\(param).data[\(index)]",
                                      code: "invalid_value")
                }
                let f = Float(d)
                guard f.isFinite else {
                    throw .badRequest("input `\(name)`: value at index \(index) \(position(index, shape)) is not finite in FP32", param: "\(param).data[\(index)]",
                                      code: "invalid_value")
                }
                if let range, !range.contains(d) {
                    throw .badRequest("input `\(name)`: value \(text) at index \(index) \(position(index, shape)) is outside the declared range [\(range.lowerBound), \(range.upperBound)]",
                                      param: "\(param).data[\(index)]", code: "out_of_range")
                }
                values.append(f)
            }
        }
        try flatten(data)
        let total = Self.countLeaves(data)
        guard total == count else {
            throw .badRequest("input `\(name)`: shape \(shape) holds \(count) values, `data` has \(total)", param: "\(param).data", code: "invalid_shape")
        }
        guard let tensor = try? Tensor(shape: shape, data: values) else {
            throw .badRequest("input `\(name)`: shape \(shape) does not match its data", param: "\(param).data", code: "invalid_shape")
        }
        return InferenceRequest(id: id, tensor: tensor, rows: shape.first ?? 1)
    }

    static func countLeaves(_ items: [JSONValue]) -> Int {
        items.reduce(0) { total, item in
            if case .array(let nested) = item { return total + countLeaves(nested) }
            return total + 1
        }
    }

    /// `[row, column, …]` of a flat index.
    static func position(_ index: Int, _ shape: [Int]) -> String {
        var rest = index
        let strides = Tensor.strides(of: shape)
        return "[" + strides.map { stride in
            let coordinate = rest / Swift.max(stride, 1)
            rest -= coordinate * stride
            return String(coordinate)
        }.joined(separator: ", ") + "]"
    }
}

/// The response body: the label, and the scores as the route's confidence policy allows.
enum InferenceResponse {
    /// `smoothed`: the smoothed label per row (nil: abstained), which replaces the model's label.
    static func render(_ outputs: [String: ONNXValue], served: ServedModel, signature: ServedModel.Signature, id: String?,
                       smoothed: [Int?]? = nil) throws(GatewayRefusal) -> String {
        var scores: Tensor?
        var classLabels: ClassLabels?
        switch signature.scoreOutput.flatMap({ outputs[$0] }) {
        case .floats(let t)?: scores = t.rank == 1 ? try? t.reshaped([t.count, 1]) : t
        case .maps(let labels, let p)?:
            scores = p
            classLabels = labels
        default: break
        }
        var labelJSON: (datatype: String, data: [String], rows: Int)
        switch signature.labelOutput.flatMap({ outputs[$0] }) {
        case .ints(let t)?: labelJSON = ("INT64", t.data.map(String.init), t.data.count)
        case .strings(let t)?: labelJSON = ("BYTES", t.data.map(JSONValue.quote), t.data.count)
        default:
            guard let scores, let picked = try? scores.argmax(axis: -1, keepDims: false) else {
                throw GatewayRefusal(status: .internalServerError, type: "server_error", code: "internal_error", message: "the model gave no label")
            }
            labelJSON = ("INT64", picked.data.map { String(Int($0)) }, picked.count)
        }
        func tensor(_ name: String, _ datatype: String, _ shape: [Int], _ data: [String]) -> String {
            #"{"name":"# + JSONValue.quote(name) + #","datatype":"# + JSONValue.quote(datatype) + #","shape":["# + shape.map(String.init).joined(separator: ",")
                + #"],"data":["# + data.joined(separator: ",") + "]}"
        }
        if let smoothed {
            labelJSON = ("INT64", smoothed.map { $0.map(String.init) ?? "-1" }, smoothed.count)
        }
        var parts = [tensor(signature.labelOutput ?? "label", labelJSON.datatype, [labelJSON.rows], labelJSON.data)]
        if let smoothed { parts.append(tensor("abstained", "BOOL", [smoothed.count], smoothed.map { $0 == nil ? "true" : "false" })) }
        if let scores, scores.rank == 2 {
            let (n, c) = (scores.shape[0], scores.shape[1])
            switch served.config.confidence {
            case .label: break
            case .full:
                parts.append(tensor(signature.scoreOutput ?? "scores", "FP32", [n, c], scores.data.map { "\($0)" }))
            case .round(let digits):
                let scale = Foundation.pow(10, Float(digits))
                parts.append(tensor(signature.scoreOutput ?? "scores", "FP32", [n, c], scores.data.map { "\(($0 * scale).rounded() / scale)" }))
            case .topK(let k):
                let k = Swift.min(k, c)
                var labels: [String] = [], values: [String] = []
                for row in 0..<n {
                    let order = (0..<c).sorted { scores.data[row * c + $0] > scores.data[row * c + $1] || (scores.data[row * c + $0] == scores.data[row * c + $1] && $0 < $1) }
                    for j in order.prefix(k) {
                        values.append("\(scores.data[row * c + j])")
                        switch classLabels {
                        case .ints(let l)?: labels.append(String(l[j]))
                        case .strings(let l)?: labels.append(JSONValue.quote(l[j]))
                        case nil: labels.append(String(j))
                        }
                    }
                }
                parts.append(tensor("top_k_labels", signature.labelDatatype, [n, k], labels))
                parts.append(tensor("top_k_scores", "FP32", [n, k], values))
            }
        }
        var out = #"{"model_name":"# + JSONValue.quote(served.route.name) + #","model_version":"1","#
        if let id { out += #""id":"# + JSONValue.quote(id) + "," }
        out += #""outputs":["# + parts.joined(separator: ",") + "]}"
        return out
    }
}
