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

    static func signature(metadata body: ByteBuffer, route: RouteConfig, model: String) throws(GatewayRefusal) -> Signature {
        let notOneInput = GatewayRefusal(.upstreamProtocolError, "route `\(route.name)`: the upstream's metadata for `\(model)` does not declare one FP32 input")
        let metadata: ModelMetadata
        do { metadata = try ModelMetadata.decode(body.readableBytesView) } catch { throw notOneInput }
        guard metadata.inputs.count == 1, let input = metadata.inputs.first, input.datatype == "FP32" || input.datatype == "FP64" else { throw notOneInput }
        func named(_ match: (String, Int) -> Bool) -> TensorMetadata? { metadata.outputs.first { match($0.datatype, $0.shape.count) } }
        let label = named { type, rank in ["INT64", "INT32", "BYTES"].contains(type) && rank <= 1 }
        let score = named { type, rank in ["FP32", "FP64"].contains(type) && rank == 2 }
        return Signature(input: input.name, inputShape: input.shape, labelOutput: label?.name, scoreOutput: score?.name,
                         labelDatatype: label?.datatype == "BYTES" ? "BYTES" : "INT64")
    }

    // MARK: Requests

    /// A validated infer request: its id and its rows.
    struct Input: Sendable {
        var id: String?
        var tensor: Tensor
        var rows: Int
    }

    /// Reads `POST /v2/models/{name}/infer` for this model: one FP32 (or FP64) input of the declared name and shape,
    /// every value finite and inside the route's declared range. A bad one is a 400 naming the tensor and the index.
    func decodeRequest(_ body: ByteBuffer, signature: Signature) throws(GatewayRefusal) -> Input {
        let request: InferenceRequest
        do {
            request = try InferenceRequest.decode(body.readableBytesView, expecting: TensorMetadata(name: signature.input, datatype: "FP32", shape: signature.inputShape),
                                                  range: config.inputRanges[signature.input])
        } catch {
            throw GatewayRefusal(RefusalCode(error.kind), error.message, param: error.path)
        }
        guard let input = request.inputs.first, case .floats(let values) = input.data, let tensor = try? Tensor(shape: input.shape, data: values) else {
            throw .badRequest("the input does not match its shape", param: "inputs[0]", code: .invalidShape)
        }
        return Input(id: request.id, tensor: tensor, rows: input.shape.first ?? 1)
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
                throw GatewayRefusal(.inferenceFailed, "the model could not run on this input; decision \(decisionID) in the gateway's log says why", param: "inputs[0]")
            }
            try Self.checkRows(outputs, rows: x.shape.first ?? 0, signature: signature, route: route)
            return outputs
        case .remote(let upstream, let model):
            let request = InferenceRequest(inputs: [InferenceTensor(name: signature.input, datatype: .fp32, shape: x.shape, data: .floats(x.data))])
            let body = try await call(upstream, method: .POST, path: "/v2/models/\(model)/infer", body: ByteBuffer(string: request.json()))
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
                throw GatewayRefusal(.modelOutputInvalid, "route `\(route.name)`: the model answered \(value.shape.first ?? 0) rows of `\(name)` for \(rows) inputs")
            }
        }
    }

    /// A remote answer's outputs as values: integers, floats (FP32/FP64) and strings (BYTES); other datatypes are left out.
    static func outputs(_ body: ByteBuffer, route: RouteConfig) throws(GatewayRefusal) -> [String: ONNXValue] {
        let response: InferenceResponse
        do {
            response = try InferenceResponse.decode(body.readableBytesView)
        } catch {
            // The codec's detail (output names, indices) stays out of the answer: it would describe the model to the caller.
            throw GatewayRefusal(.upstreamProtocolError, "route `\(route.name)`: the upstream's answer is not a KServe v2 inference response")
        }
        var values: [String: ONNXValue] = [:]
        for output in response.outputs {
            switch output.data {
            case .floats(let v): values[output.name] = (try? Tensor(shape: output.shape, data: v)).map(ONNXValue.floats)
            case .ints(let v): values[output.name] = (try? IntTensor(shape: output.shape, data: v)).map(ONNXValue.ints)
            case .strings(let v): values[output.name] = (try? StringTensor(shape: output.shape, data: v)).map(ONNXValue.strings)
            case .bools: continue
            }
        }
        return values
    }

    /// The body of a 2xx answer from the remote server; its refusals and failures as the gateway's.
    private func call(_ upstream: UpstreamPool.Upstream, method: HTTPMethod, path: String, body: ByteBuffer?) async throws(GatewayRefusal) -> ByteBuffer {
        let response: UpstreamResponse
        do {
            response = try await upstream.client.execute(
                method: method, path: path, headers: UpstreamPool.forwardHeaders([:], upstream: upstream, hasBody: body != nil), body: body,
                mode: .collect(maxBytes: 16 << 20), headTimeout: upstream.timeout, idleTimeout: upstream.timeout)
        } catch {
            throw RequestPipeline.upstreamFailure(error, route: route)
        }
        guard case .complete(let buffer) = response.body else {
            throw GatewayRefusal(.upstreamProtocolError, "route `\(route.name)`: the upstream answered \(response.status) without a body")
        }
        guard (200..<300).contains(response.status) else {
            // The caller's mistakes (400, 404, 422) pass through with the upstream's message; anything else (401, 403: a
            // wrong upstream key; 5xx) is the gateway's problem and is answered as 502 without the upstream's text.
            let refusal = RefusalCode.upstreamStatus(response.status)
            let said = (try? JSONValue.parse(buffer.readableBytesView))?["error"]?.stringValue
            let message = refusal.status.code != 502 ? (said ?? "status \(response.status)").prefix(300) : "status \(response.status)"
            throw GatewayRefusal(refusal, "route `\(route.name)`: the upstream refused: \(message)")
        }
        return buffer
    }

    static func internalError(_ why: String) -> GatewayRefusal {
        GatewayRefusal(.internalError, why)
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

}
