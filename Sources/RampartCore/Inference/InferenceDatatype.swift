/// A tensor element type of the KServe v2 / Open Inference Protocol
/// (<https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/#tensor-data-types>).
public enum InferenceDatatype: String, Sendable, Equatable, CaseIterable {
    case bool = "BOOL"
    case uint8 = "UINT8", uint16 = "UINT16", uint32 = "UINT32", uint64 = "UINT64"
    case int8 = "INT8", int16 = "INT16", int32 = "INT32", int64 = "INT64"
    case fp16 = "FP16", fp32 = "FP32", fp64 = "FP64"
    case bytes = "BYTES"

    public var isFloat: Bool { self == .fp16 || self == .fp32 || self == .fp64 }
    public var isInteger: Bool { !isFloat && self != .bool && self != .bytes }
}
