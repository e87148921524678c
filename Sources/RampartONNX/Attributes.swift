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

/// `TensorProto` → `ONNXValue`: values from the typed fields or little-endian `raw_data`. Doubles become floats; int32,
/// int16, int8, uint8 and bool become `IntTensor`s keeping their element type.
enum TensorDecoding {
    static func value(_ proto: Onnx_TensorProto) throws(ONNXError) -> ONNXValue {
        guard proto.externalData.isEmpty, proto.dataLocation != .external else {
            throw .malformed("tensor `\(proto.name)` keeps its data in an external file, which Rampart does not read")
        }
        guard proto.dims.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else { throw .malformed("tensor `\(proto.name)` has an invalid shape \(proto.dims)") }
        let shape = proto.dims.map { Int($0) }
        let count: Int
        do { count = try Tensor.count(of: shape) } catch { throw .malformed("tensor `\(proto.name)`: \(error)") }
        guard let type = ONNXElementType(rawValue: proto.dataType) else {
            throw .malformed("tensor `\(proto.name)` has element type \(ONNXModel.elementName(proto.dataType)), which Rampart does not read")
        }
        let raw = proto.rawData
        func check(_ n: Int, width: Int) throws(ONNXError) {
            guard n == count else {
                throw .malformed("tensor `\(proto.name)` of shape \(shape) holds \(raw.isEmpty ? n : raw.count / Swift.max(width, 1)) values, not \(count)")
            }
        }
        func little<T: FixedWidthInteger>(_: T.Type) throws(ONNXError) -> [T] {
            let width = MemoryLayout<T>.size
            guard raw.count == count * width else { throw .malformed("tensor `\(proto.name)` of shape \(shape) holds \(raw.count) bytes, not \(count * width)") }
            return raw.withUnsafeBytes { bytes in (0..<count).map { T(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * width, as: T.self)) } }
        }
        do {
            switch type {
            case .float:
                let values = raw.isEmpty ? proto.floatData : try little(UInt32.self).map { Float(bitPattern: $0) }
                try check(values.count, width: 4)
                return .floats(try Tensor(shape: shape, data: values))
            case .double:
                let values = raw.isEmpty ? proto.doubleData.map { Float($0) } : try little(UInt64.self).map { Float(Double(bitPattern: $0)) }
                try check(values.count, width: 8)
                return .floats(try Tensor(shape: shape, data: values))
            case .int64:
                let values = raw.isEmpty ? proto.int64Data : try little(Int64.self)
                try check(values.count, width: 8)
                return .ints(try IntTensor(shape: shape, data: values))
            case .uint64, .uint32:
                let values = raw.isEmpty ? proto.uint64Data.map { Int64(truncatingIfNeeded: $0) }
                    : (type == .uint64 ? try little(UInt64.self).map { Int64(truncatingIfNeeded: $0) } : try little(UInt32.self).map { Int64($0) })
                try check(values.count, width: type == .uint64 ? 8 : 4)
                return .ints(try IntTensor(shape: shape, data: values, elementType: type))
            case .int32, .int16, .int8, .uint8, .bool:
                let values: [Int64]
                if raw.isEmpty {
                    values = proto.int32Data.map { Int64($0) }
                } else {
                    switch type {
                    case .int32: values = try little(Int32.self).map { Int64($0) }
                    case .int16: values = try little(Int16.self).map { Int64($0) }
                    case .int8: values = try little(Int8.self).map { Int64($0) }
                    default: values = try little(UInt8.self).map { Int64($0) }
                    }
                }
                try check(values.count, width: 1)
                return .ints(try IntTensor(shape: shape, data: values, elementType: type))
            case .string:
                try check(proto.stringData.count, width: 1)
                return .strings(try StringTensor(shape: shape, data: proto.stringData.map { String(decoding: $0, as: UTF8.self) }))
            }
        } catch let error as ONNXError {
            throw error
        } catch {
            throw .malformed("tensor `\(proto.name)`: \(error)")
        }
    }
}
