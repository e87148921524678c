import Foundation
import RampartML
import SwiftProtobuf

/// An ONNX model read from a `.onnx` file: its opsets, inputs and outputs, the operators its graph uses —
/// each marked as supported by Rampart's runtime or not — and its float initializers as tensors.
///
/// Real exports are tolerated as they come: skl2onnx lists the same opset import twice and mixes opset versions
/// across domains; the highest version per domain counts.
///
/// ```swift
/// let model = try ONNXModel.load(path: "examples/models/digits_mlp.onnx")
/// model.unsupportedOperators      // [] for the bundled models
/// ```
public struct ONNXModel: Sendable {
    /// A dimension of a declared shape.
    public enum Dimension: Sendable, Equatable, CustomStringConvertible {
        case fixed(Int)
        /// A symbolic dimension such as `N` (batch).
        case named(String)
        case unknown

        public var description: String {
            switch self {
            case .fixed(let n): String(n)
            case .named(let name): name
            case .unknown: "?"
            }
        }
    }

    /// A graph input or output as the model declares it.
    public struct Value: Sendable, Equatable, Codable {
        public var name: String
        /// `tensor(float)`, `tensor(int64)`, `seq(map(int64,tensor(float)))`, …
        public var type: String
        /// Declared dimensions, as text (`N`, `?` or a number); nil for non-tensor values.
        public var shape: [String]?
    }

    /// An operator the graph uses, with the opset its domain imports.
    public struct Operator: Sendable, Equatable, Codable {
        /// `ai.onnx` or `ai.onnx.ml`.
        public var domain: String
        public var name: String
        public var opset: Int64
        public var supported: Bool
        /// How many nodes use it.
        public var nodes: Int
    }

    public var irVersion: Int64
    public var producer: String
    /// Domain (`ai.onnx`, `ai.onnx.ml`) → opset version.
    public var opsets: [String: Int64]
    public var inputs: [Value]
    public var outputs: [Value]
    public var operators: [Operator]
    /// Float initializers (weights), by name.
    public var weights: [String: Tensor]
    /// Number of values in all initializers.
    public var parameterCount: Int
    /// The graph as read, for `ONNXGraph` to compile.
    let graph: Onnx_GraphProto

    /// The operators the runtime executes by domain.
    public static let supportedOperators: [String: Set<String>] = [
        "ai.onnx": ["Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Flatten", "Reshape",
                    "Transpose", "Concat", "Cast", "Identity", "Clip", "ArgMax", "Constant", "Conv", "MaxPool", "AveragePool",
                    "BatchNormalization"],
        "ai.onnx.ml": ["LinearClassifier", "LinearRegressor", "TreeEnsembleClassifier", "TreeEnsembleRegressor", "Normalizer", "Scaler", "ZipMap",
                       "ArrayFeatureExtractor", "SVMClassifier"],
    ]

    /// Opset versions the runtime implements, by domain: ai.onnx up to the newest the `onnx` package defines (28 in
    /// onnx 1.23). From opset 22 on, every operator above changed only in the element types it accepts (bfloat16,
    /// float8, float4, int4, int2 — which the runtime refuses as values anyway) or in wording; Cast 24's rounding
    /// mode concerns float8 only.
    public static let supportedOpsets: [String: ClosedRange<Int64>] = ["ai.onnx": 7...28, "ai.onnx.ml": 1...5]

    /// The newest ai.onnx opset at which each operator's semantics were checked against ONNX's changelog. A model
    /// at a newer opset is refused naming the operators not yet checked (`ai.onnx:Conv at opset 29`).
    public static let checkedThrough: [String: Int64] = Dictionary(uniqueKeysWithValues: supportedOperators["ai.onnx"]!.map { ($0, 28) })

    /// Largest model file read (the bundled models are a few KB; a large CNN is tens of MB).
    public static let maxBytes = 512 << 20

    /// The operators the graph uses that the runtime does not execute, as `domain:Name`.
    public var unsupportedOperators: [String] { operators.filter { !$0.supported }.map { "\($0.domain):\($0.name)" } }

    /// Reads the model at `path`.
    public static func load(path: String) throws(ONNXError) -> ONNXModel {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadable("cannot read \(path)") }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        guard size <= UInt64(maxBytes) else { throw .malformed("\(path) is \(size) bytes, more than the \(maxBytes >> 20) MiB a model may have") }
        try? handle.seek(toOffset: 0)
        let data = (try? handle.readToEnd()) ?? Data()
        do {
            return try ONNXModel(bytes: data)
        } catch {
            throw error.in(path)
        }
    }

    /// Parses a serialized `ModelProto`.
    public init(bytes: Data) throws(ONNXError) {
        guard !bytes.isEmpty else { throw .malformed("the file is empty") }
        guard bytes.count <= Self.maxBytes else { throw .malformed("the model is larger than \(Self.maxBytes >> 20) MiB") }
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: bytes)
        } catch {
            throw .malformed("not an ONNX model (protobuf: \(error))")
        }
        guard proto.hasGraph else { throw .malformed("the model has no graph") }
        irVersion = proto.irVersion
        producer = proto.producerName + (proto.producerVersion.isEmpty ? "" : " \(proto.producerVersion)")
        var opsets: [String: Int64] = [:]
        for entry in proto.opsetImport {
            let domain = entry.domain.isEmpty ? "ai.onnx" : entry.domain
            opsets[domain] = max(opsets[domain] ?? 0, entry.version)
        }
        guard !opsets.isEmpty else { throw .malformed("the model imports no opset") }
        self.opsets = opsets

        let graph = proto.graph
        self.graph = graph
        let initializerNames = Set(graph.initializer.map(\.name))
        inputs = graph.input.filter { !initializerNames.contains($0.name) }.map(Self.value)
        outputs = graph.output.map(Self.value)
        guard !inputs.isEmpty, !outputs.isEmpty else { throw .malformed("the graph declares no inputs or no outputs") }

        var counts: [String: Int] = [:]
        var order: [(String, String)] = []
        for node in graph.node {
            let domain = node.domain.isEmpty ? "ai.onnx" : node.domain
            let key = "\(domain):\(node.opType)"
            if counts[key] == nil { order.append((domain, node.opType)) }
            counts[key, default: 0] += 1
        }
        operators = order.map { domain, name in
            let opset = opsets[domain] ?? 0
            let supported = (Self.supportedOperators[domain]?.contains(name) ?? false) && (Self.supportedOpsets[domain]?.contains(opset) ?? false)
                && (domain != "ai.onnx" || opset <= Self.checkedThrough[name] ?? 0)
            return Operator(domain: domain, name: name, opset: opset, supported: supported, nodes: counts["\(domain):\(name)"] ?? 0)
        }

        var weights: [String: Tensor] = [:]
        var parameters = 0
        for initializer in graph.initializer {
            let value = try TensorDecoding.value(initializer)
            parameters += value.shape.reduce(1, *)
            if case .floats(let tensor) = value { weights[initializer.name] = tensor }
        }
        self.weights = weights
        parameterCount = parameters
    }

    static func value(_ info: Onnx_ValueInfoProto) -> Value {
        var isTensor = false
        if case .tensorType? = info.type.value { isTensor = true }
        return Value(name: info.name, type: typeName(info.type), shape: isTensor
            ? info.type.tensorType.shape.dim.map { dim in
                switch dim.value {
                case .dimValue(let n): String(n)
                case .dimParam(let name): name.isEmpty ? "?" : name
                case nil: "?"
                }
            } : nil)
    }

    static func typeName(_ type: Onnx_TypeProto) -> String {
        switch type.value {
        case .tensorType(let t): "tensor(\(elementName(t.elemType)))"
        case .sequenceType(let s): "seq(\(typeName(s.elemType)))"
        case .mapType(let m): "map(\(elementName(m.keyType)),\(typeName(m.valueType)))"
        case .optionalType(let o): "optional(\(typeName(o.elemType)))"
        case .sparseTensorType(let t): "sparse_tensor(\(elementName(t.elemType)))"
        case .opaqueType(let o): "opaque(\(o.domain).\(o.name))"
        case nil: "unknown"
        }
    }

    /// ONNX `TensorProto.DataType` names.
    static func elementName(_ code: Int32) -> String {
        switch code {
        case 1: "float"
        case 2: "uint8"
        case 3: "int8"
        case 5: "int16"
        case 6: "int32"
        case 7: "int64"
        case 8: "string"
        case 9: "bool"
        case 10: "float16"
        case 11: "double"
        default: "type\(code)"
        }
    }
}

/// Why a model cannot be used or run. The message says what is wrong and where.
public enum ONNXError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be read.
    case unreadable(String)
    /// The file is not a well-formed ONNX model (or its graph is inconsistent).
    case malformed(String)
    /// The model uses operators or opsets the runtime does not implement: each is listed.
    case unsupported(String)
    /// The inputs given do not match what the model declares: the message names the input and the dimension or index.
    case invalidInput(String)
    /// A node failed on the values it was given; the message names the node.
    case failed(String)
    /// The output asked for cannot be differentiated with respect to the input asked for.
    case notDifferentiable(String)

    public var description: String {
        switch self {
        case .unreadable(let why), .malformed(let why), .unsupported(let why), .invalidInput(let why), .failed(let why), .notDifferentiable(let why): why
        }
    }

    func `in`(_ path: String) -> ONNXError {
        switch self {
        case .malformed(let why): .malformed("\(path): \(why)")
        case .unsupported(let why): .unsupported("\(path): \(why)")
        default: self
        }
    }
}
