import Foundation
import Hummingbird
import Logging
import NIOCore
import RampartCore
import RampartML
@testable import RampartProbe
import ServiceLifecycle
import Synchronization
import Testing

/// The HTTP targets against a KServe v2 server on loopback that runs the bundled digits MLP (a stand-in for a
/// third-party model server such as MLServer or Triton, which Rampart does not ship), including its failures:
/// transient 503s, 429 with `Retry-After`, refusals, a closed port, and a metadata shape that does not fit the data.
@Suite("HTTP targets")
struct HTTPTargetTests {
    @Test func kserveReadsTheShapeAndAnswersAsTheModelDoes() async throws {
        try await ModelServer.run { server in
            let target = try await KServeTarget(url: "http://127.0.0.1:\(server.port)/v2/models/digits")
            #expect(target.features == 64 && target.model == "digits")
            let (local, x, _) = try BlackBoxEvasionTests.digits()
            let rows = try Tensor(shape: [20, 64], data: x.prefix(20).flatMap { $0 })
            let remote = try await target.answer(rows), direct = try await local.answer(rows)
            #expect(remote.labels == direct.labels && remote.kind == .probabilities)
            let p = try #require(remote.probabilities), q = try #require(direct.probabilities)
            #expect(zip(p.data, q.data).allSatisfy { abs($0 - $1) < 1e-6 })
        }
    }

    @Test func transientFailuresAreRetriedAndRetryAfterIsHonoured() async throws {
        try await ModelServer.run { server in
            let target = try await KServeTarget(url: "http://127.0.0.1:\(server.port)/v2/models/digits/infer")
            server.script([503, 502, 429])
            let rows = try Tensor(shape: [1, 64], data: [Float](repeating: 0, count: 64))
            let answer = try await target.answer(rows)
            #expect(answer.labels.count == 1)
            #expect(target.statistics.retries == 2 && target.statistics.throttled == 1)
            // A server that asks to wait longer than the probe accepts (a spent daily quota) ends the attack.
            server.script([4290])
            await #expect(throws: ProbeError.refused(status: 429, code: "insufficient_quota",
                                                     message: "daily quota spent (it asks to wait 3600.0 s; at most 120.0 s in all is accepted)")) {
                try await target.answer(rows)
            }
            // Any other 4xx is the target's decision, not a transient failure.
            server.script([403])
            await #expect(throws: ProbeError.refused(status: 403, code: "evasion_suspected", message: "blocked by the monitor")) {
                try await target.answer(rows)
            }
        }
    }

    /// Answers a hostile or broken server could give: each is an error naming what was wrong, never a trap or a hang.
    @Test func malformedAnswersAndEndlessThrottlingAreErrors() async throws {
        try await ModelServer.run { server in
            let target = try await KServeTarget(url: "http://127.0.0.1:\(server.port)/v2/models/digits", classes: 10)
            let bodies = [
                #"{"outputs":[{"name":"top_k_labels","datatype":"INT64","shape":[1,3],"data":[1,2,3]},{"name":"top_k_scores","datatype":"FP32","shape":[1,1],"data":[0.5]}]}"#,
                #"{"outputs":[{"name":"label","datatype":"INT64","shape":[4611686018427387905,4],"data":[1,2,3,4]}]}"#,
                #"{"outputs":[{"name":"label","datatype":"INT64","shape":[2],"data":[1,2]}]}"#,
                #"{"outputs":[{"name":"probabilities","datatype":"FP32","shape":[1,2],"data":["x",1]}]}"#,
                "not json",
            ]
            for body in bodies {
                #expect(throws: ProbeError.self) { try target.read(ByteBuffer(string: body), rows: 1) }
            }
            await #expect(throws: ProbeError.self) { try await KServeTarget(url: "http://127.0.0.1:\(server.port)/v2/models/digits", classes: -3) }
            // `Retry-After: 0` forever: the transport backs off anyway and gives up within its patience.
            let impatient = try await KServeTarget(url: "http://127.0.0.1:\(server.port)/v2/models/digits", options: HTTPOptions(maxRetryWait: .seconds(1)))
            server.script([Int](repeating: 429, count: 1000))
            do {
                _ = try await impatient.answer(try Tensor(shape: [1, 64], data: [Float](repeating: 0, count: 64)))
                Issue.record("endless 429s were answered")
            } catch let error as ProbeError {
                guard case .refused(429, _, _) = error else { Issue.record("\(error)"); return }
            }
            #expect(server.requests < 20)
        }
        // A token with a stray newline is refused by name, and never shown.
        let config = Campaign.TargetConfig(name: "gateway", url: "http://127.0.0.1:9/v2/models/digits", bearerEnv: "KEY")
        do {
            _ = try await Campaign.connect(config, environment: ["KEY": "rk_secret_token\n"])
            Issue.record("a token with a newline was accepted")
        } catch {
            #expect(error.description.contains("KEY") && !error.description.contains("rk_secret_token"))
        }
        #expect(MembershipInference.roc([.nan, 1, .nan, 0], [true, false, true, false]).auc.isFinite)
        let shown = Campaign.display("http://user:pw@host/v2/models/m?api_key=x")
        #expect(!shown.contains("pw") && !shown.contains("api_key=x") && shown.contains("host/v2/models/m"))
    }

    @Test func unreachableTargetsFailCleanly() async throws {
        let port = try await ModelServer.run { $0.port }   // bound, then closed
        let options = HTTPOptions(retries: 1)
        do {
            _ = try await KServeTarget(url: "http://127.0.0.1:\(port)/v2/models/digits", options: options)
            Issue.record("connecting to a closed port succeeded")
        } catch {
            #expect(error.description.contains("cannot reach http://127.0.0.1:\(port)/v2/models/digits after 2 attempts"))
        }
        await #expect(throws: ProbeError.self) { try await KServeTarget(url: "ftp://example/v2/models/x") }
        await #expect(throws: ProbeError.self) { try await KServeTarget(url: "http://127.0.0.1:\(port)/predict") }
    }

    @Test func aShapeThatDoesNotFitTheDataIsRefused() async throws {
        try await ModelServer.run(declaredWidth: 10) { server in
            let target = try await KServeTarget(url: "http://127.0.0.1:\(server.port)/v2/models/digits")
            let (_, x, y) = try BlackBoxEvasionTests.digits()
            await #expect(throws: ProbeError.unsuitableTarget("row 0 has 64 values; the target takes 10")) {
                try await BlackBoxEvasion.run(.hopSkipJump(HopSkipJump()), target: target, x: x, labels: y, limit: 1, budget: 100, seed: 0)
            }
        }
    }

    @Test func genericJSONTargetsInBatchAndRowMode() async throws {
        try await ModelServer.run { server in
            let (local, x, _) = try BlackBoxEvasionTests.digits()
            let rows = try Tensor(shape: [5, 64], data: x.prefix(5).flatMap { $0 })
            let expected = try await local.answer(rows)
            let batch = try JSONTarget(url: "http://127.0.0.1:\(server.port)/predict", features: 64, template: #"{"instances": "{{rows}}"}"#,
                                       labels: "$.predictions[*].label", probabilities: "$.predictions[*].scores")
            let single = try JSONTarget(url: "http://127.0.0.1:\(server.port)/predict-one", features: 64, template: #"{"features": "{{row}}"}"#,
                                        labels: nil, probabilities: "$['scores']")
            for target in [batch, single] {
                let answer = try await target.answer(rows)
                #expect(answer.labels == expected.labels && answer.kind == .probabilities)
            }
            #expect(throws: ProbeError.self) { try JSONTarget(url: "http://x/", features: 64, template: #"{"a": 1}"#, labels: "$.l", probabilities: nil) }
            #expect(throws: ProbeError.self) { try JSONTarget(url: "http://x/", features: 64, template: #"{"a": "{{rows}}""#, labels: "$.l", probabilities: nil) }
            #expect(throws: ProbeError.self) { try JSONPath("predictions[0]") }
            #expect(throws: ProbeError.self) { try JSONPath("$.a[x]") }
        }
    }

    /// Decision-based evasion over HTTP: many rows' queries share requests, and a refusal mid-attack (the gateway's
    /// monitor blocking the client) stops that row's attack and is reported, not thrown.
    @Test func evasionOverHTTPBatchesAndReportsRefusals() async throws {
        try await ModelServer.run { server in
            let target = try await KServeTarget(url: "http://127.0.0.1:\(server.port)/v2/models/digits")
            let (_, x, y) = try BlackBoxEvasionTests.digits()
            let report = try await BlackBoxEvasion.run(.hopSkipJump(HopSkipJump()), target: target, x: x, labels: y, limit: 4, budget: 600, seed: 3)
            #expect(report.successRate == 1 && report.samples.allSatisfy { $0.queries <= 600 })
            #expect(report.requests < report.rows / 4, "\(report.rows) rows in \(report.requests) requests")
            server.blockAfter(server.requests + 3)
            let blocked = try await BlackBoxEvasion.run(.hopSkipJump(HopSkipJump()), target: target, x: x, labels: y, limit: 4, budget: 600, seed: 3)
            #expect(blocked.refusedRate == 1 && blocked.verifiedSuccessRate == 0)
            #expect(blocked.samples.allSatisfy { $0.refused?.contains("evasion_suspected") == true })
        }
    }
}

/// A KServe v2 model server on loopback for the bundled digits MLP, plus a generic JSON API over the same model.
final class ModelServer: Sendable {
    let port: Int
    private let state = Mutex<(script: [Int], requests: Int, blockAfter: Int)>(([], 0, .max))

    init(port: Int) { self.port = port }

    var requests: Int { state.withLock { $0.requests } }
    /// Statuses to answer the next requests with, in order (4290: 429 asking for an hour).
    func script(_ statuses: [Int]) { state.withLock { $0.script = statuses } }
    /// Refuse every request from the `n`-th on with 403, as Rampart's evasion monitor does.
    func blockAfter(_ n: Int) { state.withLock { $0.blockAfter = n } }

    static func run<T>(declaredWidth: Int = 64, _ body: (ModelServer) async throws -> T) async throws -> T {
        let model = try LocalModelTarget(path: WhiteBoxEvasionTests.models.appendingPathComponent("digits_mlp.onnx").path)
        let ports = AsyncStream<Int>.makeStream()
        let holder = Mutex<ModelServer?>(nil)
        let router = Router()
        router.get("/v2/models/digits") { _, _ in
            ModelServer.json(.ok, #"{"name":"digits","versions":["1"],"platform":"onnx","inputs":[{"name":"X","datatype":"FP32","shape":[-1,\#(declaredWidth)]}],"outputs":[{"name":"label","datatype":"INT64","shape":[-1]},{"name":"probabilities","datatype":"FP32","shape":[-1,10]}]}"#)
        }
        router.post("/v2/models/digits/infer") { request, context in
            let server = holder.withLock { $0 }!
            if let refusal = server.refusal() { return refusal }
            let body = try await request.body.collect(upTo: 1 << 24)
            let json = try JSONValue.parse(body.readableBytesView)
            let input = json["inputs"]!.arrayValue![0]
            let shape = input["shape"]!.arrayValue!.compactMap(\.intValue)
            let data = input["data"]!.arrayValue!.map { value -> Float in if case .number(let t) = value { Float(t)! } else { .nan } }
            let answer = try await model.answer(try Tensor(shape: shape, data: data))
            let n = shape[0]
            return ModelServer.json(.ok, #"{"model_name":"digits","outputs":[{"name":"label","datatype":"INT64","shape":[\#(n)],"data":[\#(answer.labels.map(String.init).joined(separator: ","))]},{"name":"probabilities","datatype":"FP32","shape":[\#(n),10],"data":[\#(answer.probabilities!.data.map { "\($0)" }.joined(separator: ","))]}]}"#)
        }
        router.post("/predict") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 24)
            let rows = try JSONValue.parse(body.readableBytesView)["instances"]!.arrayValue!.map { $0.arrayValue!.map { value -> Float in if case .number(let t) = value { Float(t)! } else { .nan } } }
            let answer = try await model.answer(try Tensor(shape: [rows.count, 64], data: rows.flatMap { $0 }))
            let predictions = (0..<rows.count).map { r in
                #"{"label":\#(answer.labels[r]),"scores":[\#(answer.probabilities!.data[(r * 10)..<((r + 1) * 10)].map { "\($0)" }.joined(separator: ","))]}"#
            }
            return ModelServer.json(.ok, #"{"predictions":[\#(predictions.joined(separator: ","))]}"#)
        }
        router.post("/predict-one") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 24)
            let row = try JSONValue.parse(body.readableBytesView)["features"]!.arrayValue!.map { value -> Float in if case .number(let t) = value { Float(t)! } else { .nan } }
            let answer = try await model.answer(try Tensor(shape: [1, 64], data: row))
            return ModelServer.json(.ok, #"{"scores":[\#(answer.probabilities!.data.map { "\($0)" }.joined(separator: ","))]}"#)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in ports.continuation.yield(channel.localAddress?.port ?? 0) })
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "model-server")))
        let task = Task { try await group.run() }
        var iterator = ports.stream.makeAsyncIterator()
        let server = ModelServer(port: await iterator.next() ?? 0)
        holder.withLock { $0 = server }
        let result: Result<T, any Error>
        do { result = .success(try await body(server)) } catch { result = .failure(error) }
        await group.triggerGracefulShutdown()
        try? await task.value
        return try result.get()
    }

    /// The scripted or blocking answer for this request, if any.
    private func refusal() -> Response? {
        let status: Int? = state.withLock { state in
            state.requests += 1
            if !state.script.isEmpty { return state.script.removeFirst() }
            return state.requests > state.blockAfter ? 403 : nil
        }
        switch status {
        case nil: return nil
        case 4290?:
            var response = Self.json(.tooManyRequests, #"{"error":"daily quota spent","code":"insufficient_quota"}"#)
            response.headers[.retryAfter] = "3600"
            return response
        case 429?:
            var response = Self.json(.tooManyRequests, #"{"error":"slow down","code":"rate_limited"}"#)
            response.headers[.retryAfter] = "0"
            return response
        case 403?: return Self.json(.forbidden, #"{"error":"blocked by the monitor","code":"evasion_suspected"}"#)
        case let code?: return Self.json(.init(code: code), #"{"error":"unavailable"}"#)
        }
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
