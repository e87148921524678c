/// `GET /v2/models/{name}` of the Open Inference Protocol: what a model takes and gives.
public struct ModelMetadata: Sendable, Equatable {
    public var name: String
    public var versions: [String]
    public var platform: String
    public var inputs: [TensorMetadata]
    public var outputs: [TensorMetadata]

    public init(name: String, versions: [String] = [], platform: String = "", inputs: [TensorMetadata], outputs: [TensorMetadata]) {
        self.name = name
        self.versions = versions
        self.platform = platform
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Reads a model server's metadata; `inputs` is required, the rest is read when present.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) throws(InferenceCodingError) -> ModelMetadata where Bytes.Element == UInt8 {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw .init(.invalidJSON, "the metadata is not valid JSON: \(error)") }
        guard case .object = json else { throw .init(.invalidRequest, "the metadata must be a JSON object") }
        guard let inputs = json["inputs"]?.arrayValue else { throw .init(.invalidInput, "the metadata declares no `inputs`", path: "inputs") }
        var metadata = ModelMetadata(name: json["name"]?.stringValue ?? "", versions: json["versions"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                     platform: json["platform"]?.stringValue ?? "", inputs: [], outputs: [])
        for (i, input) in inputs.enumerated() { metadata.inputs.append(try TensorMetadata.decode(input, path: "inputs[\(i)]")) }
        for (i, output) in (json["outputs"]?.arrayValue ?? []).enumerated() {
            metadata.outputs.append(try TensorMetadata.decode(output, path: "outputs[\(i)]"))
        }
        return metadata
    }

    /// `{"name","versions","platform","inputs","outputs"}`.
    public func json() -> String {
        #"{"name":"# + JSONValue.quote(name) + #","versions":["# + versions.map(JSONValue.quote).joined(separator: ",") + #"],"platform":"#
            + JSONValue.quote(platform) + #","inputs":["# + inputs.map { $0.json() }.joined(separator: ",") + #"],"outputs":["#
            + outputs.map { $0.json() }.joined(separator: ",") + "]}"
    }
}
