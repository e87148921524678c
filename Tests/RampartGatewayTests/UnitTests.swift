import Foundation
import NIOCore
import RampartCore
import RampartStore
import Testing
@testable import RampartGateway

@Suite struct ServerSentEventSplitterTests {
    @Test func splitsEventsAcrossArbitraryChunkBoundaries() throws {
        let stream = "data: {\"a\":1}\n\ndata: two\r\n\r\n: comment\ndata: x\ndata: y\n\ndata: [DONE]\n\n"
        let bytes = Array(stream.utf8)
        for size in 1...bytes.count {
            var splitter = ServerSentEventSplitter()
            var events: [[UInt8]] = []
            var i = 0
            while i < bytes.count {
                events += try splitter.feed(bytes[i..<min(i + size, bytes.count)])
                i += size
            }
            #expect(events.count == 4, "chunk size \(size)")
            #expect(events.flatMap { $0 } == bytes)
            #expect(splitter.remainder.isEmpty)
            #expect(events.map { ServerSentEventSplitter.data(of: $0).map { String(decoding: $0, as: UTF8.self) } } ==
                    [#"{"a":1}"#, "two", "x\ny", "[DONE]"])
        }
    }

    @Test func oversizedEventIsAnError() {
        var splitter = ServerSentEventSplitter(maxEventBytes: 100)
        #expect(throws: SSEError.self) { _ = try splitter.feed(Array(("data: " + String(repeating: "x", count: 200)).utf8)) }
    }

    @Test func usageTrackerReadsChunks() {
        var tracker = StreamUsageTracker()
        #expect(tracker.observe(data: Array(#"{"choices":[{"delta":{"content":"hello"}}]}"#.utf8)) == .other)
        #expect(tracker.observe(data: Array(#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#.utf8)) == .usageOnly)
        #expect(tracker.observe(data: Array("[DONE]".utf8)) == .done)
        #expect(tracker.usage == TokenUsage(promptTokens: 3, completionTokens: 2))
        #expect(tracker.completionCharacters == 5)
    }
}

@Suite struct InMemoryRateLimiterTests {
    let subject = LimitSubject(keyID: "k", route: "r")

    @Test func tokenBucketRefillsAtItsRate() {
        let limiter = InMemoryRateLimiter()
        let limits = RouteLimits(ratePerSecond: 2, burst: 3)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        #expect((0..<3).allSatisfy { _ in limiter.admit(subject, limits: limits, now: t0) == .admitted })
        #expect(limiter.admit(subject, limits: limits, now: t0) == .refused(reason: .rateLimited, retryAfterSeconds: 1))
        #expect(limiter.admit(subject, limits: limits, now: t0.addingTimeInterval(0.5)) == .admitted)
        #expect(limiter.admit(subject, limits: limits, now: t0.addingTimeInterval(0.5)) != .admitted)
        // Other keys and routes have their own buckets.
        #expect(limiter.admit(LimitSubject(keyID: "k2", route: "r"), limits: limits, now: t0) == .admitted)
    }

    @Test func dailyQuotasResetAtUTCMidnight() {
        let limiter = InMemoryRateLimiter()
        let limits = RouteLimits(requestsPerDay: 1, tokensPerDay: 100)
        let day = Date(timeIntervalSince1970: 86_400 * 20_000 + 3600)
        #expect(limiter.admit(subject, limits: limits, now: day) == .admitted)
        #expect(limiter.admit(subject, limits: limits, now: day) == .refused(reason: .dailyRequestsExhausted, retryAfterSeconds: 82_800))
        #expect(limiter.admit(subject, limits: limits, now: day.addingTimeInterval(82_800)) == .admitted)
        let tokens = RouteLimits(tokensPerDay: 100)
        let other = LimitSubject(keyID: "t", route: "r")
        #expect(limiter.admit(other, limits: tokens, now: day) == .admitted)
        limiter.recordUsage(other, tokens: 100, now: day)
        if case .refused(let reason, _) = limiter.admit(other, limits: tokens, now: day) { #expect(reason == .dailyTokensExhausted) } else {
            Issue.record("expected refusal")
        }
    }

    @Test func seededUsageCounts() {
        let limiter = InMemoryRateLimiter()
        let now = Date()
        limiter.seed([UsageTotal(keyID: "k", route: "r", requests: 5, tokens: 0)], day: now)
        #expect(limiter.admit(subject, limits: RouteLimits(requestsPerDay: 5), now: now) != .admitted)
        #expect(limiter.admit(subject, limits: RouteLimits(requestsPerDay: 6), now: now) == .admitted)
    }
}

@Suite struct RouteTableTests {
    @Test func selection() throws {
        let table = RouteTable(routes: [
            RouteConfig(name: "a", upstream: "http://a/v1", models: ["gpt-4o"]),
            RouteConfig(name: "b", upstream: "http://b/v1", models: ["gpt-*"]),
            RouteConfig(name: "c", upstream: "http://c/v1"),
        ])
        #expect(table.select(model: "gpt-4o")?.route.name == "a")
        #expect(table.select(model: "gpt-4o-mini")?.route.name == "b")
        #expect(table.select(model: "llama3")?.route.name == "c")
        let prefixed = try #require(table.select(model: "a/anything"))
        #expect(prefixed.route.name == "a" && prefixed.upstreamModel == "anything")
        #expect(table.select(model: "zz/model")?.route.name == "c")
        #expect(RouteTable(routes: [RouteConfig(name: "a", upstream: "http://a/v1", models: ["x"])]).select(model: "y") == nil)
    }

    @Test func rewriteSetsModelAndUsage() throws {
        let text = #"{"model":"a/m","messages":[{"role":"user","content":"hi \u00e9\n"}],"temperature":0.70,"stream":true,"n":1e2}"#
        let parsed = try ChatCompletionRequest.parse(ByteBuffer(string: text))
        let rewritten = OpenAIAdapter.rewrite(parsed.body, model: "m", includeUsage: true)
        // Every other member keeps its place and its exact text.
        #expect(String(buffer: rewritten) ==
                #"{"model":"m","messages":[{"role":"user","content":"hi é\n"}],"temperature":0.70,"stream":true,"n":1e2,"stream_options":{"include_usage":true}}"#)
        let again = OpenAIAdapter.rewrite(try ChatCompletionRequest.parse(ByteBuffer(string: #"{"model":"x","messages":[{"role":"user"}],"stream_options":{"include_usage":false,"k":1}}"#)).body,
                                        model: nil, includeUsage: true)
        #expect(String(buffer: again) == #"{"model":"x","messages":[{"role":"user"}],"stream_options":{"include_usage":true,"k":1}}"#)
    }
}
