import Foundation
import RampartCore
import RampartML

/// Model inversion (the guide's "model inversion" threat; Fredrikson, Jha & Ristenpart, CCS 2015): from the model
/// alone, reconstruct what a class's training data looks like — a face behind a name, a typical patient behind a
/// diagnosis. For each class c it maximises
///
///     J(x) = log p_c(x) − λ‖x − x̄‖²
///
/// inside the input box, by Adam from x̄, where x̄ is the mean of the attacker's own data over *all* classes (public
/// knowledge of what inputs look like, nothing about any class). The box is each feature's range in the data, and the
/// optimisation runs with every feature scaled to [0, 1] by it, so a step means the same for a pixel and a blood
/// pressure. ∇ log p_c comes from the model's input gradient
/// (white-box, a local ONNX file — what ART's MIFace does) or, black-box, from antithetic zeroth-order estimates
/// (Gaussian directions u, (f(x + σu) − f(x − σu)) u / 2σ, as in ZOO/NES), which needs the target's scores.
///
/// Measured against the class means of the private data (the training rows when known): the *similarity* of each
/// reconstruction to its class mean, both centred on x̄ and scaled by the feature ranges (cosine; 0 is what x̄ itself
/// scores, 1 the class mean), and whether the reconstruction is *identified* — nearer its own class mean than any
/// other's (chance: 1/classes).
public enum ModelInversion {
    public struct Options: Sendable, Equatable {
        /// Gradient steps per class, white-box.
        public var steps: Int
        /// Adam's step size.
        public var learningRate: Float
        /// λ, the weight of the prior ‖x − x̄‖² that keeps reconstructions near natural inputs.
        public var prior: Float
        /// Random directions per black-box step; each costs two queries.
        public var directions: Int
        /// The black-box finite-difference radius (in units of each feature's range).
        public var sigma: Float

        public init(steps: Int = 300, learningRate: Float = 0.05, prior: Float = 0.1, directions: Int = 10, sigma: Float = 0.01) {
            self.steps = steps
            self.learningRate = learningRate
            self.prior = prior
            self.directions = directions
            self.sigma = sigma
        }
    }

    public enum Access: String, Sendable, Codable, CaseIterable {
        case whiteBox = "white-box"
        case blackBox = "black-box"
    }

    public struct ClassResult: Sendable, Equatable, Codable {
        public var label: Int
        /// The reconstruction, in the data's units.
        public var representative: [Float]
        /// The target's probability of `label` for the representative.
        public var confidence: Double
        /// Centred cosine similarity to the class mean.
        public var similarity: Double
        /// Whether the class mean nearest the representative (by centred cosine) is its own.
        public var identified: Bool
    }

    public struct Report: Sendable, Equatable {
        public var access: Access
        public var outputKind: String
        public var classes: [ClassResult]
        public var classMeans: [[Float]]
        /// Each feature's range in the data: the box the reconstructions stay in.
        public var low: [Float]
        public var high: [Float]
        /// Gradient steps (white-box) or queries (black-box) spent per class.
        public var perClass: Int
        /// Rows sent to the target (black-box), 0 white-box.
        public var rows: Int
        /// (steps or queries per class, mean similarity) as the optimisation went: the attack is anytime.
        public var curve: [[Double]]
        public var seed: UInt64
        public var seconds: Double

        public var similarity: Double { classes.isEmpty ? 0 : classes.map(\.similarity).reduce(0, +) / Double(classes.count) }
        public var identificationRate: Double { classes.isEmpty ? 0 : Double(classes.filter(\.identified).count) / Double(classes.count) }
        public var confidence: Double { classes.isEmpty ? 0 : classes.map(\.confidence).reduce(0, +) / Double(classes.count) }
    }

    /// The most classes one run inverts.
    public static let maxClasses = 1000

    /// White-box inversion of a local model through its input gradients.
    public static func whiteBox(_ target: LocalModelTarget, auxiliary: Dataset, members: Dataset, options: Options = .init(),
                                progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws(ProbeError) -> Report {
        let started = ContinuousClock.now
        let setup = try Setup(features: target.features, auxiliary: auxiliary, members: members)
        let labels = setup.labels
        let steps = Swift.max(1, options.steps)
        var optimizer = Optimizer(setup: setup, options: options)
        for step in 1...steps {
            let x = try! Tensor(shape: [labels.count, setup.d], data: setup.inputs(optimizer.x))
            let gradient: Tensor
            do { gradient = try target.lossGradient(x, labels: labels) } catch let error as ProbeError { throw error } catch {
                throw .unsuitableTarget("inversion: the model's input gradient failed: \(error)")
            }
            // ∂/∂z = ∂/∂x · (high − low) for x = low + z · (high − low).
            optimizer.step(ascending: gradient.data.enumerated().map { i, g in -g * setup.span[i % setup.d] })
            optimizer.record(step, total: steps)
            if step % Swift.max(1, steps / 10) == 0 { progress(step, steps) }
        }
        let answer: TargetAnswer
        do { answer = try await target.answer(try! Tensor(shape: [labels.count, setup.d], data: setup.inputs(optimizer.x))) } catch {
            throw .unsuitableTarget("inversion: the model failed on the reconstructions: \(error)")
        }
        return try optimizer.report(access: .whiteBox, answer: answer, perClass: steps, rows: 0, seed: 0, started: started)
    }

    /// Black-box inversion through an oracle of `budget` queries per class (`(budget − 1) / (2 × directions)` steps,
    /// and one query per class for the final confidence). All classes advance together, one request per step.
    public static func blackBox(target: any ProbeTarget, auxiliary: Dataset, members: Dataset, budget: Int, options: Options = .init(),
                                seed: UInt64, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws(ProbeError) -> Report {
        let started = ContinuousClock.now
        let setup = try Setup(features: target.features, auxiliary: auxiliary, members: members)
        let labels = setup.labels, d = setup.d, c = labels.count
        let q = Swift.max(1, options.directions)
        let steps = (budget - 1) / (2 * q)
        guard steps >= 1 else { throw .unsuitableTarget("inversion: a budget of \(budget) queries per class buys no step; give at least \(2 * q + 1)") }
        guard c * 2 * q <= Tensor.maxElements / Swift.max(d, 1) else { throw .unsuitableTarget("inversion: \(c) classes × \(2 * q) directions is too many rows per step") }
        // The oracle keeps every row it sent (its cache): bound the whole run, as extraction does.
        let (cells, overflow) = c.multipliedReportingOverflow(by: budget)
        guard !overflow, cells <= Tensor.maxElements / Swift.max(d, 1) else {
            throw .unsuitableTarget("inversion: \(c) classes × \(budget) queries × \(d) features is more than the probe holds in memory; lower the budget")
        }
        let oracle = Oracle(target: target, budget: c * (steps * 2 * q + 1))
        var rng = SeededRandom(seed: seed)
        var gaussian = Gaussian()
        var optimizer = Optimizer(setup: setup, options: options)
        let sigma = options.sigma
        for step in 1...steps {
            var directions = [Float](repeating: 0, count: c * q * d)
            for i in directions.indices { directions[i] = gaussian.next(using: &rng) }
            var rows = [Float](repeating: 0, count: c * 2 * q * d)
            for k in 0..<c {
                for j in 0..<q {
                    for i in 0..<d {
                        let u = directions[(k * q + j) * d + i], z = optimizer.x[k * d + i]
                        rows[((k * 2 * q) + 2 * j) * d + i] = setup.input(Swift.min(Swift.max(z + sigma * u, 0), 1), feature: i)
                        rows[((k * 2 * q) + 2 * j + 1) * d + i] = setup.input(Swift.min(Swift.max(z - sigma * u, 0), 1), feature: i)
                    }
                }
            }
            let answer = try await oracle.query(try! Tensor(shape: [c * 2 * q, d], data: rows))
            let p = try scores(answer, labels: labels)
            let width = p.count / (c * 2 * q)
            var gradient = [Float](repeating: 0, count: c * d)
            for k in 0..<c {
                for j in 0..<q {
                    let plus = logProbability(p[((k * 2 * q) + 2 * j) * width + labels[k]])
                    let minus = logProbability(p[((k * 2 * q) + 2 * j + 1) * width + labels[k]])
                    let weight = (plus - minus) / (2 * sigma * Float(q))
                    for i in 0..<d { gradient[k * d + i] += weight * directions[(k * q + j) * d + i] }
                }
            }
            optimizer.step(ascending: gradient)
            optimizer.record(step * 2 * q, total: steps * 2 * q)
            if step % Swift.max(1, steps / 10) == 0 { progress(step, steps) }
        }
        let final = try await oracle.query(try! Tensor(shape: [c, d], data: setup.inputs(optimizer.x)))
        let kind = await oracle.outputKind ?? .label
        var report = try optimizer.report(access: .blackBox, answer: final, perClass: steps * 2 * q + 1, rows: await oracle.used, seed: seed,
                                          started: started)
        report.outputKind = kind.description
        return report
    }

    static func scores(_ answer: TargetAnswer, labels: [Int]) throws(ProbeError) -> [Float] {
        guard let p = answer.probabilities else {
            throw .unsuitableTarget("inversion needs the target's class scores, but it answers labels only (\(answer.kind)); give the model file for white-box inversion")
        }
        let width = p.shape.last ?? 0
        guard let top = labels.last, top < width else {
            throw .unsuitableTarget("inversion: the data's class \(labels.last ?? 0) is not one of the target's \(width) score columns")
        }
        return p.data
    }

    static func logProbability(_ p: Float) -> Float { Foundation.log(Swift.max(p, 1e-6)) }

    /// The classes, the box, the prior x̄ and the class means (the last two scaled to the box), checked against the
    /// target's width. Inside, every row is z ∈ [0, 1]^d, and x = low + z · span.
    struct Setup {
        var d: Int
        var labels: [Int]
        var low: [Float]
        var span: [Float]
        var prior: [Float]
        var means: [[Float]]

        init(features: Int, auxiliary: Dataset, members: Dataset) throws(ProbeError) {
            d = features
            for (name, data) in [("the attacker's data (--data, data.test)", auxiliary), ("the members (--members, data.train)", members)]
            where data.features.count != d {
                throw .unsuitableTarget("inversion: \(name) has \(data.features.count) features; the target takes \(d)")
            }
            guard auxiliary.count > 0, members.count > 0 else { throw .unsuitableTarget("inversion needs rows of data") }
            labels = Array(Set(members.labels)).sorted()
            guard labels.first! >= 0 else { throw .unsuitableTarget("inversion: class \(labels.first!) in the members is negative; classes are 0 or more") }
            guard labels.count >= 2, labels.count <= ModelInversion.maxClasses else {
                throw .unsuitableTarget("inversion needs between 2 and \(ModelInversion.maxClasses) classes in the members; they have \(labels.count)")
            }
            guard labels.count <= Tensor.maxElements / Swift.max(1, features) else {
                throw .unsuitableTarget("inversion: \(labels.count) classes × \(features) features is more than the probe holds in memory")
            }
            var low = [Float](repeating: .infinity, count: features), high = [Float](repeating: -.infinity, count: features)
            for row in auxiliary.rows + members.rows {
                for i in 0..<features {
                    low[i] = Swift.min(low[i], row[i])
                    high[i] = Swift.max(high[i], row[i])
                }
            }
            self.low = low
            span = zip(low, high).map { $1 - $0 }
            var prior = [Float](repeating: 0, count: features)
            for row in auxiliary.rows { for i in 0..<features { prior[i] += row[i] } }
            self.prior = prior.map { $0 / Float(auxiliary.count) }
            var sums = [[Float]](repeating: [Float](repeating: 0, count: features), count: labels.count)
            var counts = [Int](repeating: 0, count: labels.count)
            let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
            for (row, label) in zip(members.rows, members.labels) {
                let k = index[label]!
                counts[k] += 1
                for i in 0..<features { sums[k][i] += row[i] }
            }
            means = sums.enumerated().map { k, sum in sum.map { $0 / Float(counts[k]) } }
            self.prior = scaled(self.prior)
            self.means = means.map(scaled)
        }

        /// A row in the box's units, z ∈ [0, 1] (a feature with one value in the data is 0).
        func scaled(_ x: [Float]) -> [Float] { x.indices.map { i in span[i] > 0 ? (x[i] - low[i]) / span[i] : 0 } }

        /// One feature of z in the data's units.
        func input(_ z: Float, feature i: Int) -> Float { low[i] + z * span[i] }

        /// Rows of z (`classes × d`) in the data's units.
        func inputs(_ z: [Float]) -> [Float] { z.indices.map { input(z[$0], feature: $0 % d) } }

        /// cos(a − x̄, b − x̄), 0 when either is x̄.
        func similarity(_ a: ArraySlice<Float>, _ b: [Float]) -> Double {
            var dot = 0.0, na = 0.0, nb = 0.0
            for (i, j) in zip(a.indices, b.indices) {
                let u = Double(a[i] - prior[j]), v = Double(b[j] - prior[j])
                dot += u * v
                na += u * u
                nb += v * v
            }
            return na > 0 && nb > 0 ? dot / (na * nb).squareRoot() : 0
        }
    }

    /// Adam on −J for every class's row at once, inside the box.
    struct Optimizer {
        let setup: Setup
        let options: Options
        var x: [Float]
        var m: [Float], v: [Float]
        var t = 0
        var curve: [[Double]] = []

        init(setup: Setup, options: Options) {
            self.setup = setup
            self.options = options
            x = Array((0..<setup.labels.count).map { _ in setup.prior }.joined())
            m = [Float](repeating: 0, count: x.count)
            v = m
        }

        /// One Adam step up J, given ∇ log p_c for each class's row.
        mutating func step(ascending gradient: [Float]) {
            t += 1
            let d = setup.d, b1: Float = 0.9, b2: Float = 0.999
            let c1 = 1 - Foundation.pow(b1, Float(t)), c2 = 1 - Foundation.pow(b2, Float(t))
            for i in x.indices {
                let g = -(gradient[i] - 2 * options.prior * (x[i] - setup.prior[i % d]))
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                let update = options.learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + 1e-8)
                x[i] = setup.span[i % d] > 0 ? Swift.min(Swift.max(x[i] - update, 0), 1) : 0
            }
        }

        var meanSimilarity: Double {
            let d = setup.d
            let total = setup.labels.indices.map { k in setup.similarity(x[(k * d)..<((k + 1) * d)], setup.means[k]) }.reduce(0, +)
            return total / Double(setup.labels.count)
        }

        /// Keeps about 60 points of the similarity curve, from the start (x̄: similarity 0).
        mutating func record(_ spent: Int, total: Int) {
            if curve.isEmpty { curve.append([0, 0]) }
            let every = Swift.max(1, total / 60)
            if spent % every == 0 || spent == total { curve.append([Double(spent), meanSimilarity]) }
        }

        func report(access: Access, answer: TargetAnswer, perClass: Int, rows: Int, seed: UInt64, started: ContinuousClock.Instant) throws(ProbeError) -> Report {
            let d = setup.d, labels = setup.labels
            let p = try ModelInversion.scores(answer, labels: labels)
            let width = p.count / labels.count
            let classes = labels.enumerated().map { k, label in
                let row = x[(k * d)..<((k + 1) * d)]
                let similarities = setup.means.map { setup.similarity(row, $0) }
                let nearest = similarities.indices.max { similarities[$0] < similarities[$1] }!
                return ClassResult(label: label, representative: setup.inputs(Array(row)), confidence: Double(p[k * width + label]),
                                   similarity: similarities[k], identified: nearest == k && similarities[k] > 0)
            }
            return Report(access: access, outputKind: answer.kind.description, classes: classes, classMeans: setup.means.map(setup.inputs),
                          low: setup.low, high: zip(setup.low, setup.span).map { $0 + $1 }, perClass: perClass,
                          rows: rows, curve: curve, seed: seed, seconds: (ContinuousClock.now - started).seconds)
        }
    }
}
