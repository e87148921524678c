import Foundation
import RampartCore
import RampartLedger
import RampartStore
import RampartStoreTesting
import Testing

/// KServe v2 classifier routes (`kind: model`) on a real gateway: the bundled digits MLP and breast-cancer model,
/// metadata and readiness, inference that matches scikit-learn's labels, every confidence policy, every bad input
/// (400 naming the tensor and index), keys, limits and decision records.
@Suite(.serialized) struct ClassifierRouteTests {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/models")

    struct TestSet: Decodable {
        var inputs: [[Float]]
        var sklearn_labels: [Int]
    }

    static func testSet(_ name: String) throws -> TestSet {
        try JSONDecoder().decode(TestSet.self, from: Data(contentsOf: models.appendingPathComponent("\(name).test.json")))
    }

    static func route(_ name: String, file: String, confidence: ClassifierConfig.Confidence, ranges: [String: ClosedRange<Double>] = [:],
                      limits: RouteLimits = .init()) -> RouteConfig {
        var route = RouteConfig(name: name, kind: .model, upstream: "", limits: limits)
        route.classifier = ClassifierConfig(model: models.appendingPathComponent(file).path, inputRanges: ranges, confidence: confidence)
        return route
    }

    static func inferBody(_ rows: [[Float]], name: String = "X", id: String? = nil) -> String {
        let data = rows.flatMap { $0 }.map { "\($0)" }.joined(separator: ",")
        return #"{\#(id.map { #""id":"\#($0)","# } ?? "")"inputs":[{"name":"\#(name)","shape":[\#(rows.count),\#(rows.first?.count ?? 0)],"datatype":"FP32","data":[\#(data)]}]}"#
    }

    static func outputs(_ reply: GatewayHarness.Reply) -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for item in reply.json["outputs"] as? [[String: Any]] ?? [] { out[item["name"] as? String ?? ""] = item }
        return out
    }

    static let routes = [
        route("digits", file: "digits_mlp.onnx", confidence: .label, ranges: ["X": 0...1]),
        route("digits-full", file: "digits_mlp.onnx", confidence: .full),
        route("digits-top3", file: "digits_mlp.onnx", confidence: .topK(3)),
        route("digits-round", file: "digits_mlp.onnx", confidence: .round(1)),
        route("cancer", file: "breast_cancer_logreg.onnx", confidence: .full, limits: .init(ratePerSecond: 1, burst: 3)),
    ]

    @Test func metadataReadyAndInferenceMatchScikitLearn() async throws {
        let digits = try Self.testSet("digits_mlp")
        try await GatewayHarness.run(routes: Self.routes, keyRoutes: ["*"]) { h in
            let metadata = try await h.send(.GET, "/v2/models/digits")
            #expect(metadata.status == 200)
            #expect(metadata.json["name"] as? String == "digits" && metadata.json["platform"] as? String == "onnx")
            let inputs = try #require(metadata.json["inputs"] as? [[String: Any]])
            #expect(inputs.first?["name"] as? String == "X" && inputs.first?["datatype"] as? String == "FP32" && inputs.first?["shape"] as? [Int] == [-1, 64])
            #expect((metadata.json["outputs"] as? [[String: Any]])?.map { $0["name"] as? String } == ["output_label"])
            let ready = try await h.send(.GET, "/v2/models/digits/ready")
            #expect(ready.status == 200 && ready.json["ready"] as? Bool == true)
            #expect(try await h.send(.GET, "/v2/health/live").status == 200)

            let reply = try await h.send(.POST, "/v2/models/digits/infer", body: Self.inferBody(digits.inputs, id: "req-7"))
            #expect(reply.status == 200, "\(reply.body)")
            #expect(reply.json["model_name"] as? String == "digits" && reply.json["id"] as? String == "req-7")
            let label = try #require(Self.outputs(reply)["output_label"])
            #expect(label["datatype"] as? String == "INT64" && label["shape"] as? [Int] == [digits.inputs.count])
            #expect(label["data"] as? [Int] == digits.sklearn_labels)
            // Label only: no scores leave the gateway.
            #expect(Self.outputs(reply).count == 1)
            let record = try #require(try await h.record(reply.decisionID))
            #expect(record.route == "digits" && record.verdict == .allowed && record.status == 200 && record.usage?.totalTokens == digits.inputs.count)
            #expect(record.endpoint == "/v2/models/digits/infer" && record.requestSHA256 != nil && record.responseSHA256 != nil)

            // Nested data in the tensor's shape is accepted too.
            let nested = #"{"inputs":[{"name":"X","shape":[1,64],"datatype":"FP32","data":[[\#(digits.inputs[0].map { "\($0)" }.joined(separator: ","))]]}]}"#
            let one = try await h.send(.POST, "/v2/models/digits/infer", body: nested)
            #expect(Self.outputs(one)["output_label"]?["data"] as? [Int] == [digits.sklearn_labels[0]])
        }
    }

    @Test func eachConfidencePolicyRevealsWhatItSays() async throws {
        let digits = try Self.testSet("digits_mlp")
        let rows = Array(digits.inputs.prefix(4))
        try await GatewayHarness.run(routes: Self.routes, keyRoutes: ["*"]) { h in
            let full = Self.outputs(try await h.send(.POST, "/v2/models/digits-full/infer", body: Self.inferBody(rows)))
            let probabilities = try #require(full["output_probability"]?["data"] as? [Double])
            #expect(full["output_probability"]?["shape"] as? [Int] == [4, 10])
            for r in 0..<4 { #expect(abs(probabilities[(r * 10)..<(r * 10 + 10)].reduce(0, +) - 1) < 1e-4) }

            let top = Self.outputs(try await h.send(.POST, "/v2/models/digits-top3/infer", body: Self.inferBody(rows)))
            let topScores = try #require(top["top_k_scores"]?["data"] as? [Double])
            let topLabels = try #require(top["top_k_labels"]?["data"] as? [Int])
            #expect(top["top_k_scores"]?["shape"] as? [Int] == [4, 3] && top["output_probability"] == nil)
            for r in 0..<4 {
                let row = Array(probabilities[(r * 10)..<(r * 10 + 10)])
                let expected = row.indices.sorted { row[$0] > row[$1] }.prefix(3)
                #expect(Array(topLabels[(r * 3)..<(r * 3 + 3)]) == Array(expected))
                #expect(topLabels[r * 3] == digits.sklearn_labels[r])
                #expect(abs(topScores[r * 3] - row[expected.first!]) < 1e-6)
                #expect(topScores[r * 3] >= topScores[r * 3 + 1] && topScores[r * 3 + 1] >= topScores[r * 3 + 2])
            }

            let rounded = Self.outputs(try await h.send(.POST, "/v2/models/digits-round/infer", body: Self.inferBody(rows)))
            let coarse = try #require(rounded["output_probability"]?["data"] as? [Double])
            #expect(coarse.count == 40)
            for (value, exact) in zip(coarse, probabilities) {
                #expect(abs(value * 10 - (value * 10).rounded()) < 1e-4, "\(value) has more than one decimal")
                #expect(abs(value - exact) <= 0.05 + 1e-6)
            }
        }
    }

    @Test func badInputsAreRefusedNamingTheTensorAndIndex() async throws {
        let digits = try Self.testSet("digits_mlp")
        let good = digits.inputs[0].map { "\($0)" }.joined(separator: ",")
        try await GatewayHarness.run(routes: Self.routes, keyRoutes: ["*"]) { h in
            let cases: [(String, Int, String, String)] = [
                ("{", 400, "invalid_json", "not valid JSON"),
                (#"{"inputs":[]}"#, 400, "invalid_request", "`inputs`"),
                (#"{"inputs":[{"name":"Y","shape":[1,64],"datatype":"FP32","data":[\#(good)]}]}"#, 400, "invalid_input", "no input `Y`"),
                (#"{"inputs":[{"name":"X","shape":[1,64],"datatype":"INT8","data":[\#(good)]}]}"#, 400, "invalid_input", "datatype"),
                (#"{"inputs":[{"name":"X","shape":[1,63],"datatype":"FP32","data":[\#(good)]}]}"#, 400, "invalid_shape", "dimension 1 is 63, the model declares 64"),
                (#"{"inputs":[{"name":"X","shape":[64],"datatype":"FP32","data":[\#(good)]}]}"#, 400, "invalid_shape", "rank 2"),
                (#"{"inputs":[{"name":"X","shape":[2,64],"datatype":"FP32","data":[\#(good)]}]}"#, 400, "invalid_shape", "holds 128 values, `data` has 64"),
                (#"{"inputs":[{"name":"X","shape":[1,64],"datatype":"FP32","data":[\#(good.replacingOccurrences(of: "0.0,", with: "\"a\",", options: [], range: good.range(of: "0.0,")))]}]}"#,
                 400, "invalid_value", "is not a number"),
                (#"{"inputs":[{"name":"X","shape":[1,64],"datatype":"FP32","data":[1e39\#(String(good.drop { $0 != "," }))]}]}"#, 400, "invalid_value",
                 "value at index 0 [0, 0] is not finite"),
                (#"{"inputs":[{"name":"X","shape":[1,64],"datatype":"FP32","data":[\#(String(good.reversed().drop { $0 != "," }.reversed()))-0.5]}]}"#, 400,
                 "out_of_range", "index 63 [0, 63] is outside the declared range"),
            ]
            for (body, status, code, message) in cases {
                let reply = try await h.send(.POST, "/v2/models/digits/infer", body: body)
                #expect(reply.status == status, "\(code): \(reply.body)")
                #expect(reply.json["code"] as? String == code, "\(reply.body)")
                #expect((reply.json["error"] as? String)?.contains(message) == true, "\(message) in \(reply.body)")
                let record = try #require(try await h.record(reply.decisionID))
                #expect(record.verdict == .refused && record.reason == code)
            }
            let unknown = try await h.send(.POST, "/v2/models/nope/infer", body: Self.inferBody([digits.inputs[0]]))
            #expect(unknown.status == 404 && unknown.json["code"] as? String == "model_not_found")
            let anonymous = try await h.send(.GET, "/v2/models/digits", key: .some(nil))
            #expect(anonymous.status == 401 && anonymous.json["code"] as? String == "missing_api_key")
        }
    }

    @Test func consentAppliesAsOnLLMRoutes() async throws {
        let digits = try Self.testSet("digits_mlp")
        var route = Self.route("digits", file: "digits_mlp.onnx", confidence: .label)
        route.purpose = "support"
        try await GatewayHarness.run(routes: [route], keyRoutes: ["*"], configure: { $0.purposes = ConsentTests.purposes }) { h in
            let body = Self.inferBody([digits.inputs[0]])
            let anonymous = try await h.send(.POST, "/v2/models/digits/infer", body: body)
            #expect(anonymous.status == 403 && anonymous.json["code"] as? String == "subject_required")
            let before = try await h.send(.POST, "/v2/models/digits/infer", body: body, headers: [("Rampart-Subject", "u-7")])
            #expect(before.status == 403 && before.json["code"] as? String == "consent_required")
            let ledger = try await Ledger.open(store: h.store, origin: "test/ledger", signingKey: nil)
            try await ledger.giveConsent(ConsentRequest(subject: "u-7", purpose: "support"), purposes: ConsentTests.purposes)
            let served = try await ConsentTests.eventually {
                try await h.send(.POST, "/v2/models/digits/infer", body: body, headers: [("Rampart-Subject", "u-7")])
            }
            #expect(served.status == 200)
            let record = try #require(try await h.record(served.decisionID))
            #expect(record.subject == "u-7" && record.purpose == "support" && record.verdict == .allowed)
        }
    }

    @Test func keysAndLimitsApplyAsOnLLMRoutes() async throws {
        let cancer = try Self.testSet("breast_cancer_logreg")
        try await GatewayHarness.run(routes: Self.routes, keyRoutes: ["digits"]) { h in
            let refused = try await h.send(.POST, "/v2/models/cancer/infer", body: Self.inferBody([cancer.inputs[0]]))
            #expect(refused.status == 403 && refused.json["code"] as? String == "route_not_allowed")
        }
        try await GatewayHarness.run(routes: Self.routes, keyRoutes: ["*"]) { h in
            var statuses: [Int] = []
            for _ in 0..<5 { statuses.append(try await h.send(.POST, "/v2/models/cancer/infer", body: Self.inferBody([cancer.inputs[0]])).status) }
            #expect(statuses.prefix(3).allSatisfy { $0 == 200 } && statuses.last == 429)
        }
    }
}

/// The model-access controls on a real gateway: recorded attack streams are refused or flagged with findings in the
/// decision records, benign streams pass, state survives a restart, and smoothing abstains on ambiguous inputs.
@Suite(.serialized) struct ClassifierControlTests {
    static let streams = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RampartMLTests/Fixtures/streams")

    struct Stream: Decodable { var queries: [[Float]] }

    static func stream(_ name: String) throws -> [[Float]] {
        try JSONDecoder().decode(Stream.self, from: Data(contentsOf: streams.appendingPathComponent("\(name).json"))).queries
    }

    static func monitored(evasion: ClassifierConfig.MonitorAction = .block, extraction: ClassifierConfig.MonitorAction = .flag) -> RouteConfig {
        var route = ClassifierRouteTests.route("digits", file: "digits_mlp.onnx", confidence: .label, ranges: ["X": 0...1])
        var e = ClassifierConfig.EvasionMonitor()
        e.action = evasion
        var x = ClassifierConfig.ExtractionMonitor()
        x.action = extraction
        route.classifier?.evasion = e
        route.classifier?.extraction = x
        route.classifier?.monitorPersistSeconds = 0.2
        return route
    }

    @Test func attackStreamsAreStoppedAndBenignOnesPass() async throws {
        try await GatewayHarness.run(routes: [Self.monitored()], keyRoutes: ["*"]) { h in
            // Benign traffic: test digits in random order, with a subject. Nothing is flagged.
            for query in try Self.stream("benign_1").prefix(30) {
                let reply = try await h.send(.POST, "/v2/models/digits/infer", body: ClassifierRouteTests.inferBody([query]),
                                             headers: [("Rampart-Subject", "customer-1")])
                #expect(reply.status == 200, "\(reply.body)")
                let record = try #require(try await h.record(reply.decisionID))
                #expect(record.findings.isEmpty)
            }
            // HopSkipJump's queries, one request each, each under a new subject (a caller cannot buy a clean history by
            // inventing subjects: the key's own history sees every query): refused by the second, the finding recorded.
            var first: Int?
            for (i, query) in try Self.stream("hopskipjump").prefix(10).enumerated() {
                let reply = try await h.send(.POST, "/v2/models/digits/infer", body: ClassifierRouteTests.inferBody([query]),
                                             headers: [("Rampart-Subject", "attacker-\(i)")])
                if reply.status == 403 {
                    first = first ?? i + 1
                    #expect(reply.json["code"] as? String == "evasion_suspected")
                    let record = try #require(try await h.record(reply.decisionID))
                    #expect(record.verdict == .refused && record.findings.contains { $0.guardName == "evasion" && $0.action == "blocked" })
                }
            }
            #expect((first ?? .max) <= 2)
        }
        // Jacobian-based augmentation, with both monitors flagging only (a blocked query never reaches the model, so
        // PRADA never sees it): PRADA flags it, and the answers still go out.
        try await GatewayHarness.run(routes: [Self.monitored(evasion: .flag)], keyRoutes: ["*"]) { h in
            var flaggedAt: Int?
            for (i, query) in try Self.stream("extraction_jbda").prefix(40).enumerated() {
                let reply = try await h.send(.POST, "/v2/models/digits/infer", body: ClassifierRouteTests.inferBody([query]),
                                             headers: [("Rampart-Subject", "extractor")])
                #expect(reply.status == 200)
                let record = try #require(try await h.record(reply.decisionID))
                if record.findings.contains(where: { $0.guardName == "extraction" && $0.action == "flagged" }) { flaggedAt = flaggedAt ?? i + 1 }
            }
            #expect(flaggedAt != nil && flaggedAt! <= 40, "PRADA flagged at \(String(describing: flaggedAt))")
        }
    }

    @Test func monitorStateSurvivesARestart() async throws {
        let location = try TestBackend.sqlite.makeLocation()
        defer { location.remove() }
        let attack = try Self.stream("square")
        try await GatewayHarness.run(routes: [Self.monitored()], keyRoutes: ["*"], location: location) { h in
            let reply = try await h.send(.POST, "/v2/models/digits/infer", body: ClassifierRouteTests.inferBody([attack[0]]))
            #expect(reply.status == 200)
        }
        // The harness keeps its key per run: the restarted gateway sees the same key id only if it is the same key, so
        // check the stored state directly, then that a restarted gateway loads it.
        let store = try await location.open()
        let rows = try await store.monitors.load(route: "digits")
        await store.close()
        #expect(rows.contains { $0.detector == "evasion" } && rows.contains { $0.detector == "extraction" })
        try await GatewayHarness.run(routes: [Self.monitored()], keyRoutes: ["*"], location: location) { h in
            #expect(h.logs.all.contains("monitor state restored"))
        }
    }

    @Test func smoothingAnswersWithAbstentions() async throws {
        var route = ClassifierRouteTests.route("digits", file: "digits_mlp.onnx", confidence: .label)
        route.classifier?.smoothing = .init(sigma: 0.25, samples: 100, alpha: 0.001)
        let test = try ClassifierRouteTests.testSet("digits_mlp")
        try await GatewayHarness.run(routes: [route], keyRoutes: ["*"]) { h in
            let metadata = try await h.send(.GET, "/v2/models/digits")
            #expect((metadata.json["outputs"] as? [[String: Any]])?.contains { $0["name"] as? String == "abstained" } == true)
            let blends = (0..<10).map { i in zip(test.inputs[i], test.inputs[i + 25]).map { ($0 + $1) / 2 } }
            let reply = try await h.send(.POST, "/v2/models/digits/infer", body: ClassifierRouteTests.inferBody(Array(test.inputs.prefix(10)) + blends))
            #expect(reply.status == 200, "\(reply.body)")
            let outputs = ClassifierRouteTests.outputs(reply)
            let labels = try #require(outputs["output_label"]?["data"] as? [Int])
            let abstained = try #require(outputs["abstained"]?["data"] as? [Bool])
            #expect(labels.count == 20 && abstained.count == 20)
            for (label, flag) in zip(labels, abstained) { #expect(flag == (label == -1)) }
            let agreeing = zip(labels.prefix(10), test.sklearn_labels.prefix(10)).filter { $0 == $1 }.count
            #expect(agreeing >= 8, "smoothed labels agree on \(agreeing)/10 test digits")
            #expect(abstained.suffix(10).filter { $0 }.count >= abstained.prefix(10).filter { $0 }.count)
        }
    }
}
