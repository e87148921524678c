import Foundation
import NIOCore
import RampartCore
import Testing
import RampartStoreTesting
@testable import RampartGateway

/// Seeded mutation fuzzing of the parsers that read untrusted bytes: request bodies and upstream event streams.
@Suite struct RequestFuzzTests {
    static let chat = #"{"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"}]}],"stream":true,"stream_options":{"include_usage":false},"temperature":0.2}"#

    static func mutate(_ seed: String, _ rng: inout SeededRandom) -> [UInt8] {
        Mutations.mutate(Array(seed.utf8), rng: &rng)
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func requestParsersAnswerEveryMutantWithAParsedRequestOrA400(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        for _ in 0..<1500 {
            let body = ByteBuffer(bytes: Self.mutate(Self.chat, &rng))
            do {
                let parsed = try ChatCompletionRequest.parse(body)
                #expect(!parsed.model.isEmpty && !parsed.messages.isEmpty)
                // What the gateway re-encodes parses again to the same value.
                let rewritten = OpenAIProxy.rewrite(parsed.body, model: nil, includeUsage: false)
                #expect((try? JSONValue.parse(rewritten.readableBytesView)) == parsed.body)
            } catch {
                #expect(error.status == .badRequest)
                #expect(!error.message.isEmpty)
            }
            do {
                _ = try EmbeddingsRequest.parse(body)
            } catch {
                #expect(error.status == .badRequest)
            }
        }
    }

    @Test func deeplyNestedJSONIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let body = ByteBuffer(string: #"{"model":"m","messages":[{"role":"user","content":\#(deep)}]}"#)
        #expect(throws: GatewayRefusal.self) { _ = try ChatCompletionRequest.parse(body) }
    }

    @Test(arguments: [21, 22] as [UInt64])
    func eventSplitterHandlesMutatedStreams(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let stream = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\r\n\r\ndata: [DONE]\n\n"
        for _ in 0..<1000 {
            let bytes = Self.mutate(stream, &rng)
            var splitter = ServerSentEventSplitter(maxEventBytes: 4096)
            var tracker = StreamUsageTracker()
            var relayed: [UInt8] = []
            var i = 0
            while i < bytes.count {
                let n = Int.random(in: 1...40, using: &rng)
                for event in try splitter.feed(bytes[i..<min(bytes.count, i + n)]) {
                    relayed += event
                    if let data = ServerSentEventSplitter.data(of: event) { _ = tracker.observe(data: data) }
                }
                i += n
            }
            // Nothing is lost or invented: relayed events plus the unfinished tail are the input.
            #expect(relayed + splitter.remainder == bytes)
        }
    }
}
