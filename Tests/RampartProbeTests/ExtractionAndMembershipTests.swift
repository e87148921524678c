import Foundation
import RampartML
@testable import RampartProbe
import Testing

/// Surrogate extraction and membership inference against the bundled digits MLP, on the digits it was (train) and
/// was not (test) trained on.
@Suite("Extraction and membership inference")
struct ExtractionAndMembershipTests {
    static let data = WhiteBoxEvasionTests.models.deletingLastPathComponent().appendingPathComponent("data")

    static func digits() throws -> (target: LocalModelTarget, train: Dataset, test: Dataset) {
        let (target, _, _) = try BlackBoxEvasionTests.digits()
        return (target, try Dataset.load(csv: data.appendingPathComponent("digits_train.csv").path),
                try Dataset.load(csv: data.appendingPathComponent("digits_test.csv").path))
    }

    @Test func naturalQueriesStealMoreThanNoiseAndProbabilitiesMoreThanLabels() async throws {
        let (target, _, test) = try Self.digits()
        let pool = test.slice(0..<450), holdout = test.slice(450..<test.count)
        let natural = try await SurrogateExtraction.run(target: target, pool: pool, evaluation: holdout, budgets: [50, 250], seed: 1)
        let noise = try await SurrogateExtraction.run(target: target, pool: pool, evaluation: holdout, budgets: [50, 250], queries: .uniform, seed: 1)
        let labels = try await SurrogateExtraction.run(target: LabelOnly(inner: target), pool: pool, evaluation: holdout, budgets: [50, 250], seed: 1)
        #expect(natural.fittedTo == "probabilities" && labels.fittedTo == "labels")
        let fidelity = try #require(natural.fidelity(at: 250)), noiseFidelity = try #require(noise.fidelity(at: 250))
        #expect(fidelity > 0.85 && fidelity > noiseFidelity + 0.2, "natural \(fidelity), uniform \(noiseFidelity)")
        #expect(try #require(natural.fidelity(at: 50)) >= labels.fidelity(at: 50)!)
        #expect(natural.rows == 250 + holdout.count)
        let again = try await SurrogateExtraction.run(target: target, pool: pool, evaluation: holdout, budgets: [50, 250], seed: 1)
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
