/// The answer to `POST /v2/models/{name}/infer` in the Open Inference Protocol.
public struct InferenceResponse: Sendable, Equatable {
    public var modelName: String
    public var modelVersion: String?
    public var id: String?
    public var outputs: [InferenceTensor]

    public init(modelName: String, modelVersion: String? = nil, id: String? = nil, outputs: [InferenceTensor]) {
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.id = id
        self.outputs = outputs
    }

    /// Reads a model server's answer. Every output must be consistent (its data fills its shape, values fit its
    /// datatype); outputs of a datatype this codec does not read are left out.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) throws(InferenceCodingError) -> InferenceResponse where Bytes.Element == UInt8 {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw .init(.invalidJSON, "the answer is not valid JSON: \(error)") }
        guard let outputs = json["outputs"]?.arrayValue else { throw .init(.invalidInput, "the answer has no `outputs`", path: "outputs") }
        var response = InferenceResponse(modelName: json["model_name"]?.stringValue ?? "", modelVersion: json["model_version"]?.stringValue,
                                         id: json["id"]?.stringValue, outputs: [])
        for (i, output) in outputs.enumerated() {
            if let datatype = output["datatype"]?.stringValue, InferenceDatatype(rawValue: datatype) == nil { continue }
            response.outputs.append(try InferenceTensor.decode(output, path: "outputs[\(i)]"))
        }
        return response
    }

    /// `{"model_name","model_version","id"?,"outputs"}`.
    public func json() -> String {
        var out = #"{"model_name":"# + JSONValue.quote(modelName) + ","
        if let modelVersion { out += #""model_version":"# + JSONValue.quote(modelVersion) + "," }
        if let id { out += #""id":"# + JSONValue.quote(id) + "," }
        return out + #""outputs":["# + outputs.map { $0.json() }.joined(separator: ",") + "]}"
    }
}
