import Foundation
import RampartML

/// What a target reveals besides the label — detected from its answers, so attacks can choose a score-based or a
/// decision-based variant (docs/probe.md). Ordered from least to most informative.
public enum OutputKind: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// The label only: the guide's *excluding confidence from the output*.
    case label
    /// The `k` most likely classes and their scores (`k = 1`: the label and its probability).
    case topK(Int)
    /// Every class's probability, rounded to `decimals` places.
    case rounded(decimals: Int)
    /// Every class's probability at full precision.
    case probabilities

    /// Whether a score-based attack (SimBA, Square, equation-solving, LiRA) has scores to work with.
    public var hasScores: Bool { self != .label }

    public var description: String {
        switch self {
        case .label: "label"
        case .topK(let k): "top_\(k)"
        case .rounded(let decimals): "rounded_\(decimals)"
        case .probabilities: "probabilities"
        }
    }

    private var rank: (Int, Int) {
        switch self {
        case .label: (0, 0)
        case .topK(let k): (1, k)
        case .rounded(let decimals): (2, decimals)
        case .probabilities: (3, 0)
        }
    }

    public static func < (a: OutputKind, b: OutputKind) -> Bool { a.rank < b.rank }

    /// `.rounded(d)` for the fewest decimals (up to 6) every score is a multiple of, else `.probabilities`. Scores
    /// that are all exactly 0 or 1 (a saturated model) say nothing about rounding and read as `.probabilities`.
    public static func detect(_ scores: Tensor) -> OutputKind {
        let values = scores.data
        guard values.contains(where: { $0 != 0 && $0 != 1 }) else { return .probabilities }
        for decimals in 0...6 {
            let scale = Foundation.pow(10, Double(decimals))
            if values.allSatisfy({ v in let s = Double(v) * scale; return abs(s - s.rounded()) <= 1e-3 }) { return .rounded(decimals: decimals) }
        }
        return .probabilities
    }
}

/// What a classifier answers for a batch of rows: a label per row, and class scores when the target reveals them
/// (nil for a label-only target).
public struct TargetAnswer: Sendable, Equatable {
    public var labels: [Int]
    /// `rows × classes`, when the target returns scores. For a top-k answer the classes not returned share what is
    /// left of the probability mass equally.
    public var probabilities: Tensor?
    public var kind: OutputKind

    public init(labels: [Int], probabilities: Tensor?, kind: OutputKind? = nil) {
        self.labels = labels
        self.probabilities = probabilities
        self.kind = kind ?? probabilities.map(OutputKind.detect) ?? .label
    }
}

/// A classifier an attack can query: a local ONNX model, a KServe v2 endpoint or a generic JSON endpoint.
public protocol ProbeTarget: Sendable {
    /// Features per row.
    var features: Int { get }
    func answer(_ rows: Tensor) async throws -> TargetAnswer
    /// Answers `rows` in a request of their own — never coalesced with other callers' rows — for re-verifying a
    /// final adversarial example exactly as a lone client would see it.
    func answerAlone(_ rows: Tensor) async throws -> TargetAnswer
}

extension ProbeTarget {
    public func answerAlone(_ rows: Tensor) async throws -> TargetAnswer { try await answer(rows) }
}

/// Why an attack stopped.
public enum ProbeError: Error, Equatable, CustomStringConvertible {
    /// The query budget does not cover the rows asked for; nothing was sent.
    case budgetExhausted(used: Int, budget: Int, asked: Int)
    /// The target cannot answer as the attack needs (e.g. label-only when probabilities are required).
    case unsuitableTarget(String)
    /// The target (or the transport) failed after retries.
    case targetFailed(String)
    /// The target refused the query on purpose — e.g. Rampart's gateway blocking a client its monitors flagged (403)
    /// or a spent quota. The attack is over: the control worked.
    case refused(status: Int, code: String?, message: String)

    public var description: String {
        switch self {
        case let .budgetExhausted(used, budget, asked): "the query budget is spent: \(used) of \(budget) rows used, \(asked) more asked for"
        case .unsuitableTarget(let why), .targetFailed(let why): why
        case let .refused(status, code, message): "the target refused the query (HTTP \(status)\(code.map { ", \($0)" } ?? "")): \(message)"
        }
    }
}

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

/// The best adversarial example seen so far for one attacked row, by L2 and by L∞, and the curve of the best
/// perturbation against queries spent — what makes every attack anytime.
public struct EvasionTracker: Sendable, Equatable {
    public struct Point: Sendable, Equatable, Codable {
        /// The query (1-based row count) that found it.
        public var query: Int
        public var distance: Float
    }

    public let original: [Float]
    public let label: Int
    public private(set) var bestL2: [Float]?
    public private(set) var bestLinf: [Float]?
    /// Improvements of the best L2 (resp. L∞) perturbation, in query order.
    public private(set) var curveL2: [Point] = []
    public private(set) var curveLinf: [Point] = []
    public var firstSuccess: Int? { curveL2.first?.query }

    public init(original: [Float], label: Int) {
        self.original = original
        self.label = label
    }

    /// Whether `label` is a successful evasion of `self.label`: a different class, not an abstention (−1, a smoothed
    /// route that declined to answer — a refusal, not a misclassification).
    public func isAdversarial(_ label: Int) -> Bool { label != self.label && label != -1 }

    mutating func observe(_ row: [Float], label: Int, query: Int) {
        guard isAdversarial(label) else { return }
        let (l2, linf) = Norms.distances(row, original)
        if curveL2.last.map({ l2 < $0.distance }) ?? true {
            curveL2.append(Point(query: query, distance: l2))
            bestL2 = row
        }
        if curveLinf.last.map({ linf < $0.distance }) ?? true {
            curveLinf.append(Point(query: query, distance: linf))
            bestLinf = row
        }
    }

    /// The best distance found within the first `queries` queries, or nil if none was adversarial by then.
    public func best(_ norm: Norm, within queries: Int) -> Float? {
        (norm == .l2 ? curveL2 : curveLinf).last { $0.query <= queries }?.distance
    }
}

/// A perturbation norm.
public enum Norm: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
    case l2
    case linf

    public var description: String { self == .l2 ? "L2" : "L∞" }
}

enum Norms {
    static func distances(_ a: [Float], _ b: [Float]) -> (l2: Float, linf: Float) {
        var sum: Float = 0, top: Float = 0
        for i in a.indices {
            let delta = abs(a[i] - b[i])
            sum += delta * delta
            top = Swift.max(top, delta)
        }
        return (sum.squareRoot(), top)
    }

    static func distance(_ a: [Float], _ b: [Float], _ norm: Norm) -> Float {
        let (l2, linf) = distances(a, b)
        return norm == .l2 ? l2 : linf
    }
}
