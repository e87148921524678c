import Foundation
import RampartCore
import RampartML
@testable import RampartONNX
import RampartStoreTesting
import SwiftProtobuf
import Testing

/// The executor's refusals: unsupported operators and opsets at load time, inputs that do not match the declaration,
/// graphs that read values nobody produces, malformed operator attributes; and mutants of real models that compile and
/// run or are refused, never crash or hang.
@Suite("Graph executor")
struct GraphTests {
    /// A one-node model `y = op(x)` over a float input of `shape`.
    static func model(op: String, domain: String = "", opset: Int64 = 17, shape: [Int64] = [2, 3],
                      attributes: [Onnx_AttributeProto] = [], inputs: [String] = ["x"]) throws -> ONNXModel {
        var proto = Onnx_ModelProto()
        proto.irVersion = 8
        var import1 = Onnx_OperatorSetIdProto()
        import1.version = opset
        proto.opsetImport = [import1]
        if !domain.isEmpty {
            var ml = Onnx_OperatorSetIdProto()
            ml.domain = domain
            ml.version = 3
            proto.opsetImport.append(ml)
        }
        var node = Onnx_NodeProto()
        node.opType = op
        node.domain = domain
        node.input = inputs
        node.output = ["y"]
        node.attribute = attributes
        var x = Onnx_ValueInfoProto()
        x.name = "x"
        x.type.tensorType.elemType = 1
        x.type.tensorType.shape.dim = shape.map { var d = Onnx_TensorShapeProto.Dimension(); d.dimValue = $0; return d }
        var y = Onnx_ValueInfoProto()
        y.name = "y"
        y.type.tensorType.elemType = 1
        proto.graph.input = [x]
        proto.graph.output = [y]
        proto.graph.node = [node]
        return try ONNXModel(bytes: try proto.serializedData())
    }

    static func attribute(_ name: String, ints: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = ints
        return a
    }

    @Test func unsupportedOperatorsAndOpsetsAreListedAtLoadTime() throws {
        #expect {
            try ONNXGraph(try Self.model(op: "Abs"))
        } throws: { error in
            guard case ONNXError.unsupported(let why) = error else { return false }
            return why.contains("ai.onnx:Abs")
        }
        #expect {
            try ONNXGraph(try Self.model(op: "Relu", opset: 6))
        } throws: { error in
            guard case ONNXError.unsupported(let why) = error else { return false }
            return why.contains("opset ai.onnx 6") && why.contains("ai.onnx:Relu at opset 6")
        }
        #expect(try ONNXGraph(try Self.model(op: "Relu", opset: 21)).run(["x": .floats(try Tensor(shape: [2, 3], data: [-1, 2, -3, 4, -5, 6]))])["y"]
            == .floats(try Tensor(shape: [2, 3], data: [0, 2, 0, 4, 0, 6])))
    }

    @Test func inputsAreCheckedAgainstTheDeclaration() throws {
        let graph = try ONNXGraph(try Self.model(op: "Relu"))
        let cases: [([String: ONNXValue], String)] = [
            ([:], "input `x` is missing"),
            (["x": .floats(try Tensor(shape: [2, 4], data: Array(repeating: 0, count: 8)))], "input `x`: dimension 1 is 4, the model declares 3"),
            (["x": .floats(try Tensor(shape: [6], data: Array(repeating: 0, count: 6)))], "input `x` has rank 1"),
            (["x": .ints(try IntTensor(shape: [2, 3], data: Array(repeating: 0, count: 6)))], "input `x` must be tensor(float), got tensor(int64)"),
            (["x": .floats(try Tensor(shape: [2, 3], data: Array(repeating: 0, count: 6))), "z": .floats(Tensor(scalar: 1))], "the model has no input `z`"),
        ]
        for (feeds, message) in cases {
            #expect {
                try graph.run(feeds)
            } throws: { error in
                guard case ONNXError.invalidInput(let why) = error else { return false }
                return why.contains(message)
            }
        }
        #expect(throws: ONNXError.self) { try graph.run(["x": .floats(try Tensor(shape: [2, 3], data: Array(repeating: 0, count: 6)))], outputs: ["nope"]) }
    }

    @Test func malformedGraphsAreRefusedWithTheNodeNamed() throws {
        #expect {
            try ONNXGraph(try Self.model(op: "Add", inputs: ["x", "ghost"]))
        } throws: { error in
            guard case ONNXError.malformed(let why) = error else { return false }
            return why.contains("reads `ghost` before any node produces it")
        }
        #expect {
            try ONNXGraph(try Self.model(op: "Concat"))
        } throws: { error in
            guard case ONNXError.malformed(let why) = error else { return false }
            return why.contains("(Concat) lacks the required attribute `axis`")
        }
        #expect {
            try ONNXGraph(try Self.model(op: "Transpose", attributes: [Self.attribute("perm", ints: [0, 0])]))
                .run(["x": .floats(try Tensor(shape: [2, 3], data: Array(repeating: 0, count: 6)))])
        } throws: { error in
            guard case ONNXError.failed(let why) = error else { return false }
            return why.contains("(Transpose)") && why.contains("not a permutation")
        }
        #expect {
            try ONNXGraph(try Self.model(op: "MaxPool", shape: [1, 1, 4, 4], attributes: [Self.attribute("kernel_shape", ints: [9, 9])]))
                .run(["x": .floats(try Tensor(shape: [1, 1, 4, 4], data: Array(repeating: 0, count: 16)))])
        } throws: { error in
            guard case ONNXError.failed(let why) = error else { return false }
            return why.contains("does not fit")
        }
    }

    /// Seeded mutants of real models (linear, MLP, trees, SVM, CNN): each compiles and runs on a real input, or is refused
    /// with a message — never a crash, and never a walk that does not end (trees bound every walk by their size).
    @Test(arguments: ["random_forest_cancer", "mlp_digits", "svc_rbf_cancer", "cnn_digits", "gradient_boosting_wine", "convolution_zoo"])
    func mutantsCompileAndRunOrAreRefused(_ fixture: String) throws {
        let (_, parity, x) = try ParityTests.load(fixture)
        let bytes = Array(try Data(contentsOf: ParityTests.directory.appendingPathComponent("\(fixture).onnx")))
        let row = try Tensor(shape: [1] + Array(x.shape.dropFirst()), data: Array(x.data[0..<(x.count / x.shape[0])]))
        var rng = SeededRandom(seed: 5)
        var ran = 0, refused = 0
        for _ in 0..<300 {
            let mutant = Mutations.mutate(bytes, alphabet: [0x00, 0x01, 0x08, 0x0A, 0x12, 0x1A, 0x22, 0x7F, 0x80, 0xFF], rng: &rng)
            do {
                let graph = try ONNXGraph(try ONNXModel(bytes: Data(mutant)))
                _ = try graph.run([parity.input: .floats(row)])
                ran += 1
            } catch {
                #expect(!error.description.isEmpty)
                refused += 1
            }
        }
        #expect(ran + refused == 300)
        #expect(refused > 0)
    }
}
