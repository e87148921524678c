import Foundation
import RampartML

/// The one door every attack goes through (docs/probe.md): it counts **rows** (model evaluations, the literature's
/// "queries") against a hard budget — a batch that would exceed it is refused before anything is sent — and answers
/// repeated rows from an exact-match cache without spending budget. It remembers the most informative output kind
/// seen, and, when told what is being attacked (`track`), the best adversarial example found after every query: any
/// attack becomes *anytime* and its curve of perturbation against queries comes for free.
public actor Oracle {
    public nonisolated let target: any ProbeTarget
    public nonisolated let budget: Int
    /// Rows charged against the budget (sent to the target, or reserved by a request in flight).
    public private(set) var used = 0
    /// Requests made to the target.
    public private(set) var calls = 0
    /// Rows answered from the cache.
    public private(set) var cacheHits = 0
    /// The most informative output the target has given (nil before the first answer).
    public private(set) var outputKind: OutputKind?
    /// Set by `track(_:label:)`.
    public private(set) var tracker: EvasionTracker?
    private var cache: [[UInt32]: (label: Int, probabilities: [Float]?, kind: OutputKind)] = [:]

    public init(target: any ProbeTarget, budget: Int) {
        self.target = target
        self.budget = budget
    }

    public var remaining: Int { budget - used }

    /// From now on, every answered row whose label is neither `label` nor an abstention (−1) is an adversarial
    /// example for `original`, and the tracker keeps the smallest found, by L2 and by L∞, with the query it took.
    public func track(_ original: [Float], label: Int) {
        tracker = EvasionTracker(original: original, label: label)
    }

    /// Answers `rows` (`n × features`), spending one unit of budget per row not already answered.
    public func query(_ rows: Tensor) async throws(ProbeError) -> TargetAnswer {
        // A cancelled attack (another row's attack failed, or the campaign stopped) sends nothing more.
        if Task.isCancelled { throw .targetFailed("cancelled") }
        let d = target.features
        guard rows.rank == 2, rows.shape[1] == d else { throw .unsuitableTarget("rows must be n × \(d), got \(rows.shape)") }
        let n = rows.shape[0]
        let keys = (0..<n).map { r in rows.data[(r * d)..<((r + 1) * d)].map(\.bitPattern) }
        var missing: [Int] = []
        var seen = Set<[UInt32]>()
        for (r, key) in keys.enumerated() where cache[key] == nil && seen.insert(key).inserted { missing.append(r) }
        guard used + missing.count <= budget else { throw .budgetExhausted(used: used, budget: budget, asked: missing.count) }
        if !missing.isEmpty {
            // Charged before the await: the actor is re-entered by concurrent queries while this one is in flight, and
            // each must see the budget this one has taken.
            let first = used
            used += missing.count
            var data: [Float] = []
            data.reserveCapacity(missing.count * d)
            for r in missing { data += rows.data[(r * d)..<((r + 1) * d)] }
            let batch = try! Tensor(shape: [missing.count, d], data: data)
            let answer = try await Self.ask(target, batch, alone: false)
            calls += 1
            let classes = try Self.check(answer, rows: missing.count)
            outputKind = Swift.max(outputKind ?? answer.kind, answer.kind)
            for (i, r) in missing.enumerated() {
                let scores = answer.probabilities.map { p in Array(p.data[(i * classes)..<((i + 1) * classes)]) }
                cache[keys[r]] = (answer.labels[i], scores, answer.kind)
                tracker?.observe(Array(batch.data[(i * d)..<((i + 1) * d)]), label: answer.labels[i], query: first + i + 1)
            }
        }
        cacheHits += n - missing.count
        let entries = keys.map { cache[$0]! }
        var probabilities: Tensor?
        let widths = Set(entries.compactMap { $0.probabilities?.count })
        if widths.count > 1 {
            throw .targetFailed("the target's scores changed width between answers (\(widths.sorted().map(String.init).joined(separator: " and ")) classes)")
        }
        if let width = widths.first, entries.allSatisfy({ $0.probabilities != nil }) {
            probabilities = try? Tensor(shape: [n, width], data: entries.flatMap { $0.probabilities! })
        }
        return TargetAnswer(labels: entries.map(\.label), probabilities: probabilities, kind: entries.map(\.kind).min() ?? .label)
    }

    /// Records what the target already answered for `row` (asked by someone else, e.g. when the attacker checked its
    /// clean data), charging it to this oracle's budget as if asked here.
    public func remember(_ row: [Float], answer: TargetAnswer) throws(ProbeError) {
        guard used + 1 <= budget else { throw .budgetExhausted(used: used, budget: budget, asked: 1) }
        guard row.count == target.features, answer.labels.count == 1, answer.probabilities.map({ $0.rank == 2 && $0.shape[0] == 1 }) ?? true else {
            throw .unsuitableTarget("remember takes one row of \(target.features) features and its one answer")
        }
        let key = row.map(\.bitPattern)
        guard cache[key] == nil, let label = answer.labels.first else { return }
        used += 1
        cache[key] = (label, answer.probabilities?.data, answer.kind)
        outputKind = Swift.max(outputKind ?? answer.kind, answer.kind)
    }

    /// Labels for `rows`, as `query` gives them.
    public func labels(_ rows: Tensor) async throws(ProbeError) -> [Int] { try await query(rows).labels }

    /// Asks about one row in a request of its own, bypassing the cache and any batching — how a final adversarial
    /// example is re-verified (ART's Boundary attack returns points that are adversarial only inside the batch that
    /// found them; research notes §3.2). Verification rows are counted in `verifications`, not against the budget.
    public func verify(_ row: [Float]) async throws(ProbeError) -> Int {
        let answer = try await Self.ask(target, try! Tensor(shape: [1, row.count], data: row), alone: true)
        _ = try Self.check(answer, rows: 1)
        verifications += 1
        return answer.labels[0]
    }

    /// Single-row requests made by `verify`.
    public private(set) var verifications = 0

    private static func ask(_ target: any ProbeTarget, _ rows: Tensor, alone: Bool) async throws(ProbeError) -> TargetAnswer {
        do {
            return alone ? try await target.answerAlone(rows) : try await target.answer(rows)
        } catch let error as ProbeError {
            throw error
        } catch {
            throw .targetFailed("the target failed: \(error)")
        }
    }

    /// The number of classes in `answer`'s scores (0 without scores), after checking it answers `rows` rows.
    private static func check(_ answer: TargetAnswer, rows: Int) throws(ProbeError) -> Int {
        guard answer.labels.count == rows else { throw .targetFailed("the target answered \(answer.labels.count) rows for \(rows)") }
        guard let p = answer.probabilities else { return 0 }
        guard p.rank == 2, p.shape[0] == rows, p.shape[1] >= 1 else { throw .targetFailed("the target's scores have shape \(p.shape) for \(rows) rows") }
        return p.shape[1]
    }
}
