import RampartML

/// ONNX tensor element types (`TensorProto.DataType`) the runtime reads and writes.
public enum ONNXElementType: Int32, Sendable, Equatable {
    case float = 1, uint8 = 2, int8 = 3, int16 = 5, int32 = 6, int64 = 7, string = 8, bool = 9, double = 11, uint32 = 12, uint64 = 13

    public var name: String {
        switch self {
        case .float: "float"
        case .uint8: "uint8"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .string: "string"
        case .bool: "bool"
        case .double: "double"
        case .uint32: "uint32"
        case .uint64: "uint64"
        }
    }

    var isInteger: Bool { ![.float, .double, .string].contains(self) }
}
