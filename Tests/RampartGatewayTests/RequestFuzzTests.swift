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
                let rewritten = OpenAIAdapter.rewrite(parsed.body, model: nil, includeUsage: false)
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

    /// Classifier routes: mutants of a KServe v2 infer body are parsed into a tensor the model accepts or refused with a
    /// 400; mutants of a remote server's answer are read or refused with a 502 — never a crash.
    @Test(arguments: [31, 32] as [UInt64])
    func inferBodiesAndRemoteAnswersSurviveMutants(seed: UInt64) async throws {
        let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/models")
        var route = RouteConfig(name: "digits", kind: .model, upstream: "")
        let config = ClassifierConfig(model: models.appendingPathComponent("digits_mlp.onnx").path, inputRanges: ["X": 0...1])
        route.classifier = config
        let served = try ServedModel(route: route, config: config)
        let signature = try await served.signature()
        let row = (0..<64).map { "0.\($0 % 10)" }.joined(separator: ",")
        let body = #"{"id":"x","inputs":[{"name":"X","shape":[2,64],"datatype":"FP32","data":[\#(row),\#(row)]}]}"#
        let answer = #"{"model_name":"m","outputs":[{"name":"label","datatype":"INT64","shape":[2],"data":[3,4]},{"name":"p","datatype":"FP32","shape":[2,2],"data":[0.5,0.5,0.1,0.9]}]}"#
        var rng = SeededRandom(seed: seed)
        var parsed = 0
        for _ in 0..<1500 {
            do {
                let request = try served.decodeRequest(ByteBuffer(bytes: Self.mutate(body, &rng)), signature: signature)
                #expect(request.tensor.shape.count == 2 && request.tensor.shape[1] == 64 && request.rows == request.tensor.shape[0])
                #expect(request.tensor.data.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
                parsed += 1
            } catch {
                #expect(error.status == .badRequest && !error.message.isEmpty)
            }
            do {
                _ = try ServedModel.outputs(ByteBuffer(bytes: Self.mutate(answer, &rng)), route: route)
            } catch {
                #expect(error.status == .badGateway)
            }
        }
        #expect(parsed > 0)
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
