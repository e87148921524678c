import Crypto
import Hummingbird
import NIOCore
import RampartCore

extension RequestPipeline {
    /// Stage 2: the whole body, at most `server.max_body_bytes` (refused early by `Content-Length`, else while it
    /// streams in); its SHA-256 goes into the decision record.
    func readBody(_ request: Request, draft: inout DecisionDraft) async throws(GatewayRefusal) -> ByteBuffer {
        let limit = config.server.maxBodyBytes
        let tooLarge = GatewayRefusal(.requestTooLarge, "the request body is larger than max_body_bytes (\(limit) bytes)")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        var collected = ByteBuffer()
        do {
            for try await chunk in request.body {
                guard collected.readableBytes + chunk.readableBytes <= limit else { throw tooLarge }
                var chunk = chunk
                collected.writeBuffer(&chunk)
            }
        } catch let refusal as GatewayRefusal {
            throw refusal
        } catch {
            throw GatewayRefusal(.clientClosed, "the client closed the connection while sending the body")
        }
        if collected.readableBytes > 0 || request.method != .get {
            draft.requestSHA256 = Hex.encode(SHA256.hash(data: collected.readableBytesView))
        }
        return collected
    }
}
