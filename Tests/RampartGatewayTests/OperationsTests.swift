import Foundation
import RampartCore
import Testing

@Suite(.serialized) struct OperationsTests {
    @Test func healthAndReadinessOnBothListeners() async throws {
        try await GatewayHarness.run { h in
            for port in [h.gatewayPort, h.adminPort] {
                #expect(try await h.send(.GET, "/healthz", key: .some(nil), port: port).status == 200)
                let ready = try await h.send(.GET, "/readyz", key: .some(nil), port: port)
                #expect(ready.status == 200 && ready.body.contains("ready"))
            }
        }
    }

    @Test func metricsNeedAnAdminKeyAndCountRequests() async throws {
        try await GatewayHarness.run { h in
            _ = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody())
            _ = try await h.send(.POST, "/v1/chat/completions", body: "{", key: .some(nil))
            #expect(try await h.send(.GET, "/metrics", key: .some(nil), port: h.adminPort).status == 401)
            #expect(try await h.send(.GET, "/metrics", key: h.clientKey, port: h.adminPort).status == 403)
            // The admin API is not on the public listener.
            #expect(try await h.send(.GET, "/metrics", key: h.adminKey, port: h.gatewayPort).status == 404)
            let metrics = try await h.send(.GET, "/metrics", key: h.adminKey, port: h.adminPort)
            #expect(metrics.status == 200)
            #expect(metrics.body.contains(#"rampart_requests_total{route="chat",status="200"} 1"#))
            #expect(metrics.body.contains(#"rampart_refusals_total{reason="missing_api_key"} 1"#))
            #expect(metrics.body.contains("rampart_upstream_duration_seconds_bucket"))
            #expect(metrics.body.contains("rampart_request_duration_seconds_bucket"))
            #expect(metrics.body.contains("rampart_decision_commit_size"))
        }
    }

    @Test func logsAreJSONAndNeverCarryKeysPromptsOrCompletions() async throws {
        try await GatewayHarness.run { h in
            let secretPrompt = "my-card-4111111111111111-please"
            _ = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(content: secretPrompt))
            _ = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(content: secretPrompt, stream: true))
            _ = try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody(content: secretPrompt), key: h.clientKey + "x")
            let logs = h.logs.all
            #expect(logs.contains("\"decision_id\""))
            #expect(!logs.contains(secretPrompt))
            #expect(!logs.contains("echo:"))
            #expect(!logs.contains(h.clientKey))
            #expect(!logs.contains(GatewayHarness.upstreamSecret))
            for line in logs.split(separator: "\n") {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
            }
        }
    }

    @Test func relaxedDurabilityStillRecordsEverything() async throws {
        try await GatewayHarness.run(configure: { $0.store.durability = .relaxed }) { h in
            var ids: [String] = []
            for _ in 0..<20 { ids.append(try #require(try await h.send(.POST, "/v1/chat/completions", body: GatewayHarness.chatBody()).decisionID)) }
            for id in ids { #expect(try await h.record(id) != nil) }
        }
    }
}
