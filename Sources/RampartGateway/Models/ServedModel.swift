import Foundation
import RampartCore
import RampartML
import RampartONNX

/// A `kind: model` route's classifier, loaded once at start: the compiled graph, what it declares in KServe v2 terms,
/// and which of its outputs carry the label and the class scores — what the confidence policy trims.
struct ServedModel: Sendable {
    struct Tensor2: Sendable {
        var name: String
        var datatype: String
        var shape: [Int]
    }

    let route: RouteConfig
    let config: ClassifierConfig
    let graph: ONNXGraph
    /// The float input the requests feed (classifiers here take one).
    let input: ONNXModel.Value
    let inputDatatype: String
    /// Declared input dimensions, -1 where any size goes (the batch).
    let inputShape: [Int]
    /// The label output (int64 or string tensor), if the graph has one.
    let labelOutput: String?
    /// The class-score output: a float `N×C` tensor or ZipMap's sequence of maps.
    let scoreOutput: String?
    /// The evasion and extraction monitors (inactive when the route configures none).
    let monitor: ModelMonitor
    /// Randomized smoothing of the label, when configured.
    let smoothing: RandomizedSmoothing?

    init(route: RouteConfig, config: ClassifierConfig) throws {
        self.route = route
        self.config = config
        let model = try ONNXModel.load(path: config.model)
        graph = try ONNXGraph(model)
        guard model.inputs.count == 1, let input = model.inputs.first else {
            throw GatewayStartError(message: "route `\(route.name)`: \(config.model) has \(model.inputs.count) inputs; a classifier route serves models with one input")
        }
        guard input.type == "tensor(float)" || input.type == "tensor(double)" else {
            throw GatewayStartError(message: "route `\(route.name)`: \(config.model)'s input `\(input.name)` is \(input.type); a classifier route takes float tensors")
        }
        self.input = input
        inputDatatype = "FP32"
        inputShape = (input.shape ?? []).map { Int($0) ?? -1 }
        for name in config.inputRanges.keys where name != input.name {
            throw GatewayStartError(message: "route `\(route.name)`: `inputs.\(name)` names no input of \(config.model) (it has `\(input.name)`)")
        }
        labelOutput = model.outputs.first { $0.type == "tensor(int64)" || $0.type == "tensor(string)" }?.name
        scoreOutput = model.outputs.first { $0.type.hasPrefix("seq(map(") }?.name ?? model.outputs.first { $0.type == "tensor(float)" }?.name
        guard labelOutput != nil || scoreOutput != nil else {
            throw GatewayStartError(message: "route `\(route.name)`: \(config.model) has neither a label nor a score output")
        }
        monitor = ModelMonitor(route: route, config: config)
        smoothing = config.smoothing.map { RandomizedSmoothing(sigma: Float($0.sigma), samples: $0.samples, alpha: $0.alpha) }
        if smoothing != nil, model.outputs.first(where: { $0.name == labelOutput })?.type == "tensor(string)" {
            throw GatewayStartError(message: "route `\(route.name)`: smoothing needs integer class labels; \(config.model) labels with strings")
        }
    }

    /// Class ids for each row of a run's outputs: the integer label, else the highest score's index (string labels:
    /// their position among the labels seen).
    func classes(_ outputs: [String: ONNXValue]) -> [Int] {
        switch labelOutput.flatMap({ outputs[$0] }) {
        case .ints(let t)?: return t.data.map { Int(truncatingIfNeeded: $0) }
        case .strings(let t)?:
            var table: [String: Int] = [:]
            return t.data.map { label in
                if let id = table[label] { return id }
                table[label] = table.count
                return table.count - 1
            }
        default:
            switch scoreOutput.flatMap({ outputs[$0] }) {
            case .floats(let t)?, .maps(_, let t)?:
                guard t.rank == 2, let picked = try? t.argmax(axis: 1, keepDims: false) else { return [] }
                return picked.data.map { Int($0) }
            default: return []
            }
        }
    }

    /// The smoothed label of each row (nil: abstained), Cohen et al.'s PREDICT over this model.
    func smoothedLabels(_ rows: Tensor) throws -> [Int?] {
        guard let smoothing else { return [] }
        let d = rows.shape.dropFirst().reduce(1, *)
        var rng = SystemRandomNumberGenerator()
        let wanted = [labelOutput ?? scoreOutput].compactMap { $0 }
        return try (0..<(rows.shape.first ?? 0)).map { row in
            let x = Array(rows.data[(row * d)..<((row + 1) * d)])
            let prediction = try smoothing.predict(x, classify: { batch, n in
                try classes(graph.run([input.name: .floats(try Tensor(shape: [n] + Array(rows.shape.dropFirst()), data: batch))], outputs: wanted))
            }, using: &rng)
            if case .label(let label) = prediction { return label }
            return nil
        }
    }

    /// What `GET /v2/models/{name}` declares: the outputs the confidence policy lets through.
    var declaredOutputs: [Tensor2] {
        var outputs: [Tensor2] = [Tensor2(name: labelOutput ?? "label", datatype: labelDatatype, shape: [-1])]
        if smoothing != nil { outputs.append(Tensor2(name: "abstained", datatype: "BOOL", shape: [-1])) }
        switch config.confidence {
        case .label: break
        case .full, .round:
            if let scoreOutput { outputs.append(Tensor2(name: scoreOutput, datatype: "FP32", shape: [-1, -1])) }
        case .topK(let k):
            outputs.append(Tensor2(name: "top_k_labels", datatype: labelDatatype, shape: [-1, k]))
            outputs.append(Tensor2(name: "top_k_scores", datatype: "FP32", shape: [-1, k]))
        }
        return outputs
    }

    var labelDatatype: String {
        graph.model.outputs.first { $0.name == labelOutput }?.type == "tensor(string)" ? "BYTES" : "INT64"
    }
}
