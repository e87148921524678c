import Foundation
import RampartCore
import RampartStoreTesting
import Testing
@testable import RampartML
@testable import RampartONNX

/// The ONNX loader on the bundled models (exported by skl2onnx from scikit-learn's own datasets,
/// examples/models/train_and_export.py): what they declare, which operators they use, and weights that — pushed through
/// RampartML by hand — give scikit-learn's own predictions. Malformed files are clear errors, never crashes.
@Suite struct ONNXModelTests {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/models")

    struct TestSet: Decodable {
        var inputs: [[Float]]
        var labels: [Int]
        var sklearn_labels: [Int]
    }

    @Test func theDigitsMLPLoadsAndItsWeightsPredictLikeScikitLearn() throws {
        let model = try ONNXModel.load(path: Self.models.appendingPathComponent("digits_mlp.onnx").path)
        #expect(model.opsets == ["ai.onnx": 17, "ai.onnx.ml": 1])
        #expect(model.producer.hasPrefix("skl2onnx"))
        #expect(model.inputs == [.init(name: "X", type: "tensor(float)", shape: ["?", "64"])])
        #expect(model.outputs.map(\.name) == ["output_label", "output_probability"])
        #expect(model.outputs[1].type == "seq(map(int64,tensor(float)))" && model.outputs[1].shape == nil)
        #expect(model.operators.map(\.name) == ["Cast", "MatMul", "Add", "Relu", "Softmax", "ArgMax", "ZipMap", "ArrayFeatureExtractor", "Reshape"])
        #expect(model.operators.first { $0.name == "MatMul" }?.nodes == 2)
        #expect(model.unsupportedOperators.isEmpty)
        #expect(model.parameterCount == 64 * 64 + 64 + 64 * 10 + 10 + 10 + 1)

        // The hidden and output layers, by hand: X·W1 + b1 → ReLU → ·W2 + b2 → softmax → argmax.
        let set = try JSONDecoder().decode(TestSet.self, from: Data(contentsOf: Self.models.appendingPathComponent("digits_mlp.test.json")))
        let x = try Tensor(shape: [set.inputs.count, 64], data: set.inputs.flatMap { $0 })
        let w1 = try #require(model.weights["coefficient"]), b1 = try #require(model.weights["intercepts"])
        let w2 = try #require(model.weights["coefficient1"]), b2 = try #require(model.weights["intercepts1"])
        #expect(w1.shape == [64, 64] && b1.shape == [1, 64] && w2.shape == [64, 10])
        let hidden = try (x.matmul(w1) + b1).relu()
        let probabilities = try (hidden.matmul(w2) + b2).softmax(axis: 1)
        let labels = try probabilities.argmax(axis: 1, keepDims: false).data.map { Int($0) }
        #expect(labels == set.sklearn_labels)
        #expect(zip(labels, set.labels).filter { $0 == $1 }.count >= 47, "about 97 % of the test digits")
    }

    @Test func theTabularModelUsesTheMLOperators() throws {
        let model = try ONNXModel.load(path: Self.models.appendingPathComponent("breast_cancer_logreg.onnx").path)
        #expect(model.operators.map { "\($0.domain):\($0.name)" } == ["ai.onnx.ml:Scaler", "ai.onnx.ml:LinearClassifier", "ai.onnx:Cast", "ai.onnx.ml:ZipMap"])
        #expect(model.unsupportedOperators.isEmpty)
        #expect(model.inputs[0].shape == ["?", "30"])
    }

    @Test func malformedModelsAreClearErrors() throws {
        let path = Self.models.appendingPathComponent("digits_mlp.onnx").path
        #expect(throws: ONNXError.unreadable("cannot read /nonexistent/model.onnx")) { try ONNXModel.load(path: "/nonexistent/model.onnx") }
        #expect(throws: ONNXError.self) { try ONNXModel(bytes: Data()) }
        #expect(throws: ONNXError.self) { try ONNXModel(bytes: Data("not a model at all".utf8)) }
        // An ONNX file cut short names the problem.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
            _ = try ONNXModel(bytes: bytes.prefix(bytes.count / 2))
            Issue.record("a truncated model must not load")
        } catch {
            #expect(!error.description.isEmpty)
        }
    }

    /// Models at today's opsets load (the parity suite runs them against onnxruntime); one at an opset newer than the
    /// operators were checked at is refused naming each operator.
    @Test func newerOpsetsAreRefusedNamingTheOperators() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/parity/operator_zoo_opset28.onnx")
        var bytes = try [UInt8](Data(contentsOf: url))
        #expect(try ONNXGraph(ONNXModel(bytes: Data(bytes))).model.opsets["ai.onnx"] == 28)
        // opset_import { domain: "", version: 28 } → 29.
        let pattern: [UInt8] = [0x42, 0x04, 0x0A, 0x00, 0x10, 0x1C]
        let at = try #require((0...(bytes.count - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) })
        bytes[at + 5] = 0x1D
        let model = try ONNXModel(bytes: Data(bytes))
        #expect(model.opsets["ai.onnx"] == 29 && model.operators.allSatisfy { !$0.supported })
        do {
            _ = try ONNXGraph(model)
            Issue.record("a model at opset 29 must be refused")
        } catch {
            #expect(error.description.contains("ai.onnx:Gemm at opset 29") && error.description.contains("ai.onnx:Softmax at opset 29"))
        }
    }

    /// Seeded mutation fuzzing of the parser: every mutant of a real model loads or is refused, never crashes.
    @Test(arguments: [41, 42] as [UInt64])
    func theParserSurvivesMutants(seed: UInt64) throws {
        let bytes = try Data(contentsOf: Self.models.appendingPathComponent("breast_cancer_logreg.onnx"))
        var rng = SeededRandom(seed: seed)
        var loaded = 0
        for _ in 0..<1500 {
            let mutant = Mutations.mutate(Array(bytes), alphabet: [0x00, 0x08, 0x0A, 0x12, 0x1A, 0x22, 0x7F, 0x80, 0xFF], rng: &rng)
            do {
                let model = try ONNXModel(bytes: Data(mutant))
                loaded += 1
                #expect(!model.outputs.isEmpty && !model.opsets.isEmpty)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
        #expect(loaded < 1500)
    }
}
