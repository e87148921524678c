import NIOCore
import RampartCore

/// The fields of `POST /v1/embeddings` the gateway needs.
struct EmbeddingsRequest: Sendable {
    var body: JSONValue
    var model: String
    var input: JSONValue

    static func parse(_ bytes: ByteBuffer) throws(GatewayRefusal) -> EmbeddingsRequest {
        let body = try RequestDecoding.object(bytes)
        let model = try RequestDecoding.model(in: body)
        guard let input = body["input"] else { throw .badRequest("missing required field `input`", param: "input", code: .missingField) }
        switch input {
        case .string, .array: break
        default: throw .badRequest("`input` must be a string or an array of strings or token ids", param: "input")
        }
        return EmbeddingsRequest(body: body, model: model, input: input)
    }
}
