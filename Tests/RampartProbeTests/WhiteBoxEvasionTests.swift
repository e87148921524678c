import Foundation
import RampartML
import RampartONNX
@testable import RampartProbe
import Testing

/// FGSM and PGD against the bundled digits MLP, through the native runtime's gradients: PGD beats FGSM at the same
/// budget, every adversarial row stays in its ε-ball and the pixel box, and a seed reproduces a run.
@Suite("White-box evasion")
struct WhiteBoxEvasionTests {
    /// These tests rerun attacks and expect the same bits: OpenBLAS's sums depend on its thread count, which the
    /// gateway's tests set to 1 in this same process, so every suite that compares reruns sets it to 1 first.
    init() { BLAS.setThreads(1) }

    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/models")

    struct TestSet: Decodable { var inputs: [[Float]]; var labels: [Int] }

    @Test(arguments: [Norm.linf, .l2])
    func pgdBeatsFGSMAndStaysInTheBall(_ norm: Norm) throws {
        let target = try LocalModelTarget(path: Self.models.appendingPathComponent("digits_mlp.onnx").path)
        let test = try JSONDecoder().decode(TestSet.self, from: Data(contentsOf: Self.models.appendingPathComponent("digits_mlp.test.json")))
        let x = try Tensor(shape: [test.inputs.count, 64], data: test.inputs.flatMap { $0 })
        let epsilon: Float = norm == .linf ? 0.15 : 1.0
        let fgsm = try WhiteBoxEvasion.fgsm(target, x: x, labels: test.labels, norm: norm, epsilon: epsilon)
        let pgd = try WhiteBoxEvasion.pgd(target, x: x, labels: test.labels, norm: norm, epsilon: epsilon, steps: 40, stepSize: epsilon / 10, seed: 3)
        #expect(pgd.attacked == fgsm.attacked && pgd.attacked >= 45)
        #expect(fgsm.successRate > 0 && pgd.successRate > fgsm.successRate, "FGSM \(fgsm.successRate), PGD \(pgd.successRate)")
        for r in 0..<x.shape[0] {
            let delta = (0..<64).map { pgd.adversarial.data[r * 64 + $0] - x.data[r * 64 + $0] }
            let size = norm == .linf ? delta.map(abs).max()! : delta.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(size <= epsilon * 1.0001)
        }
        #expect(pgd.adversarial.data.allSatisfy { $0 >= 0 && $0 <= 1 })
        let again = try WhiteBoxEvasion.pgd(target, x: x, labels: test.labels, norm: norm, epsilon: epsilon, steps: 40, stepSize: epsilon / 10, seed: 3)
        #expect(again == pgd)
        print("\(norm): FGSM \(fgsm.successRate), PGD \(pgd.successRate) of \(pgd.attacked)")
    }
}
