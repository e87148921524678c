import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import RampartCore
import RampartStore
import Testing

@Suite(.serialized) struct ChatCompletionsTests {
    @Test func plainCompletionIsRelayedAndRecorded() async throws {
        try await GatewayHarness.run { h in
            let body = GatewayHarness.chatBody(content: "what is rampart")
            let reply = try await h.send(.POST, "/v1/chat/completions", body: body,
                                         headers: [("Rampart-Subject", "subj-42"), ("Rampart-Purpose", "support")])
            #expect(reply.status == 200)
            let choices = reply.json["choices"] as? [[String: Any]]
            #expect((choices?.first?["message"] as? [String: Any])?["content"] as? String == "echo: what is rampart")
            let id = try #require(reply.decisionID)
            #expect(TimeOrderedID.isWellFormed(id))

            let record = try #require(try await h.record(id))
            #expect(record.status == 200 && record.verdict == .allowed && record.reason == nil)
            #expect(record.tenant == "acme" && record.keyID == h.clientKeyID && record.route == "chat" && record.model == "mock-small")
            #expect(record.subject == "subj-42" && record.purpose == "support")
            #expect(record.endpoint == "/v1/chat/completions")
            #expect(record.usage == TokenUsage(promptTokens: 5, completionTokens: 4))
            #expect(record.requestSHA256 == Hex.encode(SHA256.hash(data: Array(body.utf8))))
            #expect(record.responseSHA256 == Hex.encode(SHA256.hash(data: Array(reply.body.utf8))))
            #expect(record.upstreamLatencyMs != nil)
            #expect(record.findings.isEmpty)

            // The upstream saw its own key, never the caller's, and no personal Rampart headers.
            let seen = h.mock.stats.lastHeaders
            #expect(seen["authorization"] == "Bearer \(GatewayHarness.upstreamSecret)")
            #expect(seen["rampart-subject"] == nil && seen["rampart-purpose"] == nil)
            #expect(seen["host"] == "127.0.0.1:\(h.upstreamPort)")
            #expect(h.mock.stats.lastBody == body)
        }
    }

    @Test func streamIsRelayedEventByEventAndUsageIsCounted() async throws {
        try await GatewayHarness.run { h in
            let request = h.streamRequest([("X-Mock-Chunks", "4"), ("X-Mock-Chunk-Delay-Ms", "150")])
            let start = ContinuousClock.now
            let response = try await h.client.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
            let id = try #require(response.headers.first(name: "rampart-decision-id"))
            var arrivals: [Duration] = []
            var text = ""
            for try await chunk in response.body {
                arrivals.append(ContinuousClock.now - start)
                text += String(buffer: chunk)
            }
            // Chunks arrive as the upstream sends them, not all at the end.
            #expect(arrivals.count >= 3)
            #expect(arrivals.last! - arrivals.first! > .milliseconds(300))
            #expect(text.contains("tok0") && text.contains("tok3"))
            #expect(text.hasSuffix("data: [DONE]\n\n"))
            // The gateway asked for usage; the client did not, so the usage-only chunk is not relayed.
            #expect(!text.contains("\"usage\""))
            #expect(h.mock.stats.lastBody.contains("include_usage"))
            let record = try #require(try await h.record(id))
            #expect(record.stream && record.status == 200 && record.verdict == .allowed)
            #expect(record.usage?.estimated == false && record.usage?.completionTokens == 4)
            #expect(record.responseSHA256 == Hex.encode(SHA256.hash(data: Array(text.utf8))))
        }
    }

    @Test func streamKeepsUsageWhenTheClientAsksForIt() async throws {
        try await GatewayHarness.run { h in
            let reply = try await h.send(.POST, "/v1/chat/completions",
                                         body: GatewayHarness.chatBody(stream: true, extra: #","stream_options":{"include_usage":true}"#))
            #expect(reply.status == 200)
            #expect(reply.body.contains("\"usage\""))
        }
    }

    @Test func streamWithoutUpstreamUsageIsEstimated() async throws {
        try await GatewayHarness.run { h in
            let reply = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(stream: true), headers: [("X-Mock-No-Usage", "1")])
            #expect(reply.status == 200)
            let record = try #require(try await h.record(reply.decisionID))
            #expect(record.usage?.estimated == true)
            #expect((record.usage?.totalTokens ?? 0) > 0)
        }
    }

    @Test func clientLeavingMidStreamCancelsUpstreamAndIsRecorded() async throws {
        try await GatewayHarness.run { h in
            let request = h.streamRequest([("X-Mock-Chunks", "50"), ("X-Mock-Chunk-Delay-Ms", "100")])
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let response = try await client.execute(request, timeout: .seconds(30))
            let id = try #require(response.headers.first(name: "rampart-decision-id"))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
            // Hang up: closing the client's connections ends the stream from the client's side.
            try await client.shutdown()
            var record: DecisionRecord?
            for _ in 0..<100 {
                record = try await h.store.decisions.find(id: id)
                if record != nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let stored = try #require(record)
            #expect(stored.status == 499 && stored.verdict == .failed && stored.reason == "client_closed")
            for _ in 0..<100 where h.mock.stats.cancelledStreams == 0 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(h.mock.stats.cancelledStreams == 1)
            #expect(h.mock.stats.completedStreams == 0)
        }
    }

    @Test func upstreamBreakingMidStreamIsAFailure() async throws {
        try await GatewayHarness.run { h in
            let request = h.streamRequest([("X-Mock-Break-After", "2")])
            let response = try await h.client.execute(request, timeout: .seconds(30))
            let id = try #require(response.headers.first(name: "rampart-decision-id"))
            var text = ""
            do {
                for try await chunk in response.body { text += String(buffer: chunk) }
            } catch {}
            #expect(!text.contains("[DONE]"))
            let record = try #require(try await h.record(id))
            #expect(record.verdict == .failed && record.reason == "upstream_stream_broken")
        }
    }

    @Test func embeddingsAreRelayedAndRecorded() async throws {
        try await GatewayHarness.run { h in
            let reply = try await h.send(.POST, "/v1/embeddings", body: #"{"model":"mock-embed","input":["a","b"]}"#)
            #expect(reply.status == 200)
            let record = try #require(try await h.record(reply.decisionID))
            #expect(record.endpoint == "/v1/embeddings" && record.usage?.totalTokens == 3)
        }
    }

    @Test func modelSelectsTheRouteAndRoutePrefixIsStripped() async throws {
        let routes = [
            RouteConfig(name: "small", upstream: "http://127.0.0.1:UPSTREAM_PORT/v1", models: ["mock-small"]),
            RouteConfig(name: "large", upstream: "http://127.0.0.1:UPSTREAM_PORT/v1", models: ["mock-l*"]),
        ]
        try await GatewayHarness.run(routes: routes, keyRoutes: ["large"]) { h in
            let large = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(model: "mock-large-2"))
            #expect(large.status == 200)
            #expect(try await h.record(large.decisionID)?.route == "large")
            // `route/model` picks the route and sends only the model upstream.
            let prefixed = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(model: "large/custom-model"))
            #expect(prefixed.status == 200)
            #expect(h.mock.stats.lastBody.contains(#""model":"custom-model""#))
            // A route the key may not use: 403, not a detour.
            let small = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(model: "mock-small"))
            #expect(small.status == 403 && small.errorCode == "route_not_allowed")
            let unknown = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(model: "gpt-9"))
            #expect(unknown.status == 404 && unknown.errorCode == "model_not_found" && unknown.errorParam == "model")
            // /v1/models lists only what the key may use.
            let models = try await h.send(.GET, "/v1/models")
            let ids = (models.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            #expect(models.status == 200)
            #expect(ids.contains("mock-large") && !ids.contains("mock-small"))
        }
    }

    @Test func catchAllRouteListsTheUpstreamsModels() async throws {
        try await GatewayHarness.run { h in
            let models = try await h.send(.GET, "/v1/models")
            let ids = (models.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            #expect(ids == ["mock-small", "mock-large"])
            #expect(try await h.record(models.decisionID)?.endpoint == "/v1/models")
        }
    }
}
