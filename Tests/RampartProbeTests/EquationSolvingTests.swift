import Foundation
import RampartML
import RampartONNX
@testable import RampartProbe
import Testing

/// Equation-solving model theft (Tramèr et al. 2016) against a real model — skl2onnx's multinomial logistic regression
/// on scikit-learn's digits — through the query-counting oracle.
@Suite("Equation-solving extraction")
struct EquationSolvingTests {
    /// These tests rerun attacks and expect the same bits: OpenBLAS's sums depend on its thread count, which the
    /// gateway's tests set to 1 in this same process, so every suite that compares reruns sets it to 1 first.
    init() { BLAS.setThreads(1) }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RampartMLTests/Fixtures/parity")

    struct Fixture: Decodable { var inputs: [[Float]] }

    static func target() throws -> (LocalModelTarget, Tensor) {
        let target = try LocalModelTarget(path: fixtures.appendingPathComponent("logreg_digits.onnx").path)
        let rows = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: fixtures.appendingPathComponent("logreg_digits.json"))).inputs
        return (target, try Tensor(shape: [rows.count, 64], data: rows.flatMap { $0 }))
    }

    /// A target that hides its probabilities (the guide's "excluding confidence from the output").
    struct LabelOnly: ProbeTarget {
        let inner: LocalModelTarget
        var features: Int { inner.features }
        func answer(_ rows: Tensor) async throws -> TargetAnswer { TargetAnswer(labels: try await inner.answer(rows).labels, probabilities: nil) }
    }

    @Test func recoversTheLogisticRegressionExactlyFromDPlusOneQueries() async throws {
        let (target, test) = try Self.target()
        let oracle = Oracle(target: target, budget: 65)
        let stolen = try await EquationSolving.steal(oracle, seed: 1)
        let (used, calls) = (await oracle.used, await oracle.calls)
        #expect(used == 65 && calls == 1)
        // Fidelity on the held-out digits: every label, and the probabilities themselves.
        let truth = try await target.answer(test)
        #expect(try stolen.labels(test) == truth.labels)
        let mine = try stolen.probabilities(test), theirs = try #require(truth.probabilities)
        let worst = zip(mine.data, theirs.data).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 1e-3, "largest probability difference \(worst)")
        // The same seed steals the same model.
        let again = try await EquationSolving.steal(Oracle(target: target, budget: 65), seed: 1)
        #expect(again == stolen)
    }

    @Test func theBudgetIsNeverExceededAndLabelOnlyDefeatsIt() async throws {
        let (target, _) = try Self.target()
        let short = Oracle(target: target, budget: 64)
        await #expect(throws: ProbeError.budgetExhausted(used: 0, budget: 64, asked: 65)) { try await EquationSolving.steal(short, seed: 1) }
        let spent = await short.used
        #expect(spent == 0)
        let labelOnly = Oracle(target: LabelOnly(inner: target), budget: 1000)
        await #expect(throws: ProbeError.self) { try await EquationSolving.steal(labelOnly, seed: 1) }
    }

    @Test func repeatedRowsComeFromTheCache() async throws {
        let (target, test) = try Self.target()
        let oracle = Oracle(target: target, budget: 50)
        let first = try await oracle.query(test)
        let second = try await oracle.query(test)
        #expect(first == second)
        let (used, hits, calls) = (await oracle.used, await oracle.cacheHits, await oracle.calls)
        #expect(used == 40 && hits == 40 && calls == 1)
    }
}
