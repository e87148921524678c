import Foundation
import RampartML

/// TreeEnsembleClassifier and TreeEnsembleRegressor (ONNX-ML): the trees flattened into arrays at load time, each
/// child resolved to an array index, so a prediction is a walk of array reads. A malformed ensemble — a child that does
/// not exist, a cycle — is refused at load time or stops after as many steps as the tree has nodes.
struct TreeEnsemble: Sendable {
    enum Mode: UInt8, Sendable { case leq, lt, gte, gt, eq, neq, leaf }
    enum Aggregate: String, Sendable { case sum = "SUM", average = "AVERAGE", min = "MIN", max = "MAX" }

    var features: [Int]
    var thresholds: [Float]
    var modes: [Mode]
    var yes: [Int]
    var no: [Int]
    var missingGoesYes: [Bool]
    /// Root node index of each tree (its first node, as onnxruntime takes it), in ascending tree id.
    var roots: [Int]
    /// Size of each tree (the bound on a walk).
    var sizes: [Int]
    /// Leaf contributions: for node i, entries `contributionStart[i]..<contributionStart[i + 1]` of targets / weights.
    var contributionStart: [Int]
    var contributionTargets: [Int]
    var contributionWeights: [Float]
    var outputs: Int
    var base: [Float]
    var transform: PostTransform
    var aggregate: Aggregate
    /// Classifier only.
    var labels: ClassLabels?
    var binary: Bool

    init(_ a: Attributes, classifier: Bool) throws(ONNXError) {
        let treeIDs = try a.ints("nodes_treeids") ?? [], nodeIDs = try a.ints("nodes_nodeids") ?? []
        let featureIDs = try a.ints("nodes_featureids") ?? [], values = try a.floats("nodes_values") ?? []
        let modeNames = try a.strings("nodes_modes") ?? [], trueIDs = try a.ints("nodes_truenodeids") ?? []
        let falseIDs = try a.ints("nodes_falsenodeids") ?? []
        let missing = try a.ints("nodes_missing_value_tracks_true") ?? []
        let n = treeIDs.count
        guard n > 0 else { throw a.error("the ensemble has no nodes") }
        for (name, count) in [("nodes_nodeids", nodeIDs.count), ("nodes_featureids", featureIDs.count), ("nodes_values", values.count),
                              ("nodes_modes", modeNames.count), ("nodes_truenodeids", trueIDs.count), ("nodes_falsenodeids", falseIDs.count)]
            where count != n {
            throw a.error("`\(name)` has \(count) entries for \(n) nodes")
        }
        guard missing.isEmpty || missing.count == n else { throw a.error("`nodes_missing_value_tracks_true` has \(missing.count) entries for \(n) nodes") }
        var index: [Int64: [Int64: Int]] = [:]
        for i in 0..<n {
            guard index[treeIDs[i], default: [:]][nodeIDs[i]] == nil else { throw a.error("node \(nodeIDs[i]) of tree \(treeIDs[i]) is declared twice") }
            index[treeIDs[i], default: [:]][nodeIDs[i]] = i
        }
        let modeTable: [String: Mode] = ["BRANCH_LEQ": .leq, "BRANCH_LT": .lt, "BRANCH_GTE": .gte, "BRANCH_GT": .gt, "BRANCH_EQ": .eq, "BRANCH_NEQ": .neq, "LEAF": .leaf]
        modes = try modeNames.map { (name: String) throws(ONNXError) -> Mode in
            guard let mode = modeTable[name] else { throw a.error("unknown node mode `\(name)`") }
            return mode
        }
        features = []
        yes = []
        no = []
        for i in 0..<n {
            guard modes[i] != .leaf else {
                features.append(0)
                yes.append(i)
                no.append(i)
                continue
            }
            guard featureIDs[i] >= 0, featureIDs[i] < 1 << 24 else { throw a.error("node \(nodeIDs[i]) of tree \(treeIDs[i]) reads feature \(featureIDs[i])") }
            guard let t = index[treeIDs[i]]?[trueIDs[i]], let f = index[treeIDs[i]]?[falseIDs[i]] else {
                throw a.error("node \(nodeIDs[i]) of tree \(treeIDs[i]) points to a node that does not exist")
            }
            features.append(Int(featureIDs[i]))
            yes.append(t)
            no.append(f)
        }
        thresholds = values
        missingGoesYes = missing.isEmpty ? Array(repeating: false, count: n) : missing.map { $0 != 0 }
        let trees = index.keys.sorted()
        roots = trees.map { tree in (0..<n).first { treeIDs[$0] == tree }! }
        sizes = trees.map { index[$0]!.count }

        let prefix = classifier ? "class" : "target"
        let targetTrees = try a.ints("\(prefix)_treeids") ?? [], targetNodes = try a.ints("\(prefix)_nodeids") ?? []
        let targetIDs = try a.ints("\(prefix)_ids") ?? [], weights = try a.floats("\(prefix)_weights") ?? []
        guard targetTrees.count == targetNodes.count, targetNodes.count == targetIDs.count, targetIDs.count == weights.count else {
            throw a.error("the `\(prefix)_*` attributes differ in length")
        }
        if classifier {
            let labels = try a.classLabels(ints: "classlabels_int64s", strings: "classlabels_strings")
            self.labels = labels
            outputs = labels.count
            binary = Set(targetIDs).count == 1 && labels.count == 2
            aggregate = .sum
        } else {
            outputs = Int(clamping: try a.int("n_targets", default: 1))
            labels = nil
            binary = false
            let name = try a.string("aggregate_function", default: "SUM")
            guard let aggregate = Aggregate(rawValue: name) else { throw a.error("unknown aggregate_function `\(name)`") }
            self.aggregate = aggregate
        }
        guard outputs >= 1, outputs <= 1 << 16 else { throw a.error("\(outputs) outputs") }
        var perNode = Array(repeating: [(Int, Float)](), count: n)
        for k in targetIDs.indices {
            guard let node = index[targetTrees[k]]?[targetNodes[k]] else {
                throw a.error("a weight names node \(targetNodes[k]) of tree \(targetTrees[k]), which does not exist")
            }
            guard targetIDs[k] >= 0, targetIDs[k] < Int64(outputs) else { throw a.error("a weight names output \(targetIDs[k]) of \(outputs)") }
            perNode[node].append((Int(targetIDs[k]), weights[k]))
        }
        contributionStart = [0]
        contributionTargets = []
        contributionWeights = []
        for entries in perNode {
            for (target, weight) in entries {
                contributionTargets.append(target)
                contributionWeights.append(weight)
            }
            contributionStart.append(contributionTargets.count)
        }
        base = try a.floats("base_values") ?? []
        guard base.isEmpty || base.count == outputs || base.count == 1 else { throw a.error("\(base.count) base values for \(outputs) outputs") }
        transform = try PostTransform(a)
        if !classifier, transform != .none { throw a.error("TreeEnsembleRegressor supports post_transform NONE only") }
    }

    /// The leaf one tree sends `row` to.
    func leaf(tree: Int, row: UnsafeBufferPointer<Float>) throws -> Int {
        var node = roots[tree], steps = 0
        while modes[node] != .leaf {
            steps += 1
            guard steps <= sizes[tree] else { throw KernelFailure("tree \(tree) has a cycle") }
            let x = row[features[node]], t = thresholds[node]
            let goYes: Bool
            if x.isNaN {
                goYes = missingGoesYes[node]
            } else {
                switch modes[node] {
                case .leq: goYes = x <= t
                case .lt: goYes = x < t
                case .gte: goYes = x >= t
                case .gt: goYes = x > t
                case .eq: goYes = x == t
                case .neq: goYes = x != t
                case .leaf: goYes = true
                }
            }
            node = goYes ? yes[node] : no[node]
        }
        return node
    }

    /// Raw per-row scores (`N × outputs`) before the classifier's binary handling and transform.
    func scores(_ x: Tensor) throws -> [Float] {
        let n = x.shape[0], f = x.shape[1]
        if let top = features.max(), top >= f { throw KernelFailure("the trees read feature \(top), the input has \(f)") }
        var out = [Float](repeating: 0, count: n * outputs)
        try x.data.withUnsafeBufferPointer { data in
            for r in 0..<n {
                let row = UnsafeBufferPointer(rebasing: data[(r * f)..<((r + 1) * f)])
                var acc = [Double](repeating: aggregate == .min ? .greatestFiniteMagnitude : (aggregate == .max ? -.greatestFiniteMagnitude : 0), count: outputs)
                var touched = [Bool](repeating: false, count: outputs)
                for tree in roots.indices {
                    let node = try leaf(tree: tree, row: row)
                    for k in contributionStart[node]..<contributionStart[node + 1] {
                        let target = contributionTargets[k], w = Double(contributionWeights[k])
                        touched[target] = true
                        switch aggregate {
                        case .sum, .average: acc[target] += w
                        case .min: acc[target] = Swift.min(acc[target], w)
                        case .max: acc[target] = Swift.max(acc[target], w)
                        }
                    }
                }
                for j in 0..<outputs {
                    var v = touched[j] || aggregate == .sum || aggregate == .average ? acc[j] : 0
                    if aggregate == .average { v /= Double(roots.count) }
                    if !base.isEmpty { v += Double(base[base.count == 1 ? 0 : j]) }
                    out[r * outputs + j] = Float(v)
                }
            }
        }
        return out
    }

    func kernel() -> Kernel {
        let ensemble = self
        return Kernel(forward: { inputs in
            let x = try MLKernels.rows(inputs)
            let n = x.shape[0]
            var scores = try ensemble.scores(x)
            guard let labels = ensemble.labels else { return [.floats(try Tensor(shape: [n, ensemble.outputs], data: scores))] }
            var columns = ensemble.outputs
            if ensemble.binary {
                // One class carries every weight: its score s becomes [1 − s, s] (NONE, PROBIT) or [−s, s] before the
                // transform, as onnxruntime writes binary scores.
                var two = [Float](repeating: 0, count: n * 2)
                for r in 0..<n {
                    let s = scores[r * columns]
                    two[r * 2 + 1] = s
                    two[r * 2] = ensemble.transform == .none || ensemble.transform == .probit ? 1 - s : -s
                }
                scores = two
                columns = 2
            }
            ensemble.transform.apply(&scores, rows: n, columns: columns)
            var picked: [Int] = []
            for r in 0..<n {
                var best = 0
                for j in 1..<columns where scores[r * columns + j] > scores[r * columns + best] { best = j }
                picked.append(Swift.min(best, labels.count - 1))
            }
            return [try labels.pick(picked, shape: [n]), .floats(try Tensor(shape: [n, columns], data: scores))]
        })
    }
}
