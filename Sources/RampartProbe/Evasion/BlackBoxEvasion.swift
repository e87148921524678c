import Foundation
import RampartCore
import RampartML

/// Black-box evasion (the guide's *evasion*, input manipulation) through the oracle alone: the attacks see labels —
/// and scores, when the target reveals them — never the model.
///
/// Each attacked row gets its own `Oracle` with its own budget (the literature's "queries per sample") and its own
/// seeded generator, so a row's attack never depends on another's; rows run concurrently and their queries are
/// coalesced by one `BatchingTarget`. The oracle tracks the best adversarial example after every query, so every
/// attack is anytime and reports its curve of perturbation against queries; the final example is re-verified alone.
public enum BlackBoxEvasion {
    public enum Attack: Sendable, Equatable, CustomStringConvertible {
        case hopSkipJump(HopSkipJump)
        case simba(SimBA)
        case square(Square)

        public var description: String {
            switch self {
            case .hopSkipJump(let p): "hopskipjump-\(p.norm.rawValue)"
            case .simba: "simba"
            case .square: "square"
            }
        }

        /// The norm results are measured in.
        public var norm: Norm {
            switch self {
            case .hopSkipJump(let p): p.norm
            case .simba: .l2
            case .square: .linf
            }
        }
    }

    /// What one attacked row came to.
    public struct SampleResult: Sendable, Equatable, Codable {
        /// Row index in the data given.
        public var index: Int
        /// The target's label for the clean row (what the attack tries to change).
        public var label: Int
        /// Whether any query found an adversarial example.
        public var success: Bool
        /// Whether the best example is still adversarial when asked about alone (strict success).
        public var verified: Bool
        public var bestL2: Float?
        public var bestLinf: Float?
        public var queries: Int
        public var firstSuccess: Int?
        /// Why the attack on this row stopped early: the target refused (e.g. Rampart's monitors blocked the client).
        public var refused: String?
        public var curve: [EvasionTracker.Point]
        /// The best adversarial example, in the attack's norm.
        public var adversarial: [Float]?
    }

    public struct Report: Sendable, Equatable, Codable {
        public var attack: String
        public var norm: Norm
        public var budget: Int
        public var seed: UInt64
        /// Rows the target classified correctly, which were attacked (others are skipped).
        public var attacked: Int
        public var skipped: Int
        public var samples: [SampleResult]
        /// Rows sent and requests made to the target, verification included.
        public var rows: Int
        public var requests: Int
        public var cacheHits: Int
        public var seconds: Double
        public var outputKind: String

        public var successRate: Double { rate { $0.success } }
        public var verifiedSuccessRate: Double { rate { $0.verified } }
        public var refusedRate: Double { rate { $0.refused != nil } }

        /// The median over attacked rows of the best distance found within `queries` (rows without one count as
        /// infinitely far; nil when more than half have none).
        public func median(_ norm: Norm, within queries: Int? = nil) -> Double? {
            let values = samples.map { sample -> Double in
                let curve = sample.curve
                let limit = queries ?? Int.max
                let hit = curve.last { $0.query <= limit }
                return hit.map { Double($0.distance) } ?? .infinity
            }
            return median(values)
        }

        public var medianQueriesToSuccess: Double? {
            median(samples.map { $0.firstSuccess.map(Double.init) ?? .infinity })
        }

        private func median(_ values: [Double]) -> Double? {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            let m = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            return m.isFinite ? m : nil
        }

        private func rate(_ predicate: (SampleResult) -> Bool) -> Double {
            attacked == 0 ? 0 : Double(samples.filter(predicate).count) / Double(attacked)
        }
    }

    /// Attacks the first `limit` rows of `x` the target classifies correctly (`labels`), `concurrency` at a time.
    ///
    /// - Parameters:
    ///   - budget: queries per attacked row, the clean row's own query included.
    ///   - progress: called after each row with (rows done, rows to do).
    public static func run(_ attack: Attack, target: any ProbeTarget, x: [[Float]], labels: [Int], limit: Int, budget: Int, seed: UInt64,
                           low: Float = 0, high: Float = 1, concurrency: Int = 16,
                           progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws(ProbeError) -> Report {
        let d = target.features
        guard x.count == labels.count else { throw .unsuitableTarget("\(x.count) rows but \(labels.count) labels") }
        guard budget >= 2 else { throw .unsuitableTarget("a budget of \(budget) queries per row leaves none for the attack") }
        if let bad = x.firstIndex(where: { $0.count != d }) { throw .unsuitableTarget("row \(bad) has \(x[bad].count) values; the target takes \(d)") }
        let started = ContinuousClock.now
        let batcher = BatchingTarget(target)
        // The clean rows, once, in one request (not charged to any row's budget: the attacker's own data).
        let clean = Oracle(target: batcher, budget: Int.max)
        let candidates = Array(x.indices)
        var chosen: [Int] = []
        var cleanAnswers: [TargetAnswer] = []
        var offset = 0
        while chosen.count < limit, offset < candidates.count {
            let chunk = Array(candidates[offset..<Swift.min(candidates.count, offset + 256)])
            offset += chunk.count
            let answer = try await clean.query(try! Tensor(shape: [chunk.count, d], data: chunk.flatMap { x[$0] }))
            for (i, r) in chunk.enumerated() where chosen.count < limit && answer.labels[i] == labels[r] {
                chosen.append(r)
                cleanAnswers.append(answer.rows(i..<(i + 1)))
            }
        }
        let kind = await clean.outputKind ?? .label
        let todo = chosen.count
        var results = [SampleResult?](repeating: nil, count: todo)
        var cacheHits = 0, verifications = 0
        let outcome: Result<Void, ProbeError> = await withTaskGroup(of: (Int, Result<(SampleResult, Int, Int, Int), ProbeError>).self) { group in
            var next = 0, done = 0
            func add() {
                let slot = next, r = chosen[slot], clean = cleanAnswers[slot]
                next += 1
                group.addTask {
                    await batcher.register()
                    let result: Result<(SampleResult, Int, Int, Int), ProbeError>
                    do {
                        result = .success(try await attackOne(attack, batcher: batcher, row: x[r], clean: clean, index: r, budget: budget,
                                                              seed: seed &+ UInt64(r) &* 0x9E37_79B9_7F4A_7C15, low: low, high: high))
                    } catch {
                        result = .failure(error as? ProbeError ?? .targetFailed("\(error)"))
                    }
                    await batcher.unregister()
                    return (slot, result)
                }
            }
            while next < Swift.min(todo, Swift.max(1, concurrency)) { add() }
            while let (slot, result) = await group.next() {
                switch result {
                case .success(let (sample, _, hits, checks)):
                    results[slot] = sample
                    cacheHits += hits
                    verifications += checks
                case .failure(let error):
                    group.cancelAll()
                    return .failure(error)
                }
                done += 1
                progress(done, todo)
                if next < todo { add() }
            }
            return .success(())
        }
        try outcome.get()
        let requests = await batcher.requests, sent = await batcher.rowsSent
        return Report(attack: attack.description, norm: attack.norm, budget: budget, seed: seed, attacked: todo,
                      skipped: offset - todo, samples: results.map { $0! }, rows: sent + verifications,
                      requests: requests + verifications, cacheHits: cacheHits, seconds: (ContinuousClock.now - started).seconds,
                      outputKind: kind.description)
    }

    static func attackOne(_ attack: Attack, batcher: any ProbeTarget, row: [Float], clean: TargetAnswer, index: Int, budget: Int, seed: UInt64,
                          low: Float, high: Float) async throws(ProbeError) -> (SampleResult, Int, Int, Int) {
        let oracle = Oracle(target: batcher, budget: budget)
        let label = clean.labels[0]
        // The clean row's answer is the first query charged to this row: attacks start from it (scores included).
        try await oracle.remember(row, answer: clean)
        await oracle.track(row, label: label)
        var rng = SeededRandom(seed: seed)
        var refused: String?
        do {
            switch attack {
            case .hopSkipJump(let p): try await p.attack(oracle, x: row, label: label, low: low, high: high, rng: &rng)
            case .simba(let p): try await p.attack(oracle, x: row, label: label, low: low, high: high, rng: &rng)
            case .square(let p): try await p.attack(oracle, x: row, label: label, low: low, high: high, rng: &rng)
            }
        } catch {
            switch error {
            case .budgetExhausted: break   // anytime: the best so far stands
            case .refused: refused = error.description
            default: throw error
            }
        }
        let tracker = await oracle.tracker!
        let best = attack.norm == .l2 ? tracker.bestL2 : tracker.bestLinf
        var verified = false
        if let best, refused == nil {
            do { verified = tracker.isAdversarial(try await oracle.verify(best)) } catch {
                if case .refused = error { refused = error.description } else { throw error }
            }
        }
        let sample = SampleResult(index: index, label: label, success: best != nil, verified: verified,
                                  bestL2: tracker.curveL2.last?.distance, bestLinf: tracker.curveLinf.last?.distance,
                                  queries: await oracle.used, firstSuccess: tracker.firstSuccess, refused: refused,
                                  curve: attack.norm == .l2 ? tracker.curveL2 : tracker.curveLinf, adversarial: best)
        return (sample, await oracle.used, await oracle.cacheHits, await oracle.verifications)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Oracle {
    /// Whether `row` is adversarial for the tracked row.
    func isAdversarial(_ row: [Float]) async throws(ProbeError) -> Bool {
        let label = try await labels(try! Tensor(shape: [1, row.count], data: row))[0]
        return tracker?.isAdversarial(label) ?? false
    }

    /// Adversarial or not, for each row of `rows` (one request).
    func areAdversarial(_ rows: [[Float]]) async throws(ProbeError) -> [Bool] {
        guard let d = rows.first?.count else { return [] }
        let labels = try await labels(try! Tensor(shape: [rows.count, d], data: rows.flatMap { $0 }))
        return labels.map { tracker?.isAdversarial($0) ?? false }
    }

    /// The class scores of one row, or `unsuitableTarget` when the target answers labels only.
    func scores(_ row: [Float], attack: String) async throws(ProbeError) -> (label: Int, scores: [Float]) {
        let answer = try await query(try! Tensor(shape: [1, row.count], data: row))
        guard let p = answer.probabilities else {
            throw .unsuitableTarget("\(attack) needs the target's class scores, but it answers labels only (\(outputKind ?? .label)); use hopskipjump, which needs labels only")
        }
        return (answer.labels[0], p.data)
    }
}

func uniform(_ rng: inout SeededRandom) -> Float { Float(Double(rng.next() >> 11) / Double(1 << 53)) }
