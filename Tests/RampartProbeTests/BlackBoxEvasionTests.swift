import Foundation
import RampartML
import RampartONNX
@testable import RampartProbe
import Testing

/// HopSkipJump, SimBA and Square against the bundled digits MLP: they succeed, stay inside their budgets and the
/// input box, re-verify, reproduce from a seed, and a label-only target stops the score-based ones with a clear error.
@Suite("Black-box evasion")
struct BlackBoxEvasionTests {
    /// These tests rerun attacks and expect the same bits: OpenBLAS's sums depend on its thread count, which the
    /// gateway's tests set to 1 in this same process, so every suite that compares reruns sets it to 1 first.
    init() { BLAS.setThreads(1) }

    static let models = WhiteBoxEvasionTests.models

    static func digits() throws -> (target: LocalModelTarget, x: [[Float]], y: [Int]) {
        let target = try LocalModelTarget(path: models.appendingPathComponent("digits_mlp.onnx").path)
        let test = try JSONDecoder().decode(WhiteBoxEvasionTests.TestSet.self, from: Data(contentsOf: models.appendingPathComponent("digits_mlp.test.json")))
        return (target, test.inputs, test.labels)
    }

    static func check(_ report: BlackBoxEvasion.Report, budget: Int, x: [[Float]]) {
        for sample in report.samples {
            #expect(sample.queries <= budget, "row \(sample.index) used \(sample.queries) of \(budget)")
            #expect(sample.curve.allSatisfy { $0.query <= budget })
            #expect(zip(sample.curve, sample.curve.dropFirst()).allSatisfy { $0.distance > $1.distance && $0.query < $1.query })
            if let adversarial = sample.adversarial {
                #expect(adversarial.allSatisfy { $0 >= 0 && $0 <= 1 })
                let (l2, linf) = Norms.distances(adversarial, x[sample.index])
                #expect((report.norm == .l2 ? l2 : linf) == sample.curve.last?.distance)
            }
        }
    }

    @Test(arguments: [Norm.l2, .linf])
    func hopSkipJumpFindsSmallPerturbationsWithLabelsOnly(_ norm: Norm) async throws {
        let (target, x, y) = try Self.digits()
        let labelOnly = LabelOnly(inner: target)
        let attack = BlackBoxEvasion.Attack.hopSkipJump(HopSkipJump(norm: norm))
        let report = try await BlackBoxEvasion.run(attack, target: labelOnly, x: x, labels: y, limit: 6, budget: 2000, seed: 7)
        #expect(report.attacked == 6 && report.outputKind == "label")
        #expect(report.successRate == 1 && report.verifiedSuccessRate == 1)
        Self.check(report, budget: 2000, x: x)
        // Within 2 000 queries the walk along the boundary shrinks the perturbation well below where it started.
        let early = try #require(report.median(norm, within: 200)), late = try #require(report.median(norm))
        #expect(late < early * 0.8, "median \(norm) \(early) at 200 queries, \(late) at 2000")
        let again = try await BlackBoxEvasion.run(attack, target: labelOnly, x: x, labels: y, limit: 6, budget: 2000, seed: 7)
        #expect(again.samples == report.samples)
        print("HSJ \(norm): median \(late) (at 200: \(early)); \(report.rows) rows in \(report.requests) requests, \(report.seconds) s")
    }

    @Test func simbaAndSquareUseScores() async throws {
        let (target, x, y) = try Self.digits()
        let simba = try await BlackBoxEvasion.run(.simba(SimBA(epsilon: 0.2)), target: target, x: x, labels: y, limit: 10, budget: 1000, seed: 1)
        #expect(simba.successRate >= 0.8 && simba.verifiedSuccessRate == simba.successRate)
        Self.check(simba, budget: 1000, x: x)
        let square = try await BlackBoxEvasion.run(.square(Square(epsilon: 0.15)), target: target, x: x, labels: y, limit: 10, budget: 1000, seed: 1)
        #expect(square.successRate > 0)
        #expect(square.samples.allSatisfy { ($0.bestLinf ?? 0) <= 0.15 + 1e-6 })
        Self.check(square, budget: 1000, x: x)
        print("SimBA: \(simba.successRate), median L2 \(simba.median(.l2) ?? -1), median queries \(simba.medianQueriesToSuccess ?? -1); Square ε=0.15: \(square.successRate)")
    }

    @Test func scoreBasedAttacksRefuseALabelOnlyTarget() async throws {
        let (target, x, y) = try Self.digits()
        for attack in [BlackBoxEvasion.Attack.simba(SimBA()), .square(Square())] {
            await #expect(throws: ProbeError.self) {
                try await BlackBoxEvasion.run(attack, target: LabelOnly(inner: target), x: x, labels: y, limit: 2, budget: 100, seed: 0)
            }
            do {
                _ = try await BlackBoxEvasion.run(attack, target: LabelOnly(inner: target), x: x, labels: y, limit: 2, budget: 100, seed: 0)
            } catch {
                #expect(error.description.contains("labels only") && error.description.contains("hopskipjump"))
            }
        }
    }
}

/// The guide's *excluding confidence from the output*, applied to a local model: labels only.
/// Scores of 4 classes for rows whose first feature is above 0.5, of 3 otherwise: a target whose answers disagree.
struct ShiftingWidth: ProbeTarget {
    var features: Int { 2 }

    func answer(_ rows: Tensor) async throws -> TargetAnswer {
        let n = rows.shape[0], width = rows.data[0] > 0.5 ? 4 : 3
        return TargetAnswer(labels: [Int](repeating: 0, count: n), probabilities: try Tensor(shape: [n, width], data: [Float](repeating: 1 / Float(width), count: n * width)))
    }
}

@Suite("Oracle")
struct OracleTests {
    @Test func scoresThatChangeWidthAreAnErrorNotLabelsOnly() async throws {
        let oracle = Oracle(target: ShiftingWidth(), budget: 10)
        _ = try await oracle.query(try Tensor(shape: [1, 2], data: [0.1, 0]))
        _ = try await oracle.query(try Tensor(shape: [1, 2], data: [0.9, 0]))
        do {
            _ = try await oracle.query(try Tensor(shape: [2, 2], data: [0.1, 0, 0.9, 0]))
            Issue.record("answers of 3 and 4 classes were combined")
        } catch {
            #expect("\(error)".contains("changed width") && !"\(error)".contains("labels only"))
        }
        // remember takes one row and its one answer.
        await #expect(throws: ProbeError.self) {
            try await oracle.remember([0.5], answer: TargetAnswer(labels: [1], probabilities: nil))
        }
        await #expect(throws: ProbeError.self) {
            try await oracle.remember([0.5, 0.5], answer: TargetAnswer(labels: [1, 2], probabilities: nil))
        }
    }
}

struct LabelOnly: ProbeTarget {
    let inner: any ProbeTarget
    var features: Int { inner.features }

    func answer(_ rows: Tensor) async throws -> TargetAnswer {
        TargetAnswer(labels: try await inner.answer(rows).labels, probabilities: nil)
    }
}
