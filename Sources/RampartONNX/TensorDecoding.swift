import Foundation
import RampartML

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
