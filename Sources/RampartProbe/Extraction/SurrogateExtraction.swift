import Foundation
import RampartCore
import RampartML

/// Model theft by training a copy (Copycat CNN, Correia-Silva et al. 2018; Knockoff Nets, Orekondy et al. 2019): the
/// thief sends its own rows to the target and fits a native MLP (`RampartML.MLPClassifier`, Adam) to the answers —
/// to the target's probabilities when it reveals them (distillation, as Knockoff Nets), else to its labels (Copycat).
/// Queries come from the thief's natural data (a seeded shuffle of the pool) or from uniform noise in the input box.
///
/// Measured as the literature does: **fidelity**, the share of held-out rows where the copy agrees with the target,
/// and **accuracy** against the true labels, at each budget. The held-out rows' answers are the measurement, asked
/// outside the attack's budget.
public enum SurrogateExtraction {
    public enum Queries: String, Sendable, Codable, CaseIterable {
        /// Rows of the thief's own data, farthest-first from a seeded random row (ActiveThief's k-center strategy,
        /// Pal et al. 2020): each budget's rows cover the pool as evenly as greedy k-center can, so a small budget
        /// is not spent on near-copies of one digit.
        case kcenter
        /// Rows of the thief's own data, in a seeded random order.
        case natural
        /// Uniform noise in the input box.
        case uniform
    }

    public struct Point: Sendable, Equatable, Codable {
        public var budget: Int
        public var fidelity: Double
        public var accuracy: Double
    }

    public struct Report: Sendable, Equatable, Codable {
        public var queries: Queries
        /// Whether the copy was fitted to probabilities (the target revealed them) or to labels.
        public var fittedTo: String
        public var outputKind: String
        public var points: [Point]
        public var seed: UInt64
        /// Rows sent and requests made, the evaluation rows included.
        public var rows: Int
        public var requests: Int
        public var seconds: Double
        public var targetAccuracy: Double

        /// Fidelity at the largest budget not above `budget`.
        public func fidelity(at budget: Int) -> Double? { points.last { $0.budget <= budget }?.fidelity }
    }

    /// Steals the target with each budget in `budgets` (rows), evaluating on `evaluation`.
    ///
    /// - Parameters:
    ///   - queries: which rows to ask about (k-center over the pool by default).
    ///   - useScores: fit probabilities when the target gives them (default), or labels only.
    ///   - selfTraining: after fitting the queried rows, label the pool's unqueried rows the copy is sure of (≥ 0.9)
    ///     with its own predictions and fit again from where it stopped (semi-supervised extraction: the thief's
    ///     unlabelled data costs no queries; Jagielski et al., USENIX Security 2020).
    public static func run(target: any ProbeTarget, pool: Dataset, evaluation: Dataset, budgets: [Int], queries: Queries = .kcenter,
                           useScores: Bool = true, selfTraining: Bool = true, options: MLPClassifier.Options = .init(learningRate: 3e-3),
                           low: Float = 0, high: Float = 1,
                           seed: UInt64, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws(ProbeError) -> Report {
        let d = target.features
        let budgets = Array(Set(budgets.filter { $0 > 0 })).sorted()
        guard let largest = budgets.last else { throw .unsuitableTarget("extraction needs at least one budget above 0") }
        guard pool.features.count == d, evaluation.features.count == d else {
            throw .unsuitableTarget("the data has \(pool.features.count) features; the target takes \(d)")
        }
        guard largest.multipliedReportingOverflow(by: Swift.max(d, 1)).partialValue <= Tensor.maxElements, largest <= 10_000_000 else {
            throw .unsuitableTarget("a budget of \(largest) queries of \(d) features is more than the probe holds in memory")
        }
        guard evaluation.count > 0 else { throw .unsuitableTarget("extraction needs rows to measure fidelity on") }
        guard queries == .uniform || largest <= pool.count else {
            throw .unsuitableTarget("a budget of \(largest) \(queries.rawValue) queries needs as many rows of data; the pool has \(pool.count)")
        }
        let started = ContinuousClock.now
        var rng = SeededRandom(seed: seed)
        var rows: [Float]
        // The pool rows queried, in order (natural and k-center queries); the rest are unlabelled data for self-training.
        var queried: [Int] = []
        switch queries {
        case .natural:
            var order = Array(0..<pool.count)
            order.shuffle(using: &rng)
            queried = Array(order.prefix(largest))
            rows = queried.flatMap { pool.rows[$0] }
        case .kcenter:
            // Farthest-first costs budget × candidates × features: past ~4·10⁹ it runs on a seeded sample of the pool.
            var candidates = Array(0..<pool.count)
            let affordable = Swift.max(largest, (1 << 32) / Swift.max(1, largest * Swift.max(d, 1)))
            if candidates.count > affordable {
                candidates.shuffle(using: &rng)
                candidates = Array(candidates.prefix(affordable)).sorted()
            }
            let order = farthestFirst(candidates.map { pool.rows[$0] }, count: largest, start: Int(rng.next() % UInt64(candidates.count)))
            queried = order.map { candidates[$0] }
            rows = queried.flatMap { pool.rows[$0] }
        case .uniform:
            rows = (0..<(largest * d)).map { _ in low + (high - low) * uniform(&rng) }
        }
        let batcher = BatchingTarget(target)
        let oracle = Oracle(target: batcher, budget: largest)
        var labels: [Int] = [], scores: [Float] = []
        var width: Int?
        for start in stride(from: 0, to: largest, by: 256) {
            let n = Swift.min(256, largest - start)
            let answer = try await oracle.query(try! Tensor(shape: [n, d], data: Array(rows[(start * d)..<((start + n) * d)])))
            labels += answer.labels
            if let p = answer.probabilities, width == nil || width == p.shape[1] {
                width = p.shape[1]
                scores += p.data
            }
        }
        let measure = Oracle(target: batcher, budget: Int.max)
        var truth: [Int] = []
        for start in stride(from: 0, to: evaluation.count, by: 256) {
            let chunk = evaluation.slice(start..<Swift.min(evaluation.count, start + 256))
            truth += try await measure.labels(chunk.tensor)
        }
        let kind = await oracle.outputKind ?? .label
        let soft = useScores && kind.hasScores && width != nil && scores.count == largest * width!
        let limit = MembershipInference.maxClasses
        guard (labels + truth + evaluation.labels).allSatisfy({ (-1..<limit).contains($0) }) else {
            throw .unsuitableTarget("labels must be class indices 0..<\(limit) (−1: abstained)")
        }
        let classes = Swift.max(width ?? 0, (labels + truth + evaluation.labels).max().map { $0 + 1 } ?? 0)
        guard classes >= 2 else { throw .unsuitableTarget("the target answered a single class; there is nothing to copy") }
        var points: [Point] = []
        var previous: MLPClassifier?
        for (i, budget) in budgets.enumerated() {
            let x = try! Tensor(shape: [budget, d], data: Array(rows[0..<(budget * d)]))
            let targets: Tensor
            if soft, let width, width == classes {
                targets = try! Tensor(shape: [budget, width], data: Array(scores[0..<(budget * width)]))
            } else {
                targets = MLPClassifier.oneHot(Array(labels[0..<budget]), classes: classes)
            }
            var trainer = SeededRandom(seed: seed &+ UInt64(budget))
            var copy: MLPClassifier
            // A fixed number of optimizer steps, not epochs: an epoch of a small set is one step (25 rows), and
            // scikit-learn's stopping rule ends such a fit long before it has converged. Each budget's rows extend the
            // previous budget's (the queries are one sequence), so its copy continues from the previous copy, as a
            // thief training while it queries would.
            var fit = options
            fit.epochs = Self.epochs(for: Self.steps, rows: budget, batch: options.batchSize)
            fit.tolerance = 0
            do {
                copy = try MLPClassifier.train(x, targets: targets, options: fit, from: previous, using: &trainer)
                previous = copy
                if selfTraining, !queried.isEmpty {
                    copy = try Self.selfTrain(copy, x: x, targets: targets, pool: pool, queried: Set(queried.prefix(budget)), options: fit, using: &trainer)
                }
            } catch {
                throw .unsuitableTarget("training the copy failed: \(error)")
            }
            let predicted = (try? copy.labels(evaluation.tensor)) ?? []
            let agree = zip(predicted, truth).filter { $0 == $1 }.count
            let correct = zip(predicted, evaluation.labels).filter { $0 == $1 }.count
            points.append(Point(budget: budget, fidelity: Double(agree) / Double(evaluation.count), accuracy: Double(correct) / Double(evaluation.count)))
            progress(i + 1, budgets.count)
        }
        let targetAccuracy = Double(zip(truth, evaluation.labels).filter { $0 == $1 }.count) / Double(evaluation.count)
        return Report(queries: queries, fittedTo: soft ? "probabilities" : "labels", outputKind: kind.description, points: points, seed: seed,
                      rows: await oracle.used + evaluation.count, requests: await batcher.requests, seconds: (ContinuousClock.now - started).seconds,
                      targetAccuracy: targetAccuracy)
    }

    /// Optimizer steps for fitting a copy to the queried rows, and for self-training after it (tuned on the digits
    /// models of bench/probe: fidelity within noise of 1 000 + 1 000 steps at Adam's rate 3e-3, three times faster).
    static let steps = 600, selfTrainingSteps = 400

    /// Epochs that make about `steps` optimizer steps over `rows` rows in batches of `batch`.
    static func epochs(for steps: Int, rows: Int, batch: Int) -> Int {
        let batch = Swift.max(1, Swift.min(batch, rows))
        return Swift.max(1, steps / Swift.max(1, (rows + batch - 1) / batch))
    }

    /// Farthest-first traversal: `count` row indices, each the row farthest (L2) from those already chosen.
    static func farthestFirst(_ rows: [[Float]], count: Int, start: Int) -> [Int] {
        guard !rows.isEmpty, count > 0 else { return [] }
        var chosen = [start], distance = rows.map { Norms.distances($0, rows[start]).l2 }
        distance[start] = -1
        while chosen.count < Swift.min(count, rows.count) {
            var next = 0
            for i in distance.indices where distance[i] > distance[next] { next = i }
            chosen.append(next)
            for i in distance.indices where distance[i] >= 0 { distance[i] = Swift.min(distance[i], Norms.distances(rows[i], rows[next]).l2) }
            distance[next] = -1
        }
        return chosen
    }

    /// Pseudo-labels the unqueried pool rows `copy` is sure of and fits again, warm, on them and the queried rows.
    static func selfTrain(_ copy: MLPClassifier, x: Tensor, targets: Tensor, pool: Dataset, queried: Set<Int>, options: MLPClassifier.Options,
                          using generator: inout SeededRandom) throws -> MLPClassifier {
        let rest = pool.rows.indices.filter { !queried.contains($0) }
        guard !rest.isEmpty else { return copy }
        let d = x.shape[1], c = targets.shape[1]
        let p = try copy.probabilities(try Tensor(shape: [rest.count, d], data: rest.flatMap { pool.rows[$0] }))
        var rows = x.data, labels = targets.data
        for (i, r) in rest.enumerated() {
            let scores = p.data[(i * c)..<((i + 1) * c)]
            guard let top = scores.indices.max(by: { scores[$0] < scores[$1] }), scores[top] >= 0.9 else { continue }
            rows += pool.rows[r]
            var onehot = [Float](repeating: 0, count: c)
            onehot[top - scores.startIndex] = 1
            labels += onehot
        }
        let n = rows.count / d
        guard n > x.shape[0] else { return copy }
        // Warm, so fewer steps suffice.
        var options = options
        options.epochs = epochs(for: selfTrainingSteps, rows: n, batch: options.batchSize)
        return try MLPClassifier.train(try Tensor(shape: [n, d], data: rows), targets: try Tensor(shape: [n, c], data: labels), options: options,
                                       from: copy, using: &generator)
    }
}
