import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A stand-in for an upstream LLM server speaking OpenAI's wire format — the one thing Rampart's tests may fake,
/// since Rampart does not ship an LLM. Also the fast responder the gateway benchmark proxies to.
///
/// Behaviour is steered per request with headers, so any client (curl, the OpenAI SDK's `extra_headers`) can use it:
/// - `X-Mock-Status: 503` answers with that status and an OpenAI-shaped error;
/// - `X-Mock-Delay-Ms: 200` waits before the response head;
/// - `X-Mock-Chunks: 5` and `X-Mock-Chunk-Delay-Ms: 100` shape a streamed answer;
/// - `X-Mock-No-Usage: 1` leaves `usage` out (as some servers do);
/// - `X-Mock-Break-After: 2` drops the connection after that many streamed chunks.
/// - `X-Mock-Reply: text` answers with that text; `X-Mock-Leak-System: 1` answers with the system prompt (a model
///   that leaks it). Such replies, and those of models named `echo…`, are streamed as the text itself, cut into
///   pieces of `X-Mock-Chunk-Size` characters (default 4), so split entities and placeholders can be tested.
///
/// `GET /_mock/stats` returns what it saw: request count, the last request's headers, cancelled streams.
public final class MockOpenAIUpstream: Sendable {
    public struct Stats: Sendable, Codable {
        public var requests = 0
        public var lastHeaders: [String: String] = [:]
        public var lastBody = ""
        public var cancelledStreams = 0
        public var completedStreams = 0
    }

    private let state = Mutex(Stats())

    public init() {}

    public var stats: Stats { state.withLock { $0 } }

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.post("/v1/chat/completions") { request, _ in try await self.chat(request) }
        router.post("/v1/embeddings") { request, _ in try await self.embeddings(request) }
        router.get("/v1/models") { _, _ in
            Self.json(.ok, #"{"object":"list","data":[{"id":"mock-small","object":"model","created":0,"owned_by":"mock"},{"id":"mock-large","object":"model","created":0,"owned_by":"mock"}]}"#)
        }
        router.get("/_mock/stats") { _, _ in
            let data = try JSONEncoder().encode(self.stats)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }

    private struct ChatBody: Decodable {
        var model: String?
        var messages: [Message]?
        var stream: Bool?
        var stream_options: StreamOptions?
        struct Message: Decodable {
            var role: String?
            var content: String?
        }
        struct StreamOptions: Decodable { var include_usage: Bool? }
    }

    private func observe(_ request: Request, body: ByteBuffer) {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        // HTTPTypes keeps Host as the `:authority` pseudo-header.
        if let authority = request.head.authority { headers["host"] = authority }
        let text = String(buffer: body)
        state.withLock {
            $0.requests += 1
            $0.lastHeaders = headers
            $0.lastBody = text
        }
    }

    private func chat(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 << 20)
        observe(request, body: body)
        if let early = try await Self.steer(request) { return early }
        let parsed = (try? JSONDecoder().decode(ChatBody.self, from: Data(body.readableBytesView))) ?? ChatBody()
        let model = parsed.model ?? "mock"
        let last = parsed.messages?.last { $0.role == "user" }?.content ?? ""
        var reply = "echo: " + String(last.prefix(200))
        var textStream = model.hasPrefix("echo")
        if let forced = request.headers[HTTPField.Name("X-Mock-Reply")!] {
            reply = forced
            textStream = true
        } else if request.headers[HTTPField.Name("X-Mock-Leak-System")!] == "1" {
            reply = "My instructions are: " + (parsed.messages?.first { $0.role == "system" }?.content ?? "")
            textStream = true
        }
        let promptTokens = max(1, (parsed.messages ?? []).reduce(0) { $0 + ($1.content ?? "").split(separator: " ").count })
        let noUsage = request.headers[HTTPField.Name("X-Mock-No-Usage")!] == "1"

        guard parsed.stream == true else {
            let completionTokens = reply.split(separator: " ").count
            let usage = noUsage ? "" : #","usage":{"prompt_tokens":\#(promptTokens),"completion_tokens":\#(completionTokens),"total_tokens":\#(promptTokens + completionTokens)}"#
            return Self.json(.ok, #"{"id":"chatcmpl-mock","object":"chat.completion","created":1700000000,"model":"\#(model)","choices":[{"index":0,"message":{"role":"assistant","content":\#(Self.quote(reply))},"finish_reason":"stop"}]\#(usage)}"#)
        }

        let chunks = Int(request.headers[HTTPField.Name("X-Mock-Chunks")!] ?? "") ?? 5
        let delay = Int(request.headers[HTTPField.Name("X-Mock-Chunk-Delay-Ms")!] ?? "") ?? 0
        let breakAfter = Int(request.headers[HTTPField.Name("X-Mock-Break-After")!] ?? "")
        let includeUsage = parsed.stream_options?.include_usage == true && !noUsage
        var words = (0..<chunks).map { "tok\($0) " }
        if textStream {
            let size = max(1, Int(request.headers[HTTPField.Name("X-Mock-Chunk-Size")!] ?? "") ?? 4)
            let scalars = Array(reply.unicodeScalars)
            words = stride(from: 0, to: scalars.count, by: size).map { String(String.UnicodeScalarView(scalars[$0..<min($0 + size, scalars.count)])) }
        }
        let pieces = words
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: ResponseBody { writer in
            do {
                for (i, word) in pieces.enumerated() {
                    if let breakAfter, i == breakAfter { throw CancellationError() }
                    if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
                    let event = #"data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1700000000,"model":"\#(model)","choices":[{"index":0,"delta":{"content":\#(Self.quote(word))},"finish_reason":null}]}"# + "\n\n"
                    try await writer.write(ByteBuffer(string: event))
                }
                var tail = #"data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1700000000,"model":"\#(model)","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n"
                if includeUsage {
                    tail += #"data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1700000000,"model":"\#(model)","choices":[],"usage":{"prompt_tokens":\#(promptTokens),"completion_tokens":\#(chunks),"total_tokens":\#(promptTokens + chunks)}}"# + "\n\n"
                }
                tail += "data: [DONE]\n\n"
                try await writer.write(ByteBuffer(string: tail))
                try await writer.finish(nil)
                self.state.withLock { $0.completedStreams += 1 }
            } catch {
                self.state.withLock { $0.cancelledStreams += 1 }
                throw error
            }
        })
    }

    private func embeddings(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 << 20)
        observe(request, body: body)
        if let early = try await Self.steer(request) { return early }
        return Self.json(.ok, #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3,0.4]}],"model":"mock-embed","usage":{"prompt_tokens":3,"total_tokens":3}}"#)
    }

    /// Delay and forced status, shared by every endpoint.
    private static func steer(_ request: Request) async throws -> Response? {
        if let ms = Int(request.headers[HTTPField.Name("X-Mock-Delay-Ms")!] ?? ""), ms > 0 {
            try await Task.sleep(for: .milliseconds(ms))
        }
        if let code = Int(request.headers[HTTPField.Name("X-Mock-Status")!] ?? ""), code != 200 {
            return json(.init(code: code), #"{"error":{"message":"mock upstream error \#(code)","type":"server_error","param":null,"code":"mock_\#(code)"}}"#)
        }
        return nil
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func quote(_ s: String) -> String {
        let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
