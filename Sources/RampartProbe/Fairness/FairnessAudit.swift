import Foundation
import RampartML

/// A fairness audit of a classifier's decisions (the guide's privacy principle 2, *Fairness*: "the algorithm should
/// not behave in a discriminating way"; it names group fairness, false-positive error rate, unawareness and
/// counterfactual fairness, after Verma & Rubin 2018). The target answers a labelled data set with a declared
/// sensitive column; the audit compares its decisions across the column's groups:
///
/// - **demographic parity**: the rate of the favourable decision per group; the difference (max − min) and the ratio
///   (min / max — *disparate impact*, under 0.8 fails the US "four-fifths rule");
/// - **equalized odds**: the larger of the true- and false-positive-rate differences (as Fairlearn defines it), with
///   the FPR and FNR parity differences on their own (a group without positives or negatives has no TPR or FPR and is
///   left out of that difference, where Fairlearn counts it as 0 and warns);
/// - **unawareness**: whether the model takes the sensitive column as an input at all;
/// - **counterfactual flips**: when it does, each row is asked again with only the sensitive value changed to every
///   other group's, and the share of rows whose decision changes is counted.
///
/// Labels suffice: excluding confidence from the output does not hide unfairness, and the audit works through the
/// gateway as well as on the bare model. A multi-class target is audited one class against the rest.
public enum FairnessAudit {
    public struct Group: Sendable, Equatable, Codable {
        /// The sensitive column's value.
        public var value: Float
        public var rows: Int
        /// Share of the group given the favourable decision.
        public var selectionRate: Double
        /// Of the group's rows whose true label is favourable, the share decided favourably (nil with no such row).
        public var truePositiveRate: Double?
        /// Of the rows whose true label is not favourable, the share decided favourably.
        public var falsePositiveRate: Double?
        public var accuracy: Double
        public var falseNegativeRate: Double? { truePositiveRate.map { 1 - $0 } }
    }

    public struct Report: Sendable, Equatable {
        public var sensitive: String
        public var favorable: Int
        public var groups: [Group]
        /// Whether the sensitive column is one of the model's inputs (if not, the model is "unaware" of it).
        public var sensitiveIsInput: Bool
        /// Share of rows whose decision changed when only the sensitive value did (nil when it is not an input).
        public var counterfactualFlipRate: Double?
        public var counterfactualFlips: Int?
        public var accuracy: Double
        public var outputKind: String
        /// Rows sent to the target.
        public var queries: Int
        public var seconds: Double

        static func spread(_ values: [Double?]) -> Double? {
            let known = values.compactMap { $0 }
            guard let low = known.min(), let high = known.max(), known.count >= 2 else { return nil }
            return high - low
        }

        public var demographicParityDifference: Double? { Self.spread(groups.map(\.selectionRate)) }
        /// min / max selection rate (1 when equal; nil when every group's rate is 0).
        public var disparateImpact: Double? {
            let rates = groups.map(\.selectionRate)
            guard let high = rates.max(), high > 0, groups.count >= 2 else { return nil }
            return rates.min()! / high
        }
        public var truePositiveRateDifference: Double? { Self.spread(groups.map(\.truePositiveRate)) }
        public var fprParityDifference: Double? { Self.spread(groups.map(\.falsePositiveRate)) }
        public var fnrParityDifference: Double? { Self.spread(groups.map(\.falseNegativeRate)) }
        public var equalizedOddsDifference: Double? {
            switch (truePositiveRateDifference, fprParityDifference) {
            case let (a?, b?): Swift.max(a, b)
            case let (a?, nil): a
            case let (nil, b?): b
            default: nil
            }
        }
    }

    /// Groups at most: a sensitive column with more values is continuous and should be binned first.
    public static let maxGroups = 100

    /// Audits `target` on `data`, whose column `sensitive` is either one of the target's inputs (the data has exactly
    /// the target's features) or kept aside (one column more than the target takes, dropped before asking).
    ///
    /// - Parameters:
    ///   - favorable: the decision that benefits the person (default class 1).
    ///   - limit: audit at most this many rows (the first ones).
    public static func run(target: any ProbeTarget, data: Dataset, sensitive: String, favorable: Int = 1, limit: Int? = nil,
                           progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws(ProbeError) -> Report {
        let started = ContinuousClock.now
        let data = limit.map { data.slice(0..<$0) } ?? data
        let d = target.features
        let values: [Float], isInput: Bool, column: Int?
        if let index = data.features.firstIndex(of: sensitive) {
            values = data.rows.map { $0[index] }
            switch data.features.count {
            case d: (isInput, column) = (true, index)
            case d + 1: (isInput, column) = (false, index)
            default:
                throw .unsuitableTarget("fairness: the data has \(data.features.count) features (with \(sensitive)); the target takes \(d)")
            }
        } else if let aside = data.extra[sensitive] {
            guard data.features.count == d else { throw .unsuitableTarget("fairness: the data has \(data.features.count) features; the target takes \(d)") }
            (values, isInput, column) = (aside, false, nil)
        } else {
            throw .unsuitableTarget("fairness: the data has no column named \(sensitive); its columns are \(data.features.prefix(8).joined(separator: ", "))\(data.features.count > 8 ? ", …" : "")")
        }
        let levels = Array(Set(values)).sorted()
        guard levels.count >= 2 else { throw .unsuitableTarget("fairness: \(sensitive) has one value in the data; there is nothing to compare") }
        guard levels.count <= maxGroups else {
            throw .unsuitableTarget("fairness: \(sensitive) has \(levels.count) values; at most \(maxGroups) groups (bin a continuous column first)")
        }
        // The rows as the target takes them: without the column when the model is unaware of it.
        let inputs: [[Float]] = isInput || column == nil ? data.rows : data.rows.map { row in
            var row = row
            row.remove(at: column!)
            return row
        }
        let n = inputs.count
        let counterfactuals = isInput ? n * (levels.count - 1) : 0
        let oracle = Oracle(target: target, budget: n + counterfactuals)
        var decisions: [Int] = []
        decisions.reserveCapacity(n)
        for start in stride(from: 0, to: n, by: 256) {
            let chunk = Array(inputs[start..<Swift.min(n, start + 256)])
            decisions += try await oracle.labels(try! Tensor(shape: [chunk.count, d], data: chunk.flatMap { $0 }))
            progress(decisions.count, n + counterfactuals)
        }
        // A favourable class nobody has and nobody is given makes every rate 0 — an audit that reads "fair".
        guard data.labels.contains(favorable) || decisions.contains(favorable) else {
            let seen = Array(Set(data.labels + decisions)).sorted().prefix(10).map(String.init).joined(separator: ", ")
            throw .unsuitableTarget("fairness: the favourable class \(favorable) is neither a label in the data nor a decision of the target (they use \(seen)); set favorable")
        }
        var flips: Int?
        if isInput, let column {
            // Every row with its sensitive value set to each other group's, in row order.
            var changed = [Bool](repeating: false, count: n)
            var pending: [(row: Int, values: [Float])] = []
            func flush() async throws(ProbeError) {
                guard !pending.isEmpty else { return }
                let answer = try await oracle.labels(try! Tensor(shape: [pending.count, d], data: pending.flatMap(\.values)))
                // An abstention (−1, a smoothed route declining to answer) on either side is not a changed decision.
                for (i, item) in pending.enumerated() where answer[i] != decisions[item.row] && answer[i] != -1 && decisions[item.row] != -1 {
                    changed[item.row] = true
                }
                pending.removeAll(keepingCapacity: true)
            }
            var asked = n
            for r in 0..<n {
                for level in levels where level != values[r] {
                    var row = inputs[r]
                    row[column] = level
                    pending.append((r, row))
                }
                if pending.count >= 256 {
                    asked += pending.count
                    try await flush()
                    progress(asked, n + counterfactuals)
                }
            }
            try await flush()
            flips = changed.filter { $0 }.count
        }
        func rate(_ hits: Int, _ of: Int) -> Double? { of == 0 ? nil : Double(hits) / Double(of) }
        let groups = levels.map { level in
            let members = (0..<n).filter { values[$0] == level }
            let positives = members.filter { data.labels[$0] == favorable }, negatives = members.filter { data.labels[$0] != favorable }
            return Group(value: level, rows: members.count,
                         selectionRate: rate(members.filter { decisions[$0] == favorable }.count, members.count) ?? 0,
                         truePositiveRate: rate(positives.filter { decisions[$0] == favorable }.count, positives.count),
                         falsePositiveRate: rate(negatives.filter { decisions[$0] == favorable }.count, negatives.count),
                         accuracy: rate(members.filter { decisions[$0] == data.labels[$0] }.count, members.count) ?? 0)
        }
        let correct = (0..<n).filter { decisions[$0] == data.labels[$0] }.count
        return Report(sensitive: sensitive, favorable: favorable, groups: groups, sensitiveIsInput: isInput,
                      counterfactualFlipRate: flips.map { Double($0) / Double(Swift.max(n, 1)) }, counterfactualFlips: flips,
                      accuracy: Double(correct) / Double(Swift.max(n, 1)), outputKind: (await oracle.outputKind ?? .label).description,
                      queries: await oracle.used, seconds: (ContinuousClock.now - started).seconds)
    }
}
