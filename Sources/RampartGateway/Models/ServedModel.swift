import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import RampartCore
import RampartML
import RampartONNX
import Synchronization

/// A classifier route's model: a local ONNX graph (`kind: model`, compiled once at start) or a remote KServe v2 server
/// (`kind: kserve`, its metadata read on first use) — with what it declares in KServe v2 terms and which of its outputs
/// carry the label and the class scores, the part the confidence policy trims. Either way the route's controls are
/// the same: validation, monitors, confidence policy, decision records.
final class ServedModel: Sendable {
    struct Tensor2: Sendable {
        var name: String
        var datatype: String
        var shape: [Int]
    }

    /// What requests are validated against and answers are read by.
    struct Signature: Sendable {
        /// The input tensor requests feed (classifier routes serve models with one).
        var input: String
        /// Declared input dimensions, -1 where any size goes (the batch).
        var inputShape: [Int]
        /// The label output (integer or string tensor), if the model has one.
        var labelOutput: String?
        /// The class-score output: a float `N×C` tensor (or, locally, ZipMap's sequence of maps).
        var scoreOutput: String?
        var labelDatatype: String
    }

    enum Backend: Sendable {
        case local(ONNXGraph)
        case remote(UpstreamPool.Upstream, model: String)
    }

    let route: RouteConfig
    let config: ClassifierConfig
    let backend: Backend
    /// The evasion and extraction monitors (inactive when the route configures none).
    let monitor: ModelMonitor
    /// Randomized smoothing of the label (local models), when configured.
    let smoothing: RandomizedSmoothing?
    private let cached: Mutex<Signature?>

    /// A local model: loads and compiles the file; anything unusable stops the start.
    init(route: RouteConfig, config: ClassifierConfig) throws {
        self.route = route
        self.config = config
        let model = try ONNXModel.load(path: config.model)
        let graph = try ONNXGraph(model)
        guard model.inputs.count == 1, let input = model.inputs.first else {
            throw GatewayStartError(message: "route `\(route.name)`: \(config.model) has \(model.inputs.count) inputs; a classifier route serves models with one input")
        }
        guard input.type == "tensor(float)" || input.type == "tensor(double)" else {
            throw GatewayStartError(message: "route `\(route.name)`: \(config.model)'s input `\(input.name)` is \(input.type); a classifier route takes float tensors")
        }
        for name in config.inputRanges.keys where name != input.name {
            throw GatewayStartError(message: "route `\(route.name)`: `inputs.\(name)` names no input of \(config.model) (it has `\(input.name)`)")
        }
        let reading = ClassifierOutputs(model)
        let label = model.outputs.first { $0.name == reading.label }
        let score = reading.score
        guard label != nil || score != nil else {
            throw GatewayStartError(message: "route `\(route.name)`: \(config.model) has neither a label nor a score output")
        }
        backend = .local(graph)
        cached = Mutex(Signature(input: input.name, inputShape: (input.shape ?? []).map { Int($0) ?? -1 }, labelOutput: label?.name, scoreOutput: score,
                                 labelDatatype: label?.type == "tensor(string)" ? "BYTES" : "INT64"))
        monitor = ModelMonitor(route: route, config: config)
        smoothing = config.smoothing.map { RandomizedSmoothing(sigma: Float($0.sigma), samples: $0.samples, alpha: $0.alpha) }
        if smoothing != nil, label?.type == "tensor(string)" {
            throw GatewayStartError(message: "route `\(route.name)`: smoothing needs integer class labels; \(config.model) labels with strings")
        }
    }

    /// A remote KServe v2 model behind `upstream`.
    init(route: RouteConfig, config: ClassifierConfig, upstream: UpstreamPool.Upstream) {
        self.route = route
        self.config = config
        backend = .remote(upstream, model: config.upstreamModel ?? route.name)
        cached = Mutex(nil)
        monitor = ModelMonitor(route: route, config: config)
        smoothing = nil
    }

    // MARK: Signature

    /// The model's signature: at hand for a local model; a remote one's is read from `GET /v2/models/{model}` once.
    func signature() async throws(GatewayRefusal) -> Signature {
        if let signature = cached.withLock({ $0 }) { return signature }
        guard case .remote(let upstream, let model) = backend else { throw Self.internalError("no signature") }
        let body = try await call(upstream, method: .GET, path: "/v2/models/\(model)", body: nil)
        let signature = try Self.signature(metadata: body, route: route, model: model)
        cached.withLock { $0 = signature }
        return signature
    }

    static func signature(metadata: JSONValue, route: RouteConfig, model: String) throws(GatewayRefusal) -> Signature {
        guard let inputs = metadata["inputs"]?.arrayValue, inputs.count == 1, let input = inputs.first,
              let name = input["name"]?.stringValue, let shape = input["shape"]?.arrayValue?.compactMap(\.intValue),
              input["datatype"]?.stringValue == "FP32" || input["datatype"]?.stringValue == "FP64"
        else {
            throw GatewayRefusal(status: .badGateway, type: "upstream_error", code: "upstream_protocol_error",
                                 message: "route `\(route.name)`: the upstream's metadata for `\(model)` does not declare one FP32 input")
        }
        let outputs = metadata["outputs"]?.arrayValue ?? []
        func named(_ match: (String, Int) -> Bool) -> (String, String)? {
            for output in outputs {
                guard let n = output["name"]?.stringValue, let type = output["datatype"]?.stringValue else { continue }
                let rank = output["shape"]?.arrayValue?.count ?? 0
                if match(type, rank) { return (n, type) }
            }
            return nil
        }
        let label = named { type, rank in ["INT64", "INT32", "BYTES"].contains(type) && rank <= 1 }
        let score = named { type, rank in ["FP32", "FP64"].contains(type) && rank == 2 }
        return Signature(input: name, inputShape: shape, labelOutput: label?.0, scoreOutput: score?.0,
                         labelDatatype: label?.1 == "BYTES" ? "BYTES" : "INT64")
    }

    // MARK: Inference

    /// The model's label and score outputs for a validated batch.
    /// A local model's failure is logged with `decisionID` (node names and shapes stay out of the answer: they would
    /// describe the model to whoever probes it).
    func infer(_ x: Tensor, signature: Signature, decisionID: String, logger: Logger) async throws(GatewayRefusal) -> [String: ONNXValue] {
        switch backend {
        case .local(let graph):
            let outputs: [String: ONNXValue]
            do {
                outputs = try graph.run([signature.input: .floats(x)], outputs: [signature.labelOutput, signature.scoreOutput].compactMap { $0 })
            } catch {
                logger.warning("the model failed on a request", metadata: ["decision_id": "\(decisionID)", "route": "\(route.name)", "error": "\(error)"])
                throw GatewayRefusal(status: .unprocessableContent, type: "invalid_request_error", code: "inference_failed",
                                     message: "the model could not run on this input; decision \(decisionID) in the gateway's log says why", param: "inputs[0]")
            }
            try Self.checkRows(outputs, rows: x.shape.first ?? 0, signature: signature, route: route)
            return outputs
        case .remote(let upstream, let model):
            let data = x.data.map { $0.isFinite ? "\($0)" : "0" }.joined(separator: ",")
            let request = #"{"inputs":[{"name":"# + JSONValue.quote(signature.input) + #","shape":["# + x.shape.map(String.init).joined(separator: ",")
                + #"],"datatype":"FP32","data":["# + data + "]}]}"
            let body = try await call(upstream, method: .POST, path: "/v2/models/\(model)/infer", body: ByteBuffer(string: request))
            let outputs = try Self.outputs(body, route: route)
            try Self.checkRows(outputs, rows: x.shape.first ?? 0, signature: signature, route: route)
            return outputs
        }
    }

    /// The label and score outputs must have one row per input row (a model that answers otherwise is broken).
    static func checkRows(_ outputs: [String: ONNXValue], rows: Int, signature: Signature, route: RouteConfig) throws(GatewayRefusal) {
        for name in [signature.labelOutput, signature.scoreOutput].compactMap({ $0 }) {
            guard let value = outputs[name] else { continue }
            guard value.shape.first == rows else {
                throw GatewayRefusal(status: .badGateway, type: "upstream_error", code: "model_output_invalid",
                                     message: "route `\(route.name)`: the model answered \(value.shape.first ?? 0) rows of `\(name)` for \(rows) inputs")
            }
        }
    }

    /// A remote answer's outputs as values: INT64/INT32 → integers, FP32/FP64 → floats, BYTES → strings.
    static func outputs(_ body: JSONValue, route: RouteConfig) throws(GatewayRefusal) -> [String: ONNXValue] {
        let malformed = GatewayRefusal(status: .badGateway, type: "upstream_error", code: "upstream_protocol_error",
                                       message: "route `\(route.name)`: the upstream's answer is not a KServe v2 inference response")
        guard let items = body["outputs"]?.arrayValue else { throw malformed }
        var values: [String: ONNXValue] = [:]
        for item in items {
            guard let name = item["name"]?.stringValue, let type = item["datatype"]?.stringValue,
                  let shape = item["shape"]?.arrayValue?.compactMap(\.intValue), let data = item["data"]?.arrayValue else { throw malformed }
            func leaves(_ v: [JSONValue]) -> [JSONValue] { v.flatMap { if case .array(let a) = $0 { return leaves(a) } else { return [$0] } } }
            let flat = leaves(data)
            do {
                switch type {
                case "FP32", "FP64":
                    let floats = flat.compactMap { if case .number(let t) = $0 { Float(t) } else { nil } }
                    values[name] = .floats(try Tensor(shape: shape, data: floats))
                case "INT64", "INT32", "INT16", "INT8", "UINT8":
                    let ints = flat.compactMap { if case .number(let t) = $0 { Int64(t) ?? Double(t).flatMap { Int64(exactly: $0.rounded()) } } else { nil } }
                    values[name] = .ints(try IntTensor(shape: shape, data: ints))
                case "BYTES":
                    values[name] = .strings(try StringTensor(shape: shape, data: flat.compactMap(\.stringValue)))
                default: continue
                }
            } catch {
                throw malformed
            }
        }
        return values
    }

    private func call(_ upstream: UpstreamPool.Upstream, method: HTTPMethod, path: String, body: ByteBuffer?) async throws(GatewayRefusal) -> JSONValue {
        let response: UpstreamResponse
        do {
            response = try await upstream.client.execute(
                method: method, path: path, headers: UpstreamPool.forwardHeaders([:], upstream: upstream, hasBody: body != nil), body: body,
                mode: .collect(maxBytes: 16 << 20), headTimeout: upstream.timeout, idleTimeout: upstream.timeout)
        } catch {
            throw OpenAIProxy.upstreamFailure(error, route: route)
        }
        guard case .complete(let buffer) = response.body, let json = try? JSONValue.parse(buffer.readableBytesView) else {
            throw GatewayRefusal(status: .badGateway, type: "upstream_error", code: "upstream_protocol_error",
                                 message: "route `\(route.name)`: the upstream answered \(response.status) without a JSON body")
        }
        guard (200..<300).contains(response.status) else {
            // The caller's mistakes (400, 404, 422) pass through with the upstream's message; anything else (401, 403: a
            // wrong upstream key; 5xx) is the gateway's problem and is answered as 502 without the upstream's text.
            let passes = [400, 404, 422].contains(response.status)
            let message = passes ? (json["error"]?.stringValue ?? "status \(response.status)").prefix(300) : "status \(response.status)"
            throw GatewayRefusal(status: passes ? .init(code: response.status) : .badGateway, type: "upstream_error",
                                 code: "upstream_status_\(response.status)", message: "route `\(route.name)`: the upstream refused: \(message)")
        }
        return json
    }

    static func internalError(_ why: String) -> GatewayRefusal {
        GatewayRefusal(status: .internalServerError, type: "server_error", code: "internal_error", message: why)
    }

    // MARK: Answers

    /// Class ids for each row of a run's outputs (RampartONNX's `ClassifierOutputs` reading).
    func classes(_ outputs: [String: ONNXValue], signature: Signature) -> [Int] {
        ClassifierOutputs(label: signature.labelOutput, score: signature.scoreOutput).classes(outputs)
    }

    /// The smoothed label of each row (nil: abstained), Cohen et al.'s PREDICT over this (local) model.
    func smoothedLabels(_ rows: Tensor, signature: Signature) throws -> [Int?] {
        guard let smoothing, case .local(let graph) = backend else { return [] }
        let d = rows.shape.dropFirst().reduce(1, *)
        var rng = SystemRandomNumberGenerator()
        let wanted = [signature.labelOutput ?? signature.scoreOutput].compactMap { $0 }
        return try (0..<(rows.shape.first ?? 0)).map { row in
            let x = Array(rows.data[(row * d)..<((row + 1) * d)])
            let prediction = try smoothing.predict(x, classify: { batch, n in
                classes(try graph.run([signature.input: .floats(try Tensor(shape: [n] + Array(rows.shape.dropFirst()), data: batch))], outputs: wanted),
                        signature: signature)
            }, using: &rng)
            if case .label(let label) = prediction { return label }
            return nil
        }
    }

    /// What `GET /v2/models/{name}` declares: the outputs the confidence policy lets through.
    func declaredOutputs(_ signature: Signature) -> [Tensor2] {
        var outputs: [Tensor2] = [Tensor2(name: signature.labelOutput ?? "label", datatype: signature.labelDatatype, shape: [-1])]
        if smoothing != nil { outputs.append(Tensor2(name: "abstained", datatype: "BOOL", shape: [-1])) }
        switch config.confidence {
        case .label: break
        case .full, .round:
            if let scoreOutput = signature.scoreOutput { outputs.append(Tensor2(name: scoreOutput, datatype: "FP32", shape: [-1, -1])) }
        case .topK(let k):
            outputs.append(Tensor2(name: "top_k_labels", datatype: signature.labelDatatype, shape: [-1, k]))
            outputs.append(Tensor2(name: "top_k_scores", datatype: "FP32", shape: [-1, k]))
        }
        return outputs
    }
}
