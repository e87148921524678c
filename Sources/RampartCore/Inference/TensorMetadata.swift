/// A tensor a model declares in its metadata: name, datatype and shape, with -1 for a dimension of any size.
public struct TensorMetadata: Sendable, Equatable {
    public var name: String
    /// The datatype as declared (a server may declare one this codec does not read, such as `FP16`'s cousins).
    public var datatype: String
    public var shape: [Int]

    public init(name: String, datatype: String, shape: [Int]) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
    }

    static func decode(_ json: JSONValue, path: String) throws(InferenceCodingError) -> TensorMetadata {
        guard let name = json["name"]?.stringValue else { throw .init(.invalidInput, "a tensor needs a `name`", path: path + ".name") }
        guard let datatype = json["datatype"]?.stringValue else { throw .init(.invalidInput, "tensor `\(name.prefix(64))` needs a `datatype`", path: path + ".datatype") }
        guard let values = json["shape"]?.arrayValue else { throw .init(.invalidInput, "tensor `\(name.prefix(64))` needs a `shape`", path: path + ".shape") }
        var shape: [Int] = []
        for (axis, value) in values.enumerated() {
            guard let d = value.intValue, d >= -1, d <= InferenceTensor.maxElements else {
                throw .init(.invalidInput, "tensor `\(name.prefix(64))`: shape[\(axis)] must be -1 (any size) or a whole number up to \(InferenceTensor.maxElements)",
                            path: path + ".shape")
            }
            shape.append(d)
        }
        return TensorMetadata(name: name, datatype: datatype, shape: shape)
    }

    /// `{"name","datatype","shape"}`.
    public func json() -> String {
        #"{"name":"# + JSONValue.quote(name) + #","datatype":"# + JSONValue.quote(datatype) + #","shape":["# + shape.map(String.init).joined(separator: ",") + "]}"
    }
}
