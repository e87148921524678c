import Foundation
import RampartCore
import RampartML

/// Membership inference (the guide's *membership inference* under model attacks): was this record in the target's
/// training data? Three attacks on the same answers, measured against the ground truth the auditor holds:
///
/// - **threshold** (Yeom et al., CSF 2018): the target's confidence in the true class — low loss ⇒ member.
/// - **LiRA offline** (Carlini et al., IEEE S&P 2022): `shadows` MLPs trained natively on random halves of the
///   attacker's population; per record, how far the target's logit-scaled confidence φ = log(p_y / Σ_{j≠y} p_j) lies
///   above the shadows that did **not** train on it, in units of a global ("fixed") standard deviation — the variant
///   the LiRA authors recommend with few shadows.
/// - **LiRA online**: the likelihood ratio of φ under the Gaussians of the shadows that trained on the record (IN) and
///   those that did not (OUT).
///
/// Against a label-only target φ is not available; both LiRA variants then use the Bernoulli likelihood of the
/// target being right about the record, calibrated per record on the shadows (research notes §3.3 D: label-only output
/// still leaks at low false-positive rates), and the threshold attack becomes Yeom's gap attack (correct ⇒ member).
///
/// Reported as the LiRA paper asks: ROC, AUC, and the true-positive rate at 0.1 % and 1 % false positives.
public enum MembershipInference {
    public struct ROC: Sendable, Equatable, Codable {
        public var auc: Double
        public var tprAt01Percent: Double
        public var tprAt1Percent: Double
        /// At most ~200 (FPR, TPR) points, log-spaced in FPR, for charts.
        public var curve: [[Double]]
    }

    public struct Report: Sendable, Equatable, Codable {
        public var members: Int
        public var nonMembers: Int
        public var shadows: Int
        public var outputKind: String
        public var threshold: ROC
        public var liraOffline: ROC
        public var liraOnline: ROC
        public var seed: UInt64
        public var rows: Int
        public var requests: Int
        public var seconds: Double
    }

    public static func run(target: any ProbeTarget, members: Dataset, nonMembers: Dataset, shadows: Int = 16,
                           options: MLPClassifier.Options = .init(epochs: 200), seed: UInt64,
                           progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws(ProbeError) -> Report {
        let d = target.features
        guard members.features.count == d, nonMembers.features.count == d else {
            throw .unsuitableTarget("the data has \(members.features.count) features; the target takes \(d)")
        }
        guard members.count >= 2, nonMembers.count >= 2 else { throw .unsuitableTarget("membership inference needs at least two members and two non-members") }
        guard shadows >= 2 else { throw .unsuitableTarget("LiRA needs at least 2 shadow models") }
        let started = ContinuousClock.now
        let rows = members.rows + nonMembers.rows
        let labels = members.labels + nonMembers.labels
        let truth = [Bool](repeating: true, count: members.count) + [Bool](repeating: false, count: nonMembers.count)
        let n = rows.count
        // The target's answers, once per record.
        let batcher = BatchingTarget(target)
        let oracle = Oracle(target: batcher, budget: n)
        var answered: [Int] = [], confidence: [Double] = []
        var width: Int?
        for start in stride(from: 0, to: n, by: 256) {
            let count = Swift.min(256, n - start)
            let answer = try await oracle.query(try! Tensor(shape: [count, d], data: rows[start..<(start + count)].flatMap { $0 }))
            answered += answer.labels
            if let p = answer.probabilities, width == nil || width == p.shape[1] {
                let w = p.shape[1]
                width = w
                for r in 0..<count { confidence.append(phi(p.data[(r * w)..<((r + 1) * w)], labels[start + r])) }
            }
        }
        let kind = await oracle.outputKind ?? .label
        let scored = kind.hasScores && confidence.count == n
        guard labels.allSatisfy({ (0..<maxClasses).contains($0) }), answered.allSatisfy({ (-1..<maxClasses).contains($0) }) else {
            throw .unsuitableTarget("labels must be class indices 0..<\(maxClasses) (−1: abstained)")
        }
        let classes = Swift.max(width ?? 0, (labels + answered).max().map { $0 + 1 } ?? 2, 2)
        guard classes <= maxClasses, n.multipliedReportingOverflow(by: classes).partialValue <= Tensor.maxElements else {
            throw .unsuitableTarget("\(n) records × \(classes) classes is more than the probe trains shadow models on")
        }
        let targetStatistic: [Double] = scored ? confidence : (0..<n).map { answered[$0] == labels[$0] ? 1 : 0 }
        // Shadows, each trained on a seeded random half of the population.
        var inside = [[Bool]](), statistics = [[Double]]()
        let x = try! Tensor(shape: [n, d], data: rows.flatMap { $0 })
        var rng = SeededRandom(seed: seed)
        for s in 0..<shadows {
            var order = Array(0..<n)
            order.shuffle(using: &rng)
            var member = [Bool](repeating: false, count: n)
            for r in order.prefix(n / 2) { member[r] = true }
            let chosen = order.prefix(n / 2).sorted()
            let trainX = try! Tensor(shape: [chosen.count, d], data: chosen.flatMap { rows[$0] })
            var trainer = SeededRandom(seed: seed &+ 0x5EED &+ UInt64(s))
            let model: MLPClassifier
            do {
                model = try MLPClassifier.train(trainX, targets: MLPClassifier.oneHot(chosen.map { labels[$0] }, classes: classes), options: options, using: &trainer)
            } catch { throw .unsuitableTarget("training shadow model \(s + 1) failed: \(error)") }
            guard let p = try? model.probabilities(x) else { throw .unsuitableTarget("shadow model \(s + 1) could not score the records") }
            statistics.append((0..<n).map { r in
                let y = labels[r]
                if scored { return phi(p.data[(r * classes)..<((r + 1) * classes)], y) }
                var best = 0
                for j in 1..<classes where p.data[r * classes + j] > p.data[r * classes + best] { best = j }
                return best == y ? 1 : 0
            })
            inside.append(member)
            progress(s + 1, shadows)
        }
        let (offline, online) = lira(targetStatistic, shadows: statistics, inside: inside, scored: scored)
        return Report(members: members.count, nonMembers: nonMembers.count, shadows: shadows, outputKind: kind.description,
                      threshold: roc(targetStatistic, truth), liraOffline: roc(offline, truth), liraOnline: roc(online, truth), seed: seed,
                      rows: await oracle.used, requests: await batcher.requests, seconds: (ContinuousClock.now - started).seconds)
    }

    /// The LiRA paper's evaluation protocol, for auditing a training recipe rather than one model: several models
    /// trained the same way, each on its own (typically random half) subset of `data`, `membership[i][r]` telling
    /// whether model i trained on record r. Each model is the target once and the others are its shadows (their
    /// membership is known), and the scores of every (model, record) pair are pooled into one ROC — with 17 models
    /// of ~1 800 records, 15 000 non-member pairs resolve a 0.1 % false-positive rate that one model's 900 cannot.
    /// Nothing is trained here: each model is asked about every record once.
    public static func pooled(targets: [any ProbeTarget], data: Dataset, membership: [[Bool]], seed: UInt64 = 0,
                              progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws(ProbeError) -> Report {
        let started = ContinuousClock.now
        let n = data.count, m = targets.count
        guard m >= 3 else { throw .unsuitableTarget("pooled membership inference needs at least 3 models (each is the others' shadow)") }
        guard membership.count == m, membership.allSatisfy({ $0.count == n }) else {
            throw .unsuitableTarget("pooled membership inference needs one membership flag per model and record")
        }
        for (i, target) in targets.enumerated() where target.features != data.features.count {
            throw .unsuitableTarget("model \(i + 1) takes \(target.features) features; the data has \(data.features.count)")
        }
        guard data.labels.allSatisfy({ (0..<maxClasses).contains($0) }) else { throw .unsuitableTarget("labels must be class indices 0..<\(maxClasses)") }
        var statistics: [[Double]] = [], correct: [[Double]] = []
        var scored = true, kinds: [OutputKind] = [], rows = 0, requests = 0
        for (i, target) in targets.enumerated() {
            let batcher = BatchingTarget(target)
            let oracle = Oracle(target: batcher, budget: n)
            var phis: [Double] = [], right: [Double] = []
            for start in stride(from: 0, to: n, by: 256) {
                let count = Swift.min(256, n - start)
                let answer = try await oracle.query(try! Tensor(shape: [count, data.features.count], data: data.rows[start..<(start + count)].flatMap { $0 }))
                for r in 0..<count { right.append(answer.labels[r] == data.labels[start + r] ? 1 : 0) }
                if let p = answer.probabilities {
                    let w = p.shape[1]
                    for r in 0..<count { phis.append(phi(p.data[(r * w)..<((r + 1) * w)], data.labels[start + r])) }
                }
            }
            let kind = await oracle.outputKind ?? .label
            kinds.append(kind)
            scored = scored && kind.hasScores && phis.count == n
            statistics.append(phis)
            correct.append(right)
            rows += await oracle.used
            requests += await batcher.requests
            progress(i + 1, m)
        }
        let used = scored ? statistics : correct
        var threshold: [Double] = [], offline: [Double] = [], online: [Double] = [], truth: [Bool] = []
        for i in 0..<m {
            let others = (0..<m).filter { $0 != i }
            let (off, on) = lira(used[i], shadows: others.map { used[$0] }, inside: others.map { membership[$0] }, scored: scored)
            threshold += used[i]
            offline += off
            online += on
            truth += membership[i]
        }
        let members = truth.filter { $0 }.count
        return Report(members: members, nonMembers: truth.count - members, shadows: m - 1, outputKind: (kinds.min() ?? .label).description,
                      threshold: roc(threshold, truth), liraOffline: roc(offline, truth), liraOnline: roc(online, truth), seed: seed,
                      rows: rows, requests: requests, seconds: (ContinuousClock.now - started).seconds)
    }

    /// LiRA's offline and online scores (higher ⇒ member) of each record's `targetStatistic`, from the shadows'
    /// statistics on the same records and whether each shadow trained on each record.
    static func lira(_ targetStatistic: [Double], shadows statistics: [[Double]], inside: [[Bool]], scored: Bool) -> (offline: [Double], online: [Double]) {
        let n = targetStatistic.count, shadows = statistics.count
        var offline = [Double](repeating: 0, count: n), online = [Double](repeating: 0, count: n)
        if scored {
            // Global ("fixed") variances of IN and OUT statistics around their per-record means.
            var inMeans = [Double](repeating: 0, count: n), outMeans = [Double](repeating: 0, count: n)
            var inSpread: [Double] = [], outSpread: [Double] = []
            // Degrees of freedom: each record's mean takes one from its own statistics.
            var inFreedom = 0, outFreedom = 0
            for r in 0..<n {
                let ins = (0..<shadows).filter { inside[$0][r] }.map { statistics[$0][r] }
                let outs = (0..<shadows).filter { !inside[$0][r] }.map { statistics[$0][r] }
                inMeans[r] = ins.isEmpty ? .nan : ins.reduce(0, +) / Double(ins.count)
                outMeans[r] = outs.isEmpty ? .nan : outs.reduce(0, +) / Double(outs.count)
                inSpread += ins.map { $0 - inMeans[r] }
                outSpread += outs.map { $0 - outMeans[r] }
                inFreedom += Swift.max(0, ins.count - 1)
                outFreedom += Swift.max(0, outs.count - 1)
            }
            let inSD = Swift.max(standardDeviation(inSpread, freedom: inFreedom), 1e-6)
            let outSD = Swift.max(standardDeviation(outSpread, freedom: outFreedom), 1e-6)
            let outMeanAll = outMeans.filter { !$0.isNaN }.reduce(0, +) / Double(Swift.max(1, outMeans.filter { !$0.isNaN }.count))
            let inMeanAll = inMeans.filter { !$0.isNaN }.reduce(0, +) / Double(Swift.max(1, inMeans.filter { !$0.isNaN }.count))
            for r in 0..<n {
                let muOut = outMeans[r].isNaN ? outMeanAll : outMeans[r], muIn = inMeans[r].isNaN ? inMeanAll : inMeans[r]
                let t = targetStatistic[r]
                offline[r] = (t - muOut) / outSD
                online[r] = logNormal(t, muIn, inSD) - logNormal(t, muOut, outSD)
            }
        } else {
            for r in 0..<n {
                let ins = (0..<shadows).filter { inside[$0][r] }.map { statistics[$0][r] }
                let outs = (0..<shadows).filter { !inside[$0][r] }.map { statistics[$0][r] }
                // Laplace-smoothed rates of being right about the record with and without it in training.
                let pIn = (ins.reduce(0, +) + 1) / Double(ins.count + 2), pOut = (outs.reduce(0, +) + 1) / Double(outs.count + 2)
                let right = targetStatistic[r] == 1
                offline[r] = right ? -Foundation.log(pOut) : Foundation.log(1 - pOut) - 10
                online[r] = right ? Foundation.log(pIn) - Foundation.log(pOut) : Foundation.log(1 - pIn) - Foundation.log(1 - pOut)
            }
        }
        return (offline, online)
    }

    /// ROC of `scores` (higher ⇒ member) against `truth`: AUC with ties counted half, and the best TPR at FPR ≤ 0.1 % and
    /// ≤ 1 %.
    public static func roc(_ scores: [Double], _ truth: [Bool]) -> ROC {
        // A NaN score (an overflowing shadow model) ranks last instead of breaking the ordering and the tie groups.
        let scores = scores.map { $0.isNaN ? -Double.infinity : $0 }
        let positives = truth.filter { $0 }.count, negatives = truth.count - positives
        guard positives > 0, negatives > 0 else { return ROC(auc: .nan, tprAt01Percent: 0, tprAt1Percent: 0, curve: []) }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tp = 0, fp = 0
        var points: [(fpr: Double, tpr: Double)] = [(0, 0)]
        var auc = 0.0
        var i = 0
        while i < order.count {
            // Every record with the same score moves together.
            var j = i
            var dtp = 0, dfp = 0
            while j < order.count, scores[order[j]] == scores[order[i]] {
                if truth[order[j]] { dtp += 1 } else { dfp += 1 }
                j += 1
            }
            auc += Double(dfp) * (Double(tp) + Double(dtp) / 2)
            tp += dtp
            fp += dfp
            points.append((Double(fp) / Double(negatives), Double(tp) / Double(positives)))
            i = j
        }
        auc /= Double(positives) * Double(negatives)
        func tpr(atMost fpr: Double) -> Double { points.filter { $0.fpr <= fpr }.map(\.tpr).max() ?? 0 }
        var curve: [[Double]] = []
        var lastFPR = -1.0
        for point in points {
            // A rise at the same false-positive rate (records that are all members) keeps its top.
            if let last = curve.last, last[0] == point.fpr {
                curve[curve.count - 1][1] = point.tpr
            } else if point.fpr == 0 || point.fpr >= lastFPR * 1.04 || point.fpr == 1 {
                curve.append([point.fpr, point.tpr])
                lastFPR = point.fpr
            }
        }
        return ROC(auc: auc, tprAt01Percent: tpr(atMost: 0.001), tprAt1Percent: tpr(atMost: 0.01), curve: curve)
    }

    /// LiRA's logit-scaled confidence, log(p_y / Σ_{j≠y} p_j), from a row of probabilities: the sum of the others
    /// keeps its precision where 1 − p_y would round to 0 for a confident model.
    static func phi(_ row: ArraySlice<Float>, _ y: Int) -> Double {
        let start = row.startIndex
        guard y >= 0, y < row.count else { return -30 }
        var others = 0.0
        for (j, p) in row.enumerated() where j != y { others += Double(p) }
        return Foundation.log(Swift.max(Double(row[start + y]), 1e-30)) - Foundation.log(Swift.max(others, 1e-30))
    }

    /// Classes a trained model may have (its one-hot targets are rows × classes floats).
    static let maxClasses = 10_000

    static func logNormal(_ x: Double, _ mu: Double, _ sd: Double) -> Double {
        -0.5 * ((x - mu) / sd) * ((x - mu) / sd) - Foundation.log(sd)
    }

    /// The pooled standard deviation of deviations from per-record means, with `freedom` = Σ (records' counts − 1).
    static func standardDeviation(_ deviations: [Double], freedom: Int) -> Double {
        guard freedom > 0 else { return 0 }
        return (deviations.reduce(0) { $0 + $1 * $1 } / Double(freedom)).squareRoot()
    }
}
