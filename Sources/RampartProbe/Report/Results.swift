import Foundation
import RampartML

/// Each attack's report as results of a `ProbeReport`, with the documented metric names (docs/probe.md). Only what
/// the seed determines is a metric: how rows were grouped into requests depends on timing, and is left out.
extension BlackBoxEvasion.Report {
    /// Query counts at which the curves and the `median_<norm>_at_<q>` metrics are read: 100, 250, 500, 1 000, … up
    /// to the budget.
    public var checkpoints: [Int] {
        var points: [Int] = []
        var base = 100
        while base <= budget {
            for q in [base, base * 5 / 2, base * 5] where q <= budget && !points.contains(q) { points.append(q) }
            base *= 10
        }
        if !points.contains(budget) { points.append(budget) }
        return points
    }

    public func result(target: String) -> ProbeReport.Result {
        let n = norm.rawValue
        var metrics: [String: Double] = [
            "success_rate": successRate, "verified_success_rate": verifiedSuccessRate, "refused_rate": refusedRate,
            "attacked": Double(attacked), "rows": Double(rows),
        ]
        metrics["median_\(n)"] = median(norm)
        metrics["median_queries_to_success"] = medianQueriesToSuccess
        for q in checkpoints where q < budget { metrics["median_\(n)_at_\(q)"] = median(norm, within: q) }
        let grid = checkpoints
        let distance = grid.compactMap { q in median(norm, within: q).map { [Double(q), $0] } }
        let success = grid.map { q in
            [Double(q), attacked == 0 ? 0 : Double(samples.filter { ($0.firstSuccess ?? .max) <= q }.count) / Double(attacked)]
        }
        return ProbeReport.Result(attack: attack, risk: "evasion", target: target, budget: budget, metrics: metrics,
                                  curves: [ProbeReport.Curve(name: "\(attack): median best \(norm) vs queries", x: "queries per row", y: "median \(norm)", points: distance),
                                           ProbeReport.Curve(name: "\(attack): success rate vs queries", x: "queries per row", y: "success rate", points: success)],
                                  seconds: seconds)
    }
}

extension SurrogateExtraction.Report {
    public func result(target: String) -> ProbeReport.Result {
        var metrics: [String: Double] = ["target_accuracy": targetAccuracy, "rows": Double(rows)]
        for point in points {
            metrics["fidelity_at_\(point.budget)"] = point.fidelity
            metrics["accuracy_at_\(point.budget)"] = point.accuracy
        }
        metrics["fidelity"] = points.last?.fidelity
        metrics["accuracy"] = points.last?.accuracy
        let name = "extraction-surrogate-\(queries.rawValue)"
        return ProbeReport.Result(attack: name, risk: "model theft", target: target, budget: points.last?.budget, metrics: metrics,
                                  curves: [ProbeReport.Curve(name: "\(name): fidelity vs budget", x: "queries", y: "fidelity",
                                                             points: points.map { [Double($0.budget), $0.fidelity] })],
                                  seconds: seconds)
    }
}

extension MembershipInference.Report {
    /// One result per attack: `membership-threshold`, `membership-lira-offline`, `membership-lira-online`.
    public func results(target: String) -> [ProbeReport.Result] {
        [("membership-threshold", threshold), ("membership-lira-offline", liraOffline), ("membership-lira-online", liraOnline)].map { name, roc in
            ProbeReport.Result(attack: name, risk: "membership inference", target: target, budget: rows,
                               metrics: ["auc": roc.auc, "tpr_at_0.1pct_fpr": roc.tprAt01Percent, "tpr_at_1pct_fpr": roc.tprAt1Percent,
                                         "members": Double(members), "non_members": Double(nonMembers), "shadows": Double(shadows)],
                               curves: [ProbeReport.Curve(name: "\(name): ROC", x: "false-positive rate", y: "true-positive rate", points: roc.curve)],
                               seconds: seconds)
        }
    }
}

extension EquationSolving {
    /// Equation-solving as a result: the stolen model's agreement with the target on `evaluation`.
    public static func result(_ oracle: Oracle, evaluation: Dataset, seed: UInt64, target: String) async -> ProbeReport.Result {
        let started = ContinuousClock.now
        let d = oracle.target.features
        do {
            let stolen = try await steal(oracle, seed: seed)
            let measure = Oracle(target: oracle.target, budget: Int.max)
            let truth = try await measure.labels(evaluation.tensor)
            let copied = (try? stolen.labels(evaluation.tensor)) ?? []
            let fidelity = Double(zip(copied, truth).filter { $0 == $1 }.count) / Double(Swift.max(1, evaluation.count))
            let accuracy = Double(zip(copied, evaluation.labels).filter { $0 == $1 }.count) / Double(Swift.max(1, evaluation.count))
            return ProbeReport.Result(attack: "extraction-equation-solving", risk: "model theft", target: target, budget: d + 1,
                                      metrics: ["fidelity": fidelity, "accuracy": accuracy, "fidelity_at_\(d + 1)": fidelity, "rows": Double(await oracle.used)],
                                      seconds: (ContinuousClock.now - started).seconds)
        } catch {
            return ProbeReport.Result(attack: "extraction-equation-solving", risk: "model theft", target: target, budget: d + 1, metrics: [:],
                                      error: error.description, seconds: (ContinuousClock.now - started).seconds)
        }
    }
}

extension WhiteBoxEvasion {
    /// FGSM or PGD (40 steps of ε/10 from a seeded random start) on the first `limit` rows of `data` the model
    /// classifies correctly, as a result: `success_rate` and the median perturbation of the successes.
    static func result(_ attack: String, _ target: LocalModelTarget, data: Dataset, limit: Int, norm: Norm, epsilon: Float, seed: UInt64,
                       target name: String) throws(ProbeError) -> ProbeReport.Result {
        let started = ContinuousClock.now
        let d = target.features
        guard data.features.count == d else { throw .unsuitableTarget("the data has \(data.features.count) features; the model takes \(d)") }
        let outcome: Result
        let x: Tensor
        do {
            let predicted = try target.labels(data.tensor)
            let chosen = Array(data.rows.indices.filter { predicted[$0] == data.labels[$0] }.prefix(Swift.max(1, limit)))
            guard !chosen.isEmpty else { throw ProbeError.unsuitableTarget("\(attack): the model classifies none of the rows correctly") }
            x = try Tensor(shape: [chosen.count, d], data: chosen.flatMap { data.rows[$0] })
            let labels = chosen.map { data.labels[$0] }
            outcome = attack == "fgsm"
                ? try fgsm(target, x: x, labels: labels, norm: norm, epsilon: epsilon)
                : try pgd(target, x: x, labels: labels, norm: norm, epsilon: epsilon, steps: 40, stepSize: epsilon / 10, seed: seed)
        } catch let error as ProbeError { throw error } catch { throw .unsuitableTarget("\(attack): \(error)") }
        let n = outcome.succeeded.count
        var sizes: [Double] = []
        for r in 0..<n where outcome.succeeded[r] {
            let adversarial = Array(outcome.adversarial.data[(r * d)..<((r + 1) * d)]), original = Array(x.data[(r * d)..<((r + 1) * d)])
            sizes.append(Double(Norms.distance(adversarial, original, norm)))
        }
        sizes.sort()
        var metrics: [String: Double] = ["success_rate": outcome.successRate, "attacked": Double(outcome.attacked), "epsilon": Double(epsilon)]
        if !sizes.isEmpty { metrics["median_\(norm.rawValue)"] = sizes[sizes.count / 2] }
        return ProbeReport.Result(attack: "\(attack)-\(norm.rawValue)", risk: "evasion", target: name, budget: nil, metrics: metrics,
                                  seconds: (ContinuousClock.now - started).seconds)
    }
}

extension ModelInversion.Report {
    /// `inversion-white-box` or `inversion-black-box`: mean `similarity` to the class means, `identification_rate`,
    /// the target's mean `confidence` in its own reconstructions, and per class `similarity_class_<c>`; the curve of
    /// mean similarity as the optimisation went, and — when the features are a square image — each class mean next
    /// to its reconstruction.
    public func result(target: String) -> ProbeReport.Result {
        let name = "inversion-\(access.rawValue)"
        var metrics: [String: Double] = ["similarity": similarity, "identification_rate": identificationRate, "confidence": confidence,
                                         "classes": Double(classes.count), "chance_identification_rate": 1 / Double(Swift.max(1, classes.count))]
        if access == .blackBox { metrics["rows"] = Double(rows) }
        for item in classes { metrics["similarity_class_\(item.label)"] = item.similarity }
        var images: [ProbeReport.Image]?
        let d = classMeans.first?.count ?? 0, side = Int(Double(d).squareRoot().rounded())
        // Pictures only for small square images (up to 64 × 64: each pixel is an SVG square in report.html).
        if side >= 4, side <= 64, side * side == d, classes.count <= 100, low.count == d, high.count == d {
            // One grey scale for the whole picture: the data's lowest to highest value.
            let bottom = low.min() ?? 0, top = high.max() ?? 1
            func pixels(_ values: [Float]) -> [Double] { values.map { top > bottom ? Double(($0 - bottom) / (top - bottom)) : 0 } }
            images = zip(classes, classMeans).flatMap { item, mean in
                [ProbeReport.Image(name: "class \(item.label): mean", width: side, height: side, pixels: pixels(mean)),
                 ProbeReport.Image(name: "class \(item.label): inverted", width: side, height: side, pixels: pixels(item.representative))]
            }
        }
        let x = access == .whiteBox ? "gradient steps per class" : "queries per class"
        return ProbeReport.Result(attack: name, risk: "model inversion", target: target, budget: perClass, metrics: metrics,
                                  curves: [ProbeReport.Curve(name: "\(name): similarity to the class means vs \(x)", x: x, y: "mean similarity", points: curve)],
                                  images: images, seconds: seconds)
    }
}

extension FairnessAudit.Report {
    /// `fairness`: the group metrics (Fairlearn's names where it has one) and, per group, `selection_rate_<col>_<v>`,
    /// `tpr_…`, `fpr_…`, `fnr_…`, `accuracy_…` and `rows_…`. Undefined metrics (a group without positives) are left out.
    public func result(target: String) -> ProbeReport.Result {
        var metrics: [String: Double] = ["accuracy": accuracy, "groups": Double(groups.count), "sensitive_is_input": sensitiveIsInput ? 1 : 0,
                                         "rows": Double(groups.reduce(0) { $0 + $1.rows }), "queries": Double(queries)]
        metrics["demographic_parity_difference"] = demographicParityDifference
        metrics["disparate_impact"] = disparateImpact
        metrics["equalized_odds_difference"] = equalizedOddsDifference
        metrics["tpr_difference"] = truePositiveRateDifference
        metrics["fpr_parity_difference"] = fprParityDifference
        metrics["fnr_parity_difference"] = fnrParityDifference
        metrics["counterfactual_flip_rate"] = counterfactualFlipRate
        for group in groups {
            // The value in full (1 for 1.0), so two close values never share a key.
            let value = Double(group.value)
            let key = "\(sensitive)_\(value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : "\(group.value)")"
            metrics["selection_rate_\(key)"] = group.selectionRate
            metrics["tpr_\(key)"] = group.truePositiveRate
            metrics["fpr_\(key)"] = group.falsePositiveRate
            metrics["fnr_\(key)"] = group.falseNegativeRate
            metrics["accuracy_\(key)"] = group.accuracy
            metrics["rows_\(key)"] = Double(group.rows)
        }
        return ProbeReport.Result(attack: "fairness", risk: "fairness", target: target, budget: queries, metrics: metrics, seconds: seconds)
    }
}
