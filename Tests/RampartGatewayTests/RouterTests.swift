import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartStore
import Testing
@testable import RampartGateway

/// The public router driven in process (HummingbirdTesting `.router`): every refusal path answers in OpenAI's
/// error shape, with `Rampart-Decision-Id`, before any upstream is involved.
@Suite(.serialized) struct RouterTests {
    static func withRouter(limits: RouteLimits = .init(), maxBody: Int = 1_048_576,
                           _ body: @escaping @Sendable (any TestClientProtocol, String, String) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-router-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try await Store.openSQLite(path: folder.appendingPathComponent("r.db").path)
        let (key, record) = APIKeyFormat.generate(tenant: "t", routes: ["chat"], scope: .client)
        try await store.keys.insert(record)
        let (adminKey, adminRecord) = APIKeyFormat.generate(tenant: "ops", routes: [], scope: .admin)
        try await store.keys.insert(adminRecord)
        let config = RampartConfig(
            server: .init(maxBodyBytes: maxBody),
            store: .init(sqlite: "unused"),
            routes: [RouteConfig(name: "chat", upstream: "http://127.0.0.1:9/v1", timeoutSeconds: 2, models: ["m*"], limits: limits),
                     RouteConfig(name: "other", upstream: "http://127.0.0.1:9/v1", models: ["o*"])])
        let gateway = try await Gateway(config: config, store: store)
        let writer = Task { try await gateway.writer.run() }
        let app = Application(router: gateway.publicRouter())
        do {
            try await app.test(.router) { client in try await body(client, key, adminKey) }
        } catch {
            await gateway.writer.stop()
            await store.close()
            throw error
        }
        await gateway.writer.stop()
        try await writer.value
        #expect(try await store.decisions.count() > 0)
        await gateway.shutdown()
        await store.close()
    }

    static func headers(_ key: String?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let key { fields[.authorization] = "Bearer \(key)" }
        return fields
    }

    static func expectError(_ response: TestResponse, _ status: HTTPResponse.Status, _ code: String) throws {
        #expect(response.status == status)
        #expect(response.headers[HTTPField.Name("Rampart-Decision-Id")!] != nil)
        let json = try JSONValue.parse(response.body.readableBytesView)
        let error = try #require(json["error"])
        #expect(error["code"]?.stringValue == code)
        #expect(error["message"]?.stringValue?.isEmpty == false)
        #expect(error["type"]?.stringValue != nil)
        if case .object(let members) = error { #expect(members.map(\.key) == ["message", "type", "param", "code"]) }
    }

    static let chat = ByteBuffer(string: #"{"model":"m1","messages":[{"role":"user","content":"hi"}]}"#)

    @Test func refusalsBeforeTheUpstream() async throws {
        try await Self.withRouter(limits: RouteLimits(ratePerSecond: 0.001, burst: 1)) { client, key, adminKey in
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(nil), body: Self.chat) {
                try Self.expectError($0, .unauthorized, "missing_api_key")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers("rk_bogus"), body: Self.chat) {
                try Self.expectError($0, .unauthorized, "invalid_api_key")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(adminKey), body: Self.chat) {
                try Self.expectError($0, .forbidden, "wrong_key_scope")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(key), body: ByteBuffer(string: "{")) {
                try Self.expectError($0, .badRequest, "invalid_json")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(key),
                                     body: ByteBuffer(string: #"{"model":"m","model":"o","messages":[{"role":"user"}]}"#)) {
                try Self.expectError($0, .badRequest, "invalid_json")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(key),
                                     body: ByteBuffer(string: #"{"model":"o1","messages":[{"role":"user"}]}"#)) {
                try Self.expectError($0, .forbidden, "route_not_allowed")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(key),
                                     body: ByteBuffer(string: #"{"model":"zz","messages":[{"role":"user"}]}"#)) {
                try Self.expectError($0, .notFound, "model_not_found")
            }
            // The one token of the bucket goes to a request that then fails upstream (port 9: nothing listens).
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(key), body: Self.chat) {
                try Self.expectError($0, .badGateway, "upstream_unreachable")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(key), body: Self.chat) {
                try Self.expectError($0, .tooManyRequests, "rate_limited")
                #expect($0.headers[.retryAfter] != nil)
            }
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await Self.withRouter(maxBody: 64) { client, key, _ in
            let big = ByteBuffer(string: #"{"model":"m1","messages":[{"role":"user","content":"\#(String(repeating: "a", count: 100))"}]}"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.headers(key), body: big) {
                try Self.expectError($0, .contentTooLarge, "request_too_large")
            }
            try await client.execute(uri: "/v1/embeddings", method: .post, headers: Self.headers(key), body: big) {
                try Self.expectError($0, .contentTooLarge, "request_too_large")
            }
        }
    }
}
