import Foundation
import RampartCore
import RampartML
import RampartONNX
import Testing

/// Reverse-mode input gradients against central finite differences: for a random cotangent c and random directions v,
/// the gradient of c·y from `ONNXGraph.gradient`, dotted with v, must match the derivative of c·y(x + hv) at h = 0.
@Suite("Gradients")
struct GradientTests {
    /// The value differentiated in each fixture (the float tensor before ZipMap, where there is one).
    static let cases: [String: String] = [
        "mlp_digits": "out_activations_result",
        "mlp_tanh_wine": "probabilities",
        "mlp_logistic_cancer": "probabilities",
        "logreg_cancer": "probabilities",
        "logreg_digits": "probabilities",
        "normalizer_logreg_wine": "probabilities",
        "linear_svc_wine": "probabilities",
        "linear_regression_diabetes": "variable",
        "operator_zoo": "out",
        "convolution_zoo": "features",
        "cnn_digits": "logits",
    ]

    static func uniform(_ rng: inout SeededRandom) -> Float { Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1 }

    @Test("gradients match central finite differences", arguments: GradientTests.cases.keys.sorted())
    func finiteDifferences(_ fixture: String) throws {
        let value = try #require(Self.cases[fixture])
        let (graph, parity, recorded) = try ParityTests.load(fixture)
        var rng = SeededRandom(seed: 7)
        // The two recorded rows whose outputs are least saturated (a probability of exactly 1 has a zero gradient),
        // nudged by noise so that no element sits on a ReLU kink or a max-pool tie.
        let rowSize = recorded.count / recorded.shape[0]
        let all = try #require(try graph.run([parity.input: .floats(recorded)], outputs: [value])[value]?.floatTensor)
        let perRow = all.count / recorded.shape[0]
        let rows = (0..<recorded.shape[0]).sorted { a, b in
            all.data[(a * perRow)..<((a + 1) * perRow)].map(abs).max()! < all.data[(b * perRow)..<((b + 1) * perRow)].map(abs).max()!
        }.prefix(2)
        var data = rows.flatMap { recorded.data[($0 * rowSize)..<(($0 + 1) * rowSize)] }
        // Images: uniform pixels instead — a digit's constant background puts many ReLUs of a channel on one value,
        // and a step that carries that value across zero carries them all.
        if recorded.rank == 4 { data = data.map { _ in (Self.uniform(&rng) + 1) / 2 } }
        let typical = (data.reduce(0) { $0 + $1 * $1 } / Float(data.count)).squareRoot()
        for i in data.indices { data[i] += Self.uniform(&rng) * Swift.max(abs(data[i]), 0.01 * typical) * 0.01 }
        let x = try Tensor(shape: [2] + Array(recorded.shape.dropFirst()), data: data)
        func objective(_ input: Tensor, _ c: Tensor) throws -> Double {
            let y = try #require(try graph.run([parity.input: .floats(input)], outputs: [value])[value]?.floatTensor)
            return zip(y.data, c.data).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let y = try #require(try graph.run([parity.input: .floats(x)], outputs: [value])[value]?.floatTensor)
        let c = try Tensor(shape: y.shape, data: y.data.map { _ in Self.uniform(&rng) })
        let (_, g) = try graph.gradient([parity.input: .floats(x)], of: value, cotangent: c, withRespectTo: parity.input)
        #expect(g.shape == x.shape)
        // Directional derivatives along random directions, each element's step to its own scale: the central difference
        // against g·v. Float32 outputs make per-element differences too noisy (a direction sums the whole gradient); the
        // step is small so that it rarely carries a ReLU across its kink (digits have wide constant backgrounds).
        for _ in 0..<4 {
            let v = x.data.map { Self.uniform(&rng) * Swift.max(abs($0), 0.01 * typical) }
            func central(_ h: Float) throws -> Double {
                var plus = x, minus = x
                for i in v.indices {
                    plus.data[i] += h * v[i]
                    minus.data[i] -= h * v[i]
                }
                return (try objective(plus, c) - objective(minus, c)) / Double(2 * h)
            }
            let numeric = try central(2e-4)
            let analytic = zip(g.data, v).reduce(0) { $0 + Double($1.0) * Double($1.1) }
            let norm = (zip(g.data, v).reduce(0) { $0 + Double($1.0 * $1.1) * Double($1.0 * $1.1) }).squareRoot()
            let error = abs(numeric - analytic) / Swift.max(abs(analytic), norm, 1e-12)
            #expect(error < 2e-2, "\(fixture): directional derivative \(analytic) by the gradient, \(numeric) by differences")
        }
        #expect(g.data.contains { $0 != 0 }, "\(fixture): the gradient is zero everywhere")
    }

    @Test("trees and ArgMax are not differentiable, and the error names the node")
    func notDifferentiable() throws {
        let (forest, parity, x) = try ParityTests.load("random_forest_digits")
        let probabilities = try #require(try forest.run([parity.input: .floats(x)], outputs: ["probabilities"])["probabilities"]?.floatTensor)
        #expect {
            try forest.gradient([parity.input: .floats(x)], of: "probabilities", cotangent: probabilities, withRespectTo: parity.input)
        } throws: { error in
            guard case ONNXError.notDifferentiable(let why) = error else { return false }
            return why.contains("TreeEnsembleClassifier")
        }
        let (zoo, zooFixture, zx) = try ParityTests.load("operator_zoo")
        let labels = try #require(try zoo.run([zooFixture.input: .floats(zx)])["amf"]?.floatTensor)
        #expect(throws: ONNXError.self) {
            try zoo.gradient([zooFixture.input: .floats(zx)], of: "amf", cotangent: labels, withRespectTo: zooFixture.input)
        }
    }
}
