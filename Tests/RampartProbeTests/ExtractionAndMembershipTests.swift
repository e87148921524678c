import Foundation
import RampartCore
import RampartML
@testable import RampartProbe
import Testing

/// Surrogate extraction and membership inference against the bundled digits MLP, on the digits it was (train) and
/// was not (test) trained on.
@Suite("Extraction and membership inference")
struct ExtractionAndMembershipTests {
    /// These tests rerun attacks and expect the same bits: OpenBLAS's sums depend on its thread count, which the
    /// gateway's tests set to 1 in this same process, so every suite that compares reruns sets it to 1 first.
    init() { BLAS.setThreads(1) }

    static let data = WhiteBoxEvasionTests.models.deletingLastPathComponent().appendingPathComponent("data")

    static func digits() throws -> (target: LocalModelTarget, train: Dataset, test: Dataset) {
        let (target, _, _) = try BlackBoxEvasionTests.digits()
        return (target, try Dataset.load(csv: data.appendingPathComponent("digits_train.csv").path),
                try Dataset.load(csv: data.appendingPathComponent("digits_test.csv").path))
    }

    @Test func naturalQueriesStealMoreThanNoiseAndProbabilitiesMoreThanLabels() async throws {
        let (target, _, test) = try Self.digits()
        let pool = test.slice(0..<450), holdout = test.slice(450..<test.count)
        let natural = try await SurrogateExtraction.run(target: target, pool: pool, evaluation: holdout, budgets: [50, 250], queries: .natural, seed: 1)
        // Farthest-first queries cover the pool better than random ones, and self-training on the unqueried rows helps
        // most at the smallest budgets.
        let kcenter = try await SurrogateExtraction.run(target: target, pool: pool, evaluation: holdout, budgets: [25, 50], seed: 1)
        let plain = try await SurrogateExtraction.run(target: target, pool: pool, evaluation: holdout, budgets: [25, 50], selfTraining: false, seed: 1)
        let random = try await SurrogateExtraction.run(target: target, pool: pool, evaluation: holdout, budgets: [25, 50], queries: .natural,
                                                       selfTraining: false, seed: 1)
        func total(_ report: SurrogateExtraction.Report) -> Double { report.points.map(\.fidelity).reduce(0, +) }
        #expect(kcenter.queries == .kcenter && total(kcenter) > total(plain) && total(plain) > total(random),
                "k-center + self-training \(kcenter.points), k-center \(plain.points), random \(random.points)")
        let noise = try await SurrogateExtraction.run(target: target, pool: pool, evaluation: holdout, budgets: [50, 250], queries: .uniform, seed: 1)
        let labels = try await SurrogateExtraction.run(target: LabelOnly(inner: target), pool: pool, evaluation: holdout, budgets: [50, 250],
                                                       queries: .natural, seed: 1)
        #expect(natural.fittedTo == "probabilities" && labels.fittedTo == "labels")
        let fidelity = try #require(natural.fidelity(at: 250)), noiseFidelity = try #require(noise.fidelity(at: 250))
        #expect(fidelity > 0.85 && fidelity > noiseFidelity + 0.2, "natural \(fidelity), uniform \(noiseFidelity)")
        #expect(try #require(natural.fidelity(at: 50)) >= labels.fidelity(at: 50)!)
        #expect(natural.rows == 250 + holdout.count)
        let again = try await SurrogateExtraction.run(target: target, pool: pool, evaluation: holdout, budgets: [50, 250], queries: .natural, seed: 1)
        #expect(again.points == natural.points)
        await #expect(throws: ProbeError.self) {
            try await SurrogateExtraction.run(target: target, pool: pool, evaluation: holdout, budgets: [451], seed: 1)
        }
        print("extraction: natural \(natural.points), uniform \(noise.points), labels \(labels.points)")
    }

    @Test func liraBeatsTheThresholdAttack() async throws {
        let (target, train, test) = try Self.digits()
        let report = try await MembershipInference.run(target: target, members: train, nonMembers: test, shadows: 8, seed: 2)
        #expect(report.outputKind == "probabilities" && report.rows == train.count + test.count)
        #expect(report.liraOnline.auc > report.threshold.auc, "LiRA \(report.liraOnline.auc), threshold \(report.threshold.auc)")
        #expect(report.liraOnline.tprAt1Percent > report.threshold.tprAt1Percent)
        let labelOnly = try await MembershipInference.run(target: LabelOnly(inner: target), members: train, nonMembers: test, shadows: 8, seed: 2)
        #expect(labelOnly.outputKind == "label")
        print("membership: threshold \(report.threshold.auc)/\(report.threshold.tprAt1Percent)/\(report.threshold.tprAt01Percent), offline \(report.liraOffline.auc)/\(report.liraOffline.tprAt1Percent)/\(report.liraOffline.tprAt01Percent), online \(report.liraOnline.auc)/\(report.liraOnline.tprAt1Percent)/\(report.liraOnline.tprAt01Percent); label-only online \(labelOnly.liraOnline.auc)/\(labelOnly.liraOnline.tprAt01Percent)")
    }

    @Test func rocMatchesHandComputedValues() {
        // Scores 4,3,2,1 with truth T,F,T,F: AUC = 3/4; ties count half.
        let roc = MembershipInference.roc([4, 3, 2, 1], [true, false, true, false])
        #expect(roc.auc == 0.75 && roc.tprAt01Percent == 0.5)
        #expect(MembershipInference.roc([1, 1], [true, false]).auc == 0.5)
    }

    /// The LiRA paper's protocol: models trained the same way on random halves of all the digits, each attacked with
    /// the others as shadows, scores pooled. Trained natively here (the bench runs it on 17 scikit-learn MLPs over HTTP).
    @Test func pooledLiraOverModelsTrainedOnRandomHalves() async throws {
        let (_, train, test) = try Self.digits()
        var all = train
        all.rows += test.rows
        all.labels += test.labels
        let n = all.count, m = 6
        var rng = SeededRandom(seed: 11)
        var targets: [any ProbeTarget] = [], membership: [[Bool]] = []
        for i in 0..<m {
            var order = Array(0..<n)
            order.shuffle(using: &rng)
            let chosen = Array(order.prefix(n / 2))
            var trainer = SeededRandom(seed: UInt64(100 + i))
            let model = try MLPClassifier.train(try Tensor(shape: [chosen.count, 64], data: chosen.flatMap { all.rows[$0] }),
                                                targets: MLPClassifier.oneHot(chosen.map { all.labels[$0] }, classes: 10),
                                                options: .init(epochs: 200), using: &trainer)
            targets.append(NativeModel(model: model))
            var flags = [Bool](repeating: false, count: n)
            for r in chosen { flags[r] = true }
            membership.append(flags)
        }
        let report = try await MembershipInference.pooled(targets: targets, data: all, membership: membership)
        #expect(report.members == m * (n / 2) && report.nonMembers == m * (n - n / 2) && report.shadows == m - 1 && report.rows == m * n)
        #expect(report.liraOnline.auc > report.threshold.auc && report.liraOnline.tprAt1Percent > report.threshold.tprAt1Percent,
                "LiRA \(report.liraOnline.auc) / \(report.liraOnline.tprAt1Percent), threshold \(report.threshold.auc) / \(report.threshold.tprAt1Percent)")
        // Label-only models still leak through whether they are right (Bernoulli LiRA), at AUC above chance.
        let labels = try await MembershipInference.pooled(targets: targets.map { LabelOnly(inner: $0) }, data: all, membership: membership)
        #expect(labels.outputKind == "label" && labels.liraOnline.auc > 0.5)
        await #expect(throws: ProbeError.self) { try await MembershipInference.pooled(targets: Array(targets.prefix(2)), data: all, membership: Array(membership.prefix(2))) }
        await #expect(throws: ProbeError.self) { try await MembershipInference.pooled(targets: targets, data: all.slice(0..<10), membership: membership) }
        print("pooled LiRA over \(m) native MLPs: online AUC \(report.liraOnline.auc), TPR@0.1% \(report.liraOnline.tprAt01Percent), TPR@1% \(report.liraOnline.tprAt1Percent); threshold AUC \(report.threshold.auc)")
    }

    @Test func csvErrorsNameTheLineAndColumn() throws {
        func parse(_ text: String) -> String {
            do { _ = try Dataset.parse(Data(text.utf8), name: "d.csv"); return "ok" } catch { return error.description }
        }
        #expect(parse("a,b,label\n1,2,3\n") == "ok")
        #expect(parse("") == "d.csv: the file is empty; expected a header line naming the columns")
        #expect(parse("a,b,label\n1,2\n") == "d.csv:2: 2 fields where the header has 3")
        #expect(parse("a,b,label\n1,x,3\n") == #"d.csv:2: column b: "x" is not a finite number"#)
        #expect(parse("a,b,label\n1,nan,3\n") == #"d.csv:2: column b: "nan" is not a finite number"#)
        #expect(parse("a,b,label\n1,2,3.5\n") == "d.csv:2: column label: 3.5 is not an integer class")
        #expect(parse("a,b,c\n1,2,3\n").hasPrefix("d.csv:1: no column is named label"))
        #expect(parse("a,a,label\n1,2,3\n") == "d.csv:1: column a appears twice")
        #expect(parse("a,b,label\n") == "d.csv: the file has a header but no rows")
    }
}

/// A natively trained MLP as a target (probabilities).
struct NativeModel: ProbeTarget {
    let model: MLPClassifier
    var features: Int { model.features }

    func answer(_ rows: Tensor) async throws -> TargetAnswer {
        let p = try model.probabilities(rows)
        let c = model.classes
        let labels = (0..<rows.shape[0]).map { r in (0..<c).max { p.data[r * c + $0] < p.data[r * c + $1] }! }
        return TargetAnswer(labels: labels, probabilities: p)
    }
}
