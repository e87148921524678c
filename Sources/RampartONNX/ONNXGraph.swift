import Foundation
import RampartML

/// An ONNX graph compiled for execution: every node resolved to a kernel and every value to a slot, checked once at load
/// time (operators and opsets supported, attributes well-formed, each value produced before it is used). Running it is
/// a walk over an array of steps; values never pass through a dictionary. Immutable and `Sendable`: one graph serves
/// any number of concurrent runs. Runs are CPU-bound — callers on an event loop hand them to a thread pool.
///
/// ```swift
/// let graph = try ONNXGraph(ONNXModel.load(path: "examples/models/digits_mlp.onnx"))
/// let out = try graph.run(["float_input": .floats(pixels)])       // label, probabilities
/// let (_, g) = try graph.gradient(["float_input": .floats(pixels)], of: "probabilities", cotangent: seed, withRespectTo: "float_input")
/// ```
public struct ONNXGraph: Sendable {
    struct Step: Sendable {
        var name: String
        var op: String
        var inputs: [Int?]
        var outputs: [Int?]
        var kernel: Kernel
    }

    public let model: ONNXModel
    let steps: [Step]
    /// Slot values before a run: the initializers (all element types).
    let initial: [ONNXValue?]
    let inputSlots: [(value: ONNXModel.Value, slot: Int)]
    let outputSlots: [(name: String, slot: Int)]
    let slotNames: [String]

    public init(_ model: ONNXModel) throws(ONNXError) {
        self.model = model
        var missing = model.operators.filter { !$0.supported }.map { op -> String in
            let known = ONNXModel.supportedOperators[op.domain]?.contains(op.name) ?? false
            return known ? "\(op.domain):\(op.name) at opset \(op.opset)" : "\(op.domain):\(op.name)"
        }
        for (domain, version) in model.opsets where ONNXModel.supportedOpsets[domain].map({ !$0.contains(version) }) ?? false {
            missing.append("opset \(domain) \(version) (supported: \(ONNXModel.supportedOpsets[domain]!))")
        }
        guard missing.isEmpty else {
            throw .unsupported("the model needs what Rampart's runtime does not implement: \(Array(Set(missing)).sorted().joined(separator: ", "))")
        }

        var slots: [String: Int] = [:]
        var names: [String] = []
        var initial: [ONNXValue?] = []
        func slot(_ name: String) -> Int {
            if let s = slots[name] { return s }
            slots[name] = names.count
            names.append(name)
            initial.append(nil)
            return names.count - 1
        }
        let graph = model.graph
        for initializer in graph.initializer {
            let s = slot(initializer.name)
            do { initial[s] = try TensorDecoding.value(initializer) } catch { throw error }
        }
        var defined = Set(initial.indices)
        var inputSlots: [(ONNXModel.Value, Int)] = []
        for input in model.inputs {
            let s = slot(input.name)
            defined.insert(s)
            inputSlots.append((input, s))
        }
        var steps: [Step] = []
        for (position, node) in graph.node.enumerated() {
            let attributes = Attributes(node)
            let domain = node.domain.isEmpty ? "ai.onnx" : node.domain
            let opset = model.opsets[domain] ?? 0
            let kernel = domain == "ai.onnx.ml" ? try MLKernels.make(node.opType, attributes)
                : try CoreKernels.make(node.opType, attributes, opset: opset)
            var inputs: [Int?] = []
            for name in node.input {
                guard !name.isEmpty else {
                    inputs.append(nil)
                    continue
                }
                guard let s = slots[name], defined.contains(s) else {
                    throw .malformed("\(attributes.node) (node \(position)) reads `\(name)` before any node produces it")
                }
                inputs.append(s)
            }
            let outputs: [Int?] = node.output.map { name in
                guard !name.isEmpty else { return nil }
                let s = slot(name)
                defined.insert(s)
                return s
            }
            steps.append(Step(name: node.name.isEmpty ? (node.output.first ?? "node \(position)") : node.name, op: node.opType,
                              inputs: inputs, outputs: outputs, kernel: kernel))
        }
        var outputSlots: [(String, Int)] = []
        for output in model.outputs {
            guard let s = slots[output.name], defined.contains(s) else { throw .malformed("no node produces the graph output `\(output.name)`") }
            outputSlots.append((output.name, s))
        }
        self.steps = steps
        self.initial = initial
        self.inputSlots = inputSlots
        self.outputSlots = outputSlots
        slotNames = names
    }

    /// The graph's outputs (or only `outputs`, which may also name values inside the graph) for the given inputs, by
    /// name. Only the nodes the requested values depend on run.
    public func run(_ feeds: [String: ONNXValue], outputs requested: [String]? = nil) throws(ONNXError) -> [String: ONNXValue] {
        let wanted = try outputSlots(requested)
        let values = try execute(feeds, needed: needed(for: wanted.map(\.slot)))
        var result: [String: ONNXValue] = [:]
        for (name, slot) in wanted { result[name] = values[slot] }
        return result
    }

    /// Reverse-mode gradient of the value `of` — a graph output, or any value a node produces, such as the probability
    /// tensor skl2onnx feeds to ZipMap — with respect to input `withRespectTo`, for a `cotangent` of that value's
    /// shape: `cotangentᵀ · ∂output/∂input` (a vector–Jacobian product). With a one-hot cotangent on a probability
    /// output it is the gradient of that class's probability; with `−onehot / p` it is cross-entropy's. Fails with
    /// `notDifferentiable` naming the first node on the path that has no gradient (trees, SVMs, ArgMax).
    public func gradient(_ feeds: [String: ONNXValue], of output: String, cotangent: Tensor,
                         withRespectTo input: String) throws(ONNXError) -> (outputs: [String: ONNXValue], gradient: Tensor) {
        guard let target = outputSlots.first(where: { $0.name == output })?.slot ?? slotNames.firstIndex(of: output) else {
            throw .invalidInput("the model has no value `\(output)` (outputs: \(outputSlots.map(\.name).joined(separator: ", ")))")
        }
        guard let source = inputSlots.first(where: { $0.value.name == input })?.slot else {
            throw .invalidInput("the model has no input `\(input)` (inputs: \(inputSlots.map(\.value.name).joined(separator: ", ")))")
        }
        let needed = needed(for: [target])
        let values = try execute(feeds, needed: needed)
        guard values[target] != nil else { throw .notDifferentiable("`\(output)` is an initializer, not computed from `\(input)`") }
        guard case .floats(let produced)? = values[target], case .floats(let x)? = values[source] else {
            throw .notDifferentiable("`\(output)` and `\(input)` must both be float tensors")
        }
        guard cotangent.shape == produced.shape else {
            throw .invalidInput("the cotangent has shape \(cotangent.shape), the output `\(output)` has \(produced.shape)")
        }
        // Slots whose float values depend on the input: only their gradients matter. A dependence that passes through
        // integers (ArgMax, a Cast to int64) carries no gradient.
        var dependent = Set([source]), reachable = Set([source])
        var through: [String] = []
        for (i, step) in steps.enumerated() where needed.contains(i) {
            let floatDependent = step.inputs.contains { $0.map(dependent.contains) ?? false }
            guard step.inputs.contains(where: { $0.map(reachable.contains) ?? false }) else { continue }
            for case let s? in step.outputs {
                reachable.insert(s)
                if floatDependent, case .floats? = values[s] { dependent.insert(s) } else { through.append("`\(step.name)` (\(step.op))") }
            }
        }
        guard reachable.contains(target) else { throw .notDifferentiable("`\(output)` does not depend on `\(input)`") }
        guard dependent.contains(target) else {
            throw .notDifferentiable("`\(output)` depends on `\(input)` only through integer values, which have no gradient: node \(through.first ?? "?")")
        }
        var gradients: [Int: Tensor] = [target: cotangent]
        for (i, step) in steps.enumerated().reversed() where needed.contains(i) {
            let outputGradients = step.outputs.map { $0.flatMap { gradients[$0] } }
            guard outputGradients.contains(where: { $0 != nil }),
                  step.inputs.contains(where: { $0.map(dependent.contains) ?? false }) else { continue }
            guard let backward = step.kernel.backward else {
                throw .notDifferentiable("node `\(step.name)` (\(step.op)) has no gradient, and `\(output)` depends on `\(input)` through it")
            }
            let inputGradients: [Tensor?]
            do {
                inputGradients = try backward(Self.padded(step.inputs.map { $0.flatMap { values[$0] } }),
                                              step.outputs.map { $0.flatMap { values[$0] } ?? .floats(Tensor(scalar: 0)) }, outputGradients)
            } catch {
                throw .failed("gradient of node `\(step.name)` (\(step.op)): \(error)")
            }
            for (slot, g) in zip(step.inputs, inputGradients) {
                guard let slot, let g, dependent.contains(slot) else { continue }
                if let existing = gradients[slot] {
                    do { gradients[slot] = try existing + g } catch { throw .failed("gradient of node `\(step.name)`: \(error)") }
                } else {
                    gradients[slot] = g
                }
            }
        }
        let result = try gradients[source].map { g throws(ONNXError) -> Tensor in
            do { return try g.reshaped(x.shape) } catch { throw .failed("gradient shape: \(error)") }
        } ?? (try! Tensor(repeating: 0, shape: x.shape))
        var outputs: [String: ONNXValue] = [:]
        for (name, slot) in outputSlots where values[slot] != nil { outputs[name] = values[slot] }
        outputs[output] = values[target]
        return (outputs, result)
    }

    /// The operator and input names of the node that produces `value` (nil for graph inputs and initializers): how a
    /// caller finds, say, the probability tensor a ZipMap node reads.
    public func producer(of value: String) -> (op: String, inputs: [String])? {
        guard let slot = slotNames.firstIndex(of: value), let step = steps.first(where: { $0.outputs.contains(slot) }) else { return nil }
        return (step.op, step.inputs.map { $0.map { slotNames[$0] } ?? "" })
    }

    private func outputSlots(_ requested: [String]?) throws(ONNXError) -> [(name: String, slot: Int)] {
        guard let requested else { return outputSlots }
        return try requested.map { name throws(ONNXError) in
            guard let entry = outputSlots.first(where: { $0.name == name }) ?? slotNames.firstIndex(of: name).map({ (name, $0) }) else {
                throw .invalidInput("the model has no output `\(name)` (outputs: \(outputSlots.map(\.name).joined(separator: ", ")))")
            }
            return entry
        }
    }

    /// Indices of the steps the given slots depend on.
    private func needed(for targets: [Int]) -> Set<Int> {
        var wanted = Set(targets)
        var needed = Set<Int>()
        for (i, step) in steps.enumerated().reversed() where step.outputs.contains(where: { $0.map(wanted.contains) ?? false }) {
            needed.insert(i)
            for case let s? in step.inputs { wanted.insert(s) }
        }
        return needed
    }

    private func execute(_ feeds: [String: ONNXValue], needed: Set<Int>) throws(ONNXError) -> [ONNXValue?] {
        var values = initial
        for name in feeds.keys where !inputSlots.contains(where: { $0.value.name == name }) {
            throw .invalidInput("the model has no input `\(name)` (inputs: \(inputSlots.map(\.value.name).joined(separator: ", ")))")
        }
        for (declared, slot) in inputSlots {
            guard let value = feeds[declared.name] else { throw .invalidInput("input `\(declared.name)` is missing") }
            try Self.check(value, against: declared)
            values[slot] = value
        }
        for (i, step) in steps.enumerated() where needed.contains(i) {
            let produced: [ONNXValue]
            do {
                // Padded with absent inputs, so a node with fewer inputs than its operator reads fails cleanly.
                produced = try step.kernel.forward(Self.padded(step.inputs.map { $0.flatMap { values[$0] } }))
            } catch {
                throw .failed("node `\(step.name)` (\(step.op)): \(error)")
            }
            for (slot, value) in zip(step.outputs, produced) {
                if let slot { values[slot] = value }
            }
        }
        return values
    }

    static func padded(_ inputs: [ONNXValue?]) -> [ONNXValue?] {
        inputs.count >= 8 ? inputs : inputs + Array(repeating: nil, count: 8 - inputs.count)
    }

    /// The value's type and shape against the declaration: element type, rank, and each fixed dimension.
    static func check(_ value: ONNXValue, against declared: ONNXModel.Value) throws(ONNXError) {
        let typeMatches: Bool = switch value {
        case .floats: declared.type == "tensor(float)" || declared.type == "tensor(double)"
        case .ints(let t): declared.type == "tensor(\(t.elementType.name))" || declared.type == "tensor(int64)"
        case .strings: declared.type == "tensor(string)"
        case .maps: false
        }
        guard typeMatches else { throw .invalidInput("input `\(declared.name)` must be \(declared.type), got \(value.typeName)") }
        guard let dimensions = declared.shape, !dimensions.isEmpty || value.shape.isEmpty else { return }
        let shape = value.shape
        guard shape.count == dimensions.count else {
            throw .invalidInput("input `\(declared.name)` has rank \(shape.count) (shape \(shape)), the model declares [\(dimensions.joined(separator: ", "))]")
        }
        for (axis, dimension) in dimensions.enumerated() {
            if let fixed = Int(dimension), fixed != shape[axis] {
                throw .invalidInput("input `\(declared.name)`: dimension \(axis) is \(shape[axis]), the model declares \(fixed)")
            }
        }
    }
}
