import Foundation
import RampartML
import RampartONNX

/// What a classifier answers for a batch of rows: a label per row, and class probabilities when the target reveals
/// them (nil for a label-only target).
public struct TargetAnswer: Sendable, Equatable {
    public var labels: [Int]
    /// `rows × classes`, when the target returns probabilities.
    public var probabilities: Tensor?

    public init(labels: [Int], probabilities: Tensor?) {
        self.labels = labels
        self.probabilities = probabilities
    }
}

/// A classifier an attack can query: a local ONNX model, or (later) a KServe v2 or generic JSON endpoint.
public protocol ProbeTarget: Sendable {
    /// Features per row.
    var features: Int { get }
    func answer(_ rows: Tensor) async throws -> TargetAnswer
}

/// Why an attack stopped.
public enum ProbeError: Error, Equatable, CustomStringConvertible {
    /// The query budget does not cover the rows asked for; nothing was sent.
    case budgetExhausted(used: Int, budget: Int, asked: Int)
    /// The target cannot answer as the attack needs (e.g. label-only when probabilities are required).
    case unsuitableTarget(String)
    case targetFailed(String)

    public var description: String {
        switch self {
        case let .budgetExhausted(used, budget, asked): "the query budget is spent: \(used) of \(budget) rows used, \(asked) more asked for"
        case .unsuitableTarget(let why), .targetFailed(let why): why
        }
    }
}

/// The one door every attack goes through (docs/probe.md): it counts **rows** (model evaluations, the literature's
/// "queries") against a hard budget — a batch that would exceed it is refused before anything is sent — and answers
/// repeated rows from an exact-match cache without spending budget.
public actor Oracle {
    public let target: any ProbeTarget
    public let budget: Int
    /// Rows sent to the target.
    public private(set) var used = 0
    /// Requests made to the target.
    public private(set) var calls = 0
    /// Rows answered from the cache.
    public private(set) var cacheHits = 0
    private var cache: [[UInt32]: (label: Int, probabilities: [Float]?)] = [:]

    public init(target: any ProbeTarget, budget: Int) {
        self.target = target
        self.budget = budget
    }

    public var remaining: Int { budget - used }

    /// Answers `rows` (`n × features`), spending one unit of budget per row not already answered.
    public func query(_ rows: Tensor) async throws(ProbeError) -> TargetAnswer {
        let d = target.features
        guard rows.rank == 2, rows.shape[1] == d else { throw .unsuitableTarget("rows must be n × \(d), got \(rows.shape)") }
        let n = rows.shape[0]
        let keys = (0..<n).map { r in rows.data[(r * d)..<((r + 1) * d)].map(\.bitPattern) }
        var missing: [Int] = []
        var seen = Set<[UInt32]>()
        for (r, key) in keys.enumerated() where cache[key] == nil && seen.insert(key).inserted { missing.append(r) }
        guard used + missing.count <= budget else { throw .budgetExhausted(used: used, budget: budget, asked: missing.count) }
        if !missing.isEmpty {
            var data: [Float] = []
            data.reserveCapacity(missing.count * d)
            for r in missing { data += rows.data[(r * d)..<((r + 1) * d)] }
            let answer: TargetAnswer
            do {
                answer = try await target.answer(try Tensor(shape: [missing.count, d], data: data))
            } catch let error as ProbeError {
                throw error
            } catch {
                throw .targetFailed("the target failed: \(error)")
            }
            guard answer.labels.count == missing.count else { throw .targetFailed("the target answered \(answer.labels.count) rows for \(missing.count)") }
            used += missing.count
            calls += 1
            let classes = answer.probabilities.map { $0.count / Swift.max(missing.count, 1) }
            for (i, r) in missing.enumerated() {
                cache[keys[r]] = (answer.labels[i], answer.probabilities.map { p in Array(p.data[(i * classes!)..<((i + 1) * classes!)]) })
            }
        }
        cacheHits += n - missing.count
        let entries = keys.map { cache[$0]! }
        var probabilities: Tensor?
        if let first = entries.first?.probabilities {
            probabilities = try? Tensor(shape: [n, first.count], data: entries.flatMap { $0.probabilities ?? [] })
        }
        return TargetAnswer(labels: entries.map(\.label), probabilities: probabilities)
    }
}

/// A local ONNX classifier as a target (white-box access is available through `graph`): the integer label output,
/// and the probabilities (ZipMap's maps or a float `N×C` output).
public struct LocalModelTarget: ProbeTarget {
    public let graph: ONNXGraph
    public let features: Int
    let input: String
    let outputs: ClassifierOutputs
    /// The float probability tensor to differentiate: the score output, or what ZipMap reads.
    let probabilityValue: String?

    public init(path: String) throws {
        let model = try ONNXModel.load(path: path)
        graph = try ONNXGraph(model)
        guard model.inputs.count == 1, let input = model.inputs.first, let width = input.shape?.last.flatMap({ Int($0) }) else {
            throw ProbeError.unsuitableTarget("\(path): a target needs one input of shape [N, features]")
        }
        self.input = input.name
        features = width
        outputs = ClassifierOutputs(model)
        guard !outputs.names.isEmpty else { throw ProbeError.unsuitableTarget("\(path) has no label or score output") }
        if let score = outputs.score, let producer = graph.producer(of: score), producer.op == "ZipMap" {
            probabilityValue = producer.inputs.first
        } else {
            probabilityValue = model.outputs.first { $0.type == "tensor(float)" }?.name
        }
    }

    public func answer(_ rows: Tensor) async throws -> TargetAnswer {
        let values = try graph.run([input: .floats(rows)], outputs: outputs.names)
        return TargetAnswer(labels: outputs.classes(values), probabilities: outputs.scores(values))
    }
}
