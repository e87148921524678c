import Foundation
import RampartML

/// A node's attributes by name, read with the types the operator expects. A missing required attribute or one of the
/// wrong type is a load-time error naming the node and the attribute.
struct Attributes {
    let node: String
    private let values: [String: Onnx_AttributeProto]

    init(_ proto: Onnx_NodeProto) {
        node = "node `\(proto.name.isEmpty ? proto.output.first ?? "?" : proto.name)` (\(proto.opType))"
        var values: [String: Onnx_AttributeProto] = [:]
        for attribute in proto.attribute { values[attribute.name] = attribute }
        self.values = values
    }

    func has(_ name: String) -> Bool { values[name] != nil }

    func int(_ name: String, default fallback: Int64? = nil) throws(ONNXError) -> Int64 {
        guard let a = values[name] else { return try missing(name, fallback) }
        guard a.type == .int || a.type == .undefined else { throw wrongType(name, "an int") }
        return a.i
    }

    func float(_ name: String, default fallback: Float? = nil) throws(ONNXError) -> Float {
        guard let a = values[name] else { return try missing(name, fallback) }
        guard a.type == .float || a.type == .undefined else { throw wrongType(name, "a float") }
        return a.f
    }

    func string(_ name: String, default fallback: String? = nil) throws(ONNXError) -> String {
        guard let a = values[name] else { return try missing(name, fallback) }
        guard a.type == .string || a.type == .undefined else { throw wrongType(name, "a string") }
        return String(decoding: a.s, as: UTF8.self)
    }

    func ints(_ name: String) throws(ONNXError) -> [Int64]? {
        guard let a = values[name] else { return nil }
        guard a.type == .ints || a.type == .undefined else { throw wrongType(name, "a list of ints") }
        return a.ints
    }

    /// A list of floats, from the attribute or from its `_as_tensor` twin (ONNX-ML opset 3 stores doubles there).
    func floats(_ name: String) throws(ONNXError) -> [Float]? {
        if let a = values[name] {
            guard a.type == .floats || a.type == .undefined else { throw wrongType(name, "a list of floats") }
            return a.floats
        }
        guard let t = try tensor(name + "_as_tensor") else { return nil }
        guard case .floats(let tensor) = t else { throw wrongType(name + "_as_tensor", "a float or double tensor") }
        return tensor.data
    }

    func strings(_ name: String) throws(ONNXError) -> [String]? {
        guard let a = values[name] else { return nil }
        guard a.type == .strings || a.type == .undefined else { throw wrongType(name, "a list of strings") }
        return a.strings.map { String(decoding: $0, as: UTF8.self) }
    }

    func tensor(_ name: String) throws(ONNXError) -> ONNXValue? {
        guard let a = values[name] else { return nil }
        guard a.type == .tensor || a.type == .undefined else { throw wrongType(name, "a tensor") }
        do {
            return try TensorDecoding.value(a.t)
        } catch {
            throw .malformed("\(node): attribute `\(name)`: \(error)")
        }
    }

    /// Class labels from `classlabels_ints` / `classlabels_int64s` or `classlabels_strings`.
    func classLabels(ints intsName: String, strings stringsName: String) throws(ONNXError) -> ClassLabels {
        if let labels = try ints(intsName), !labels.isEmpty { return .ints(labels) }
        if let labels = try strings(stringsName), !labels.isEmpty { return .strings(labels) }
        throw .malformed("\(node) declares no class labels (`\(intsName)` or `\(stringsName)`)")
    }

    func error(_ why: String) -> ONNXError { .malformed("\(node): \(why)") }

    private func missing<T>(_ name: String, _ fallback: T?) throws(ONNXError) -> T {
        guard let fallback else { throw .malformed("\(node) lacks the required attribute `\(name)`") }
        return fallback
    }

    private func wrongType(_ name: String, _ expected: String) -> ONNXError {
        .malformed("\(node): attribute `\(name)` should be \(expected)")
    }
}
