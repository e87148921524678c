import Foundation
import RampartML
import RampartONNX
import Testing

/// The native runtime against onnxruntime: every fixture of `scripts/onnx/make-parity-fixtures.py` (skl2onnx exports
/// of LogisticRegression, MLPClassifier, RandomForest, GradientBoosting, LinearSVC, SVC, LinearRegression and
/// tree regressors; a PyTorch CNN; two hand-built operator graphs) is run on its recorded inputs, and each output must
/// equal onnxruntime's — labels exactly, floats within 1e-5 (relative above 1).
@Suite("Parity with onnxruntime")
struct ParityTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/parity")

    struct Expected: Decodable {
        var type: String
        var shape: [Int]
        var data: [JSONScalar]
        /// ZipMap outputs: the keys of each row's map, in column order.
        var labels: [String]?
    }

    enum JSONScalar: Decodable {
        case number(Double)
        case string(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let d = try? container.decode(Double.self) { self = .number(d) } else { self = .string(try container.decode(String.self)) }
        }

        var number: Double? {
            if case .number(let d) = self { return d }
            return nil
        }
    }

    struct Fixture: Decodable {
        var model: String
        var input: String
        var inputs: [JSONShaped]
        var outputs: [String: Expected]
    }

    /// A nested JSON array of numbers, flattened with its shape.
    struct JSONShaped: Decodable {
        var shape: [Int]
        var values: [Float]

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let v = try? container.decode(Float.self) {
                shape = []
                values = [v]
                return
            }
            let parts = try container.decode([JSONShaped].self)
            shape = [parts.count] + (parts.first?.shape ?? [])
            values = parts.flatMap(\.values)
        }
    }

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }.sorted()
    }

    static func load(_ name: String) throws -> (ONNXGraph, Fixture, Tensor) {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: directory.appendingPathComponent("\(name).json")))
        let graph = try ONNXGraph(ONNXModel.load(path: directory.appendingPathComponent(fixture.model).path))
        let rows = fixture.inputs
        let x = try Tensor(shape: [rows.count] + (rows.first?.shape ?? []), data: rows.flatMap(\.values))
        return (graph, fixture, x)
    }

    @Test("the fixture set covers every model family the runtime supports")
    func coverage() {
        let names = Set(Self.names)
        for family in ["logreg_digits", "mlp_digits", "random_forest_digits", "gradient_boosting_wine", "gradient_boosting_cancer", "linear_svc_wine",
                       "svc_linear_wine", "cnn_digits", "operator_zoo", "convolution_zoo", "linear_regression_diabetes",
                       "random_forest_regressor_diabetes", "normalizer_logreg_wine"] {
            #expect(names.contains(family), "missing fixture \(family)")
        }
    }

    @Test("outputs match onnxruntime within 1e-5", arguments: ParityTests.names)
    func parity(_ name: String) throws {
        let (graph, fixture, x) = try Self.load(name)
        let outputs = try graph.run([fixture.input: .floats(x)])
        #expect(!fixture.outputs.isEmpty)
        for (outputName, expected) in fixture.outputs {
            let value = try #require(outputs[outputName], "\(name): no output \(outputName)")
            switch value {
            case .floats(let t), .maps(_, let t):
                if case .maps(let labels, _) = value {
                    let keys: [String] = switch labels {
                    case .ints(let l): l.map(String.init)
                    case .strings(let l): l
                    }
                    #expect(expected.type == "map" && expected.labels == keys, "\(name).\(outputName): labels \(keys) vs \(expected.labels ?? [])")
                } else {
                    #expect(expected.type == "float", "\(name).\(outputName): type")
                }
                #expect(t.shape == expected.shape, "\(name).\(outputName): shape \(t.shape) vs onnxruntime's \(expected.shape)")
                var worst: Double = 0, at = 0
                for (i, (mine, theirs)) in zip(t.data, expected.data).enumerated() {
                    let reference = theirs.number ?? .nan
                    let error = abs(Double(mine) - reference) / max(1, abs(reference))
                    if !(error <= worst) { (worst, at) = (error, i) }
                }
                #expect(worst <= 1e-5, "\(name).\(outputName): relative error \(worst) at index \(at)")
            case .ints(let t):
                #expect(t.shape == expected.shape, "\(name).\(outputName): shape \(t.shape) vs onnxruntime's \(expected.shape)")
                let reference = expected.data.map { Int64($0.number ?? .nan) }
                let mismatches = zip(t.data, reference).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
                #expect(mismatches.isEmpty, "\(name).\(outputName): differs from onnxruntime at rows \(mismatches.prefix(10))")
            case .strings(let t):
                #expect(t.data == expected.data.map { if case .string(let s) = $0 { s } else { "" } })
            }
        }
    }
}
