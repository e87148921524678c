// The classifier routes' costs (targets: monitors add ≤ 20 µs per query; the native runtime at batch 1).
// Queries are the recorded streams of Tests/RampartMLTests/Fixtures/streams (benign digits, and HopSkipJump's near-copies),
// fed to one client's state as the gateway does: the evasion monitor hashes a query and looks its hashes up; the
// extraction monitor (PRADA) finds the nearest earlier query of the same class and recomputes Shapiro–Wilk's W.
import Benchmark
import Foundation
import RampartML
import RampartONNX

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

struct Stream: Decodable { var queries: [[Float]] }

func stream(_ name: String) -> [[Float]] {
    let url = root.appendingPathComponent("Tests/RampartMLTests/Fixtures/streams/\(name).json")
    return try! JSONDecoder().decode(Stream.self, from: Data(contentsOf: url)).queries
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(5), maxIterations: 100_000)
    BLAS.setThreads(1)
    let benign = stream("benign_1") + stream("benign_2")
    let attack = stream("hopskipjump")
    let hashing = QueryHashDetector(.init())
    let prada = PRADADetector(.init())

    for (name, queries) in [("benign digits", benign), ("HopSkipJump", attack)] {
        // A client that has already sent the whole stream: the history is warm, as for a long-lived client.
        var warmHistory = QueryHashDetector.History()
        var warmPRADA = PRADADetector.State()
        for (i, q) in queries.enumerated() {
            _ = warmHistory.observe(hashing.signature(q[...]), history: 1000)
            _ = warmPRADA.observe(q[...], label: i % 10, parameters: prada.parameters)
        }
        Benchmark("evasion monitor · per query, \(name)") { benchmark in
            var history = warmHistory
            for i in benchmark.scaledIterations {
                blackHole(history.observe(hashing.signature(queries[i % queries.count][...]), history: 1000))
            }
        }
        Benchmark("extraction monitor (PRADA) · per query, \(name)") { benchmark in
            var state = warmPRADA
            for i in benchmark.scaledIterations {
                blackHole(state.observe(queries[i % queries.count][...], label: i % 10, parameters: prada.parameters))
            }
        }
    }

    let graph = try! ONNXGraph(ONNXModel.load(path: root.appendingPathComponent("examples/models/digits_mlp.onnx").path))
    let one = try! Tensor(shape: [1, 64], data: benign[0])
    Benchmark("digits MLP · native runtime, batch 1 (all outputs)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! graph.run(["X": .floats(one)])) }
    }
}
