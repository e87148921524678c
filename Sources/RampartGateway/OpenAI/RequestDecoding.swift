import NIOCore
import RampartCore

enum RequestDecoding {
    /// The body as a JSON object.
    static func object(_ bytes: ByteBuffer) throws(GatewayRefusal) -> JSONValue {
        guard bytes.readableBytes > 0 else { throw .badRequest("the request body is empty; send a JSON object", code: .invalidJSON) }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes.readableBytesView)
        } catch {
            throw .badRequest("the request body is not valid JSON: \(error)", code: .invalidJSON)
        }
        guard case .object = value else { throw .badRequest("the request body must be a JSON object, not \(value.kindName)", code: .invalidJSON) }
        return value
    }

    static func model(in body: JSONValue) throws(GatewayRefusal) -> String {
        guard let value = body["model"] else { throw .badRequest("missing required field `model`", param: "model", code: .missingField) }
        guard let model = value.stringValue else {
            throw .badRequest("field `model` has the wrong type; expected a string, found \(value.kindName)", param: "model", code: .invalidType)
        }
        guard !model.isEmpty, model.utf8.count <= 256 else {
            throw .badRequest("`model` must be a non-empty string of at most 256 bytes", param: "model")
        }
        return model
    }

    static func optionalBool(_ value: JSONValue?, path: String) throws(GatewayRefusal) -> Bool? {
        guard let value, !value.isNull else { return nil }
        guard let bool = value.boolValue else {
            throw .badRequest("field `\(path)` has the wrong type; expected true or false, found \(value.kindName)", param: path, code: .invalidType)
        }
        return bool
    }
}
