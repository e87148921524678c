import Foundation
import NIOCore
import RampartCore
import RampartStore
import Testing
import RampartStoreTesting

/// Every refusal and failure answers in OpenAI's error shape and leaves a decision record.
@Suite(.serialized) struct RefusalTests {
    /// Checks the OpenAI error shape and the record, returns the reply.
    @discardableResult
    static func expectRefusal(_ h: GatewayHarness, _ reply: GatewayHarness.Reply, status: Int, code: String, verdict: Verdict = .refused,
                              param: String? = nil) async throws -> GatewayHarness.Reply {
        #expect(reply.status == status, "status for \(code)")
        let error = try #require(reply.json["error"] as? [String: Any], "OpenAI error shape for \(code): \(reply.body)")
        #expect(error["code"] as? String == code)
        #expect((error["message"] as? String)?.isEmpty == false)
        #expect(error["type"] is String)
        #expect(error.keys.contains("param"))
        if let param { #expect(error["param"] as? String == param) }
        let record = try #require(try await h.record(reply.decisionID), "record for \(code)")
        #expect(record.status == status && record.verdict == verdict && record.reason == code)
        return reply
    }

    @Test func authenticationFailures() async throws {
        try await GatewayHarness.run { h in
            let body = GatewayHarness.chatBody()
            try await Self.expectRefusal(h, try await h.send(.POST, "/v1/chat/completions", body: body, key: .some(nil)), status: 401, code: "missing_api_key")
            try await Self.expectRefusal(h, try await h.send(.POST, "/v1/chat/completions", body: body, key: "rk_nonsense"), status: 401, code: "invalid_api_key")
            let forged = String(h.clientKey.dropLast()) + (h.clientKey.last == "a" ? "b" : "a")
            try await Self.expectRefusal(h, try await h.send(.POST, "/v1/chat/completions", body: body, key: forged), status: 401, code: "invalid_api_key")
            var request = try await h.send(.POST, "/v1/chat/completions", body: body, key: .some(nil), headers: [("Authorization", "Basic dXNlcjpwdw==")])
            try await Self.expectRefusal(h, request, status: 401, code: "invalid_api_key")
            // An admin key is not a client key.
            request = try await h.send(.POST, "/v1/chat/completions", body: body, key: h.adminKey)
            try await Self.expectRefusal(h, request, status: 403, code: "wrong_key_scope")
            // The refused key never reaches the log.
            #expect(!h.logs.all.contains(forged))
        }
    }

    @Test func revokedKeyIsRefusedWithinTheRefreshInterval() async throws {
        try await GatewayHarness.run { h in
            #expect(try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody()).status == 200)
            try await h.store.keys.revoke(id: h.clientKeyID)
            var status = 200
            for _ in 0..<50 where status == 200 {
                try await Task.sleep(for: .milliseconds(50))
                status = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody()).status
            }
            #expect(status == 401)
        }
    }

    @Test(arguments: [
        ("{not json", "invalid_json", nil),
        ("[1,2]", "invalid_json", nil),
        ("", "invalid_json", nil),
        (#"{"messages":[{"role":"user","content":"x"}]}"#, "missing_field", "model"),
        (#"{"model":"m"}"#, "missing_field", "messages"),
        (#"{"model":"m","messages":[]}"#, "invalid_request", "messages"),
        (#"{"model":"m","messages":[{"content":"x"}]}"#, "missing_field", "messages[0].role"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"},{"role":"wizard","content":"x"}]}"#, "invalid_request", "messages[1].role"),
        (#"{"model":42,"messages":[{"role":"user","content":"x"}]}"#, "invalid_type", "model"),
        (#"{"model":"m","messages":"hi"}"#, "invalid_type", "messages"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#, "invalid_type", "stream"),
        (#"{"model":"","messages":[{"role":"user","content":"x"}]}"#, "invalid_request", "model"),
    ] as [(String, String, String?)])
    func malformedBodiesName(body: String, code: String, param: String?) async throws {
        try await GatewayHarness.run { h in
            let reply = try await h.send(.POST, "/v1/chat/completions", body: body)
            try await Self.expectRefusal(h, reply, status: 400, code: code, param: param)
            #expect(h.mock.stats.requests == 0)
        }
    }

    @Test func malformedEmbeddingsAndHeaders() async throws {
        try await GatewayHarness.run { h in
            try await Self.expectRefusal(h, try await h.send(.POST, "/v1/embeddings", body: #"{"model":"m"}"#), status: 400, code: "missing_field", param: "input")
            try await Self.expectRefusal(h, try await h.send(.POST, "/v1/embeddings", body: #"{"model":"m","input":5}"#), status: 400, code: "invalid_request", param: "input")
            let long = String(repeating: "s", count: 300)
            try await Self.expectRefusal(h, try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(), headers: [("Rampart-Subject", long)]),
                                         status: 400, code: "invalid_header", param: "Rampart-Subject")
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        try await GatewayHarness.run(configure: { $0.server.maxBodyBytes = 1000 }) { h in
            let big = GatewayHarness.chatBody(content: String(repeating: "x", count: 2000))
            try await Self.expectRefusal(h, try await h.send(.POST, "/v1/chat/completions", body: big), status: 413, code: "request_too_large")
            #expect(try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody()).status == 200)
        }
    }

    @Test(arguments: TestBackend.available)
    func rateLimitAnswers429WithRetryAfter(_ backend: TestBackend) async throws {
        try await GatewayHarness.run(configure: { $0.routes[0].limits = RouteLimits(ratePerSecond: 0.5, burst: 2) }, backend: backend) { h in
            #expect(try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody()).status == 200)
            #expect(try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody()).status == 200)
            let reply = try await Self.expectRefusal(h, try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody()),
                                                     status: 429, code: "rate_limited")
            #expect(Int(reply.headers.first(name: "retry-after") ?? "") ?? 0 >= 1)
            #expect((reply.json["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
            #expect(h.mock.stats.requests == 2)
        }
    }

    @Test(arguments: TestBackend.available)
    func dailyQuotasHoldAcrossRestarts(_ backend: TestBackend) async throws {
        let location = try backend.makeLocation()
        defer { location.remove() }
        let limits = RouteLimits(requestsPerDay: 2)
        var key = ""
        try await GatewayHarness.run(configure: { $0.routes[0].limits = limits }, location: location) { h in
            key = h.clientKey
            #expect(try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody()).status == 200)
            #expect(try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody()).status == 200)
            try await Self.expectRefusal(h, try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody()),
                                         status: 429, code: "daily_requests_exhausted")
        }
        // A new gateway over the same store still refuses the same key.
        try await GatewayHarness.run(configure: { $0.routes[0].limits = limits }, location: location) { h in
            let reply = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(), key: key)
            try await Self.expectRefusal(h, reply, status: 429, code: "daily_requests_exhausted")
            let retryAfter = Int(reply.headers.first(name: "retry-after") ?? "") ?? 0
            #expect(retryAfter >= 1 && retryAfter <= 86_400)
        }
    }

    @Test(arguments: TestBackend.available)
    func tokenQuotaCountsStreamedUsage(_ backend: TestBackend) async throws {
        try await GatewayHarness.run(configure: { $0.routes[0].limits = RouteLimits(tokensPerDay: 10) }, backend: backend) { h in
            // Streamed: prompt 3 words + 5 chunks = 8 tokens, reported through the injected include_usage.
            #expect(try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(content: "a b", stream: true)).status == 200)
            #expect(try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(content: "a b")).status == 200)
            let reply = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody())
            try await Self.expectRefusal(h, reply, status: 429, code: "daily_tokens_exhausted")
            #expect((reply.json["error"] as? [String: Any])?["type"] as? String == "insufficient_quota")
        }
    }

    @Test func upstreamFailures() async throws {
        let routes = [
            RouteConfig(name: "chat", upstream: "http://127.0.0.1:UPSTREAM_PORT/v1", timeoutSeconds: 0.5, models: ["mock-*"]),
            // Port 9 (discard) on loopback: nothing listens there.
            RouteConfig(name: "dead", upstream: "http://127.0.0.1:9/v1", models: ["dead"]),
        ]
        try await GatewayHarness.run(routes: routes, keyRoutes: ["*"]) { h in
            try await Self.expectRefusal(h, try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(model: "dead")),
                                         status: 502, code: "upstream_unreachable", verdict: .failed)
            let timedOut = try await Self.expectRefusal(h, try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(), headers: [("X-Mock-Delay-Ms", "2000")]),
                                                        status: 504, code: "upstream_timeout", verdict: .failed)
            // The record says how long the upstream was waited for: the route's 0.5 s timeout.
            let waited = try #require(try await h.record(timedOut.decisionID)?.upstreamLatencyMs)
            #expect(waited >= 450)
            // Upstream errors are relayed with their status and body; Rampart allowed the call.
            let relayed = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(), headers: [("X-Mock-Status", "503")])
            #expect(relayed.status == 503 && relayed.errorCode == "mock_503")
            let record = try #require(try await h.record(relayed.decisionID))
            #expect(record.verdict == .allowed && record.reason == "upstream_status_503" && record.status == 503)
            let bad = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(), headers: [("X-Mock-Status", "400")])
            #expect(bad.status == 400 && bad.errorCode == "mock_400")
        }
    }

    @Test func unknownPathsAndMethods() async throws {
        try await GatewayHarness.run { h in
            let get = try await h.send(.GET, "/v1/chat/completions")
            #expect(get.status >= 400)
            let nothing = try await h.send(.POST, "/v1/nothing", body: "{}")
            #expect(nothing.status == 404)
        }
    }
}
