import Foundation
import RampartML
@testable import RampartProbe
import Testing

/// Model inversion against the bundled digits MLP (white-box through its gradients, black-box through its scores),
/// and the fairness audit of the bundled diabetes model, whose inputs include sex.
@Suite("Model inversion and fairness")
struct InversionAndFairnessTests {
    /// These tests rerun attacks and expect the same bits: OpenBLAS's sums depend on its thread count, which the
    /// gateway's tests set to 1 in this same process, so every suite that compares reruns sets it to 1 first.
    init() { BLAS.setThreads(1) }

    static func diabetes() throws -> (target: LocalModelTarget, test: Dataset) {
        (try LocalModelTarget(path: WhiteBoxEvasionTests.models.appendingPathComponent("diabetes_logreg.onnx").path),
         try Dataset.load(csv: ExtractionAndMembershipTests.data.appendingPathComponent("diabetes_test.csv").path))
    }

    @Test func inversionRecoversEachDigitsClassWhiteBoxAndBlackBox() async throws {
        let (target, train, test) = try ExtractionAndMembershipTests.digits()
        let white = try await ModelInversion.whiteBox(target, auxiliary: test, members: train)
        #expect(white.classes.map(\.label) == Array(0..<10) && white.perClass == 300 && white.rows == 0)
        // Each reconstruction is nearer its own class mean than any other's (chance: 1 in 10), and the model is sure of it.
        #expect(white.identificationRate >= 0.9 && white.similarity > 0.6 && white.confidence > 0.9,
                "identified \(white.identificationRate), similarity \(white.similarity), confidence \(white.confidence)")
        #expect(white.classes.allSatisfy { $0.representative.allSatisfy { $0 >= 0 && $0 <= 1 } })
        // The curve starts from the prior (similarity 0) and climbs.
        #expect(white.curve.first == [0, 0] && white.curve.last?[1] == white.similarity)

        let black = try await ModelInversion.blackBox(target: target, auxiliary: test, members: train, budget: 1001, seed: 3)
        #expect(black.perClass == 1001 && black.rows <= 10 * 1001 && black.outputKind == "probabilities")
        #expect(black.identificationRate >= 0.8 && black.similarity > 0.3, "identified \(black.identificationRate), similarity \(black.similarity)")
        #expect(black.similarity < white.similarity)
        let again = try await ModelInversion.blackBox(target: target, auxiliary: test, members: train, budget: 1001, seed: 3)
        #expect(again.classes == black.classes)
        let result = black.result(target: "bare")
        #expect(result.images?.count == 20 && result.metrics["identification_rate"] == black.identificationRate)
        #expect(ProbeReport(seed: 3, targets: [], results: [result]).html().contains("class 7: inverted"))
        print("inversion: white-box similarity \(white.similarity) identified \(white.identificationRate); black-box \(black.similarity) \(black.identificationRate)")
    }

    @Test func inversionNeedsScoresAndMatchingData() async throws {
        let (target, train, test) = try ExtractionAndMembershipTests.digits()
        await #expect(throws: ProbeError.self) {
            try await ModelInversion.blackBox(target: LabelOnly(inner: target), auxiliary: test, members: train, budget: 500, seed: 0)
        }
        do {
            _ = try await ModelInversion.blackBox(target: LabelOnly(inner: target), auxiliary: test, members: train, budget: 500, seed: 0)
        } catch {
            #expect(error.description.contains("labels only"))
        }
        // Too small a budget to take one step, and data of the wrong width, are refused before any query.
        await #expect(throws: ProbeError.self) { try await ModelInversion.blackBox(target: target, auxiliary: test, members: train, budget: 20, seed: 0) }
        let (diabetes, people) = try Self.diabetes()
        await #expect(throws: ProbeError.self) { try await ModelInversion.whiteBox(diabetes, auxiliary: test, members: train) }
        await #expect(throws: ProbeError.self) { try await ModelInversion.whiteBox(target, auxiliary: people, members: people) }
    }

    /// Tabular data in its own units (age in years, blood pressure in mmHg): each feature moves inside its range in
    /// the data, scaled to it, so a step means the same for every feature.
    @Test func inversionOfUnscaledTabularData() async throws {
        let (target, test) = try Self.diabetes()
        let train = try Dataset.load(csv: ExtractionAndMembershipTests.data.appendingPathComponent("diabetes_train.csv").path)
        let report = try await ModelInversion.whiteBox(target, auxiliary: test, members: train)
        #expect(report.classes.map(\.label) == [0, 1] && report.low.count == 10)
        for item in report.classes {
            for (i, value) in item.representative.enumerated() { #expect(value >= report.low[i] && value <= report.high[i], "feature \(i): \(value)") }
        }
        // Both reconstructions lean toward their own class, and the model is sure of each.
        #expect(report.identificationRate == 1 && report.similarity > 0.3 && report.confidence > 0.9,
                "similarity \(report.similarity), confidence \(report.confidence)")
        #expect(report.result(target: "bare").images == nil)   // 10 features: not a picture
    }

    @Test func fairnessOfTheDiabetesModelAcrossSex() async throws {
        let (target, test) = try Self.diabetes()
        let report = try await FairnessAudit.run(target: target, data: test, sensitive: "sex")
        #expect(report.groups.map(\.value) == [1, 2] && report.groups.map(\.rows) == [128, 93] && report.sensitiveIsInput)
        // Each row asked once, then once more with the other sex.
        #expect(report.queries == 2 * test.count)
        let sex = test.features.firstIndex(of: "sex")!
        let decisions = try await target.answer(test.tensor).labels
        for group in report.groups {
            let rows = test.rows.indices.filter { test.rows[$0][sex] == group.value }
            let selected = rows.filter { decisions[$0] == 1 }.count
            #expect(group.selectionRate == Double(selected) / Double(rows.count))
        }
        let dp = try #require(report.demographicParityDifference), di = try #require(report.disparateImpact)
        #expect(abs(dp - abs(report.groups[0].selectionRate - report.groups[1].selectionRate)) < 1e-12 && di > 0 && di <= 1)
        let eo = try #require(report.equalizedOddsDifference)
        #expect(eo == max(report.truePositiveRateDifference!, report.fprParityDifference!))
        // The model weighs sex: changing only it changes some decisions.
        let flips = try #require(report.counterfactualFlipRate)
        #expect(flips > 0.05 && flips < 1, "flip rate \(flips)")
        let result = report.result(target: "bare")
        #expect(result.metrics["selection_rate_sex_1"] == report.groups[0].selectionRate && result.metrics["counterfactual_flip_rate"] == flips)
        print("fairness: dp \(dp), di \(di), eo \(eo), flips \(flips)")
    }

    @Test func fairnessKnownAnswersAndUnawareModels() async throws {
        // A rule that decides by the sensitive column alone: parity is as far off as it can be, every flip changes the decision.
        let (_, test) = try Self.diabetes()
        let sex = test.features.firstIndex(of: "sex")!
        let rule = ColumnRule(features: test.features.count, column: sex, favoured: 2)
        let biased = try await FairnessAudit.run(target: rule, data: test, sensitive: "sex")
        #expect(biased.demographicParityDifference == 1 && biased.disparateImpact == 0 && biased.counterfactualFlipRate == 1)
        #expect(biased.equalizedOddsDifference == 1)
        // The same rule on another column ignores sex: no flips, parity differences only through the data.
        let blind = try await FairnessAudit.run(target: ColumnRule(features: test.features.count, column: 0, favoured: 50), data: test, sensitive: "sex")
        #expect(blind.counterfactualFlipRate == 0)
        // A model unaware of the column (the data has one column more than it takes): no counterfactuals to ask.
        let (digits, _, digitsTest) = try ExtractionAndMembershipTests.digits()
        var withGroup = digitsTest
        withGroup.features.append("group")
        for i in withGroup.rows.indices { withGroup.rows[i].append(Float(i % 3)) }
        let unaware = try await FairnessAudit.run(target: digits, data: withGroup, sensitive: "group", favorable: 7)
        #expect(!unaware.sensitiveIsInput && unaware.counterfactualFlipRate == nil && unaware.groups.count == 3 && unaware.queries == digitsTest.count)
        // The same column kept aside by the CSV reader.
        var aside = digitsTest
        aside.extra["group"] = (0..<digitsTest.count).map { Float($0 % 3) }
        let again = try await FairnessAudit.run(target: digits, data: aside, sensitive: "group", favorable: 7)
        #expect(again.groups == unaware.groups)
        // A column that is not there, a column with one value, too many groups: errors naming the column.
        for (column, data) in [("race", test), ("s4", test.slice(0..<1))] {
            do {
                _ = try await FairnessAudit.run(target: rule, data: data, sensitive: column)
                Issue.record("\(column) was audited")
            } catch { #expect(error.description.contains(column)) }
        }
        // A favourable class neither the data nor the model uses would make every rate 0: refused.
        do {
            _ = try await FairnessAudit.run(target: rule, data: test, sensitive: "sex", favorable: 7)
            Issue.record("favourable class 7 was audited")
        } catch { #expect(error.description.contains("favourable class 7")) }
        // Abstentions (−1) are not decisions that flip.
        let abstaining = try await FairnessAudit.run(target: Abstaining(inner: rule, column: 0), data: test, sensitive: "sex")
        #expect(abstaining.counterfactualFlipRate! < biased.counterfactualFlipRate!)
        do {
            _ = try await FairnessAudit.run(target: rule, data: test, sensitive: "s5")
            Issue.record("a continuous column was audited")
        } catch { #expect(error.description.contains("bin a continuous column")) }
    }
}

/// `inner`'s decision, or −1 (abstained, as a smoothed route does) when the row's `column` is above 50.
struct Abstaining: ProbeTarget {
    let inner: ColumnRule
    let column: Int
    var features: Int { inner.features }

    func answer(_ rows: Tensor) async throws -> TargetAnswer {
        let labels = try await inner.answer(rows).labels
        return TargetAnswer(labels: labels.indices.map { rows.data[$0 * features + column] > 50 ? -1 : labels[$0] }, probabilities: nil)
    }
}

/// Decides 1 when the row's `column` equals `favoured`, else 0.
struct ColumnRule: ProbeTarget {
    let features: Int
    let column: Int
    let favoured: Float

    func answer(_ rows: Tensor) async throws -> TargetAnswer {
        let n = rows.shape[0]
        return TargetAnswer(labels: (0..<n).map { rows.data[$0 * features + column] == favoured ? 1 : 0 }, probabilities: nil)
    }
}
