import Foundation
import RampartCore
import RampartML
import RampartONNX
import Testing

/// Randomized smoothing (Cohen et al. 2019): the binomial test and Clopper–Pearson bound against scipy, abstention at
/// the decision boundary, a certified radius that is a lower bound of the exact one, and the digits MLP smoothed.
@Suite("Randomized smoothing")
struct SmoothingTests {
    @Test func statisticsMatchScipy() {
        let pValues: [(Int, Int, Double)] = [(60, 100, 0.05688793364098089), (90, 100, 3.0632901754379845e-17), (50, 100, 1.0), (7, 10, 0.34375),
                                             (100, 100, 1.5777218104420236e-30)]
        for (k, n, expected) in pValues {
            let p = RandomizedSmoothing.binomialTwoSidedPValue(successes: k, trials: n)
            #expect(abs(p - expected) <= 1e-9 * max(1, expected) + 1e-40 || abs(p / expected - 1) < 1e-8, "\(k)/\(n): \(p) vs \(expected)")
        }
        let bounds: [(Int, Int, Double, Double)] = [(990, 1000, 0.001, 0.9760361871553114), (600, 1000, 0.001, 0.5510754739370525),
                                                    (100, 100, 0.001, 0.933254300796991), (55, 100, 0.05, 0.4628896013505245)]
        for (k, n, alpha, expected) in bounds {
            let lower = RandomizedSmoothing.clopperPearsonLower(successes: k, trials: n, alpha: alpha)
            #expect(abs(lower - expected) < 1e-9, "\(k)/\(n) at \(alpha): \(lower) vs \(expected)")
        }
    }

    /// f(x) = [x₀ > 0]: g's exact certified radius at x is |x₀| (p_A = Φ(|x₀|/σ)).
    static func halfPlane(_ batch: [Float], _ n: Int) -> [Int] {
        let d = batch.count / n
        return (0..<n).map { batch[$0 * d] > 0 ? 1 : 0 }
    }

    @Test func abstainsAtTheBoundaryAndCertifiesALowerBound() {
        let smoothing = RandomizedSmoothing(sigma: 0.25, samples: 1000, alpha: 0.001)
        var rng = SeededRandom(seed: 1)
        var abstained = 0
        for _ in 0..<20 where smoothing.predict([0, 0.3], classify: Self.halfPlane, using: &rng) == .abstain { abstained += 1 }
        #expect(abstained >= 18, "at the boundary g should abstain, did \(abstained)/20")
        #expect(smoothing.predict([1, 0.3], classify: Self.halfPlane, using: &rng) == .label(1))
        #expect(smoothing.predict([-0.5, 0.3], classify: Self.halfPlane, using: &rng) == .label(0))

        let certifier = RandomizedSmoothing(sigma: 0.25, samples: 10_000, alpha: 0.001)
        for x0: Float in [0.1, 0.3, 0.6] {
            let result = certifier.certify([x0, 0], selection: 100, classify: Self.halfPlane, using: &rng)
            let (label, radius) = try! #require(result)
            #expect(label == 1)
            #expect(radius <= Double(x0) && radius >= Double(x0) * 0.7, "radius \(radius) for exact \(x0)")
        }
        #expect(certifier.certify([0.001, 0], selection: 100, classify: Self.halfPlane, using: &rng) == nil)
    }

    @Test func theDigitsMLPSmoothedKeepsItsAnswersAndAbstainsOnBlends() throws {
        let graph = try ONNXGraph(ONNXModel.load(path: ONNXModelTests.models.appendingPathComponent("digits_mlp.onnx").path))
        struct TestSet: Decodable { var inputs: [[Float]]; var sklearn_labels: [Int] }
        let test = try JSONDecoder().decode(TestSet.self, from: Data(contentsOf: ONNXModelTests.models.appendingPathComponent("digits_mlp.test.json")))
        func classify(_ batch: [Float], _ n: Int) throws -> [Int] {
            guard case .ints(let labels)? = try graph.run(["X": .floats(try Tensor(shape: [n, 64], data: batch))], outputs: ["output_label"])["output_label"]
            else { return [] }
            return labels.data.map { Int($0) }
        }
        let smoothing = RandomizedSmoothing(sigma: 0.25, samples: 100, alpha: 0.001)
        var rng = SeededRandom(seed: 2)
        var agree = 0, abstainedOnTest = 0
        for (x, label) in zip(test.inputs, test.sklearn_labels) {
            switch try smoothing.predict(x, classify: classify, using: &rng) {
            case .label(let l): agree += l == label ? 1 : 0
            case .abstain: abstainedOnTest += 1
            }
        }
        #expect(agree >= 40, "smoothed digits agree with the model on \(agree)/50 (abstained \(abstainedOnTest))")
        // Half one digit, half another: the noise splits the votes more often.
        var abstainedOnBlends = 0
        for i in 0..<25 {
            let blend = zip(test.inputs[i], test.inputs[i + 25]).map { ($0 + $1) / 2 }
            if try smoothing.predict(blend, classify: classify, using: &rng) == .abstain { abstainedOnBlends += 1 }
        }
        #expect(abstainedOnBlends * 2 > abstainedOnTest, "blends abstained \(abstainedOnBlends)/25, test images \(abstainedOnTest)/50")
    }
}
