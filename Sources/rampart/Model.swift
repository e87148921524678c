import ArgumentParser
import Foundation
import RampartCore
import RampartML
import RampartONNX

extension Rampart {
    struct Model: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scan model files for code that runs on load; inspect and run ONNX models.",
            discussion: """
                `scan` judges model files, folders and packages without running them; `sign`, `verify` and `keygen`
                sign models and check them (OpenSSF model signing's key mode) — docs/supply-chain.md; their own exit
                codes are in each one's --help. `info`, `run` and `bench` use the native ONNX runtime
                behind `kind: model` routes (docs/models.md): `info` lists what a model declares and whether every
                operator it uses is supported; `run` computes its outputs for inputs in a JSON file. Their exit
                codes: 0 done, 65 the model or the input is malformed or unsupported, 66 a file cannot be read.
                """,
            subcommands: [ScanCommand.self, SignCommand.self, Verify.self, Keygen.self, BOM.self, Info.self, Run.self, Bench.self])

        struct Info: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show a model's inputs, outputs, opsets and operators, and whether Rampart can run it.",
                discussion: "Example: rampart model info examples/models/digits_mlp.onnx --format json")

            @Argument(help: ArgumentHelp("The .onnx file.", valueName: "model")) var path: String
            @Option(help: "Output format: text or json.") var format: OutputFormat = .text

            struct Report: Encodable {
                var file: String
                var producer: String
                var irVersion: Int64
                var opsets: [String: Int64]
                var inputs: [ONNXModel.Value]
                var outputs: [ONNXModel.Value]
                var operators: [ONNXModel.Operator]
                var parameters: Int
                var runnable: Bool
                var problem: String?
            }

            func run() throws {
                let model = loadModel(path)
                var problem: String?
                do { _ = try ONNXGraph(model) } catch { problem = error.description }
                let report = Report(file: path, producer: model.producer, irVersion: model.irVersion, opsets: model.opsets, inputs: model.inputs,
                                    outputs: model.outputs, operators: model.operators, parameters: model.parameterCount, runnable: problem == nil,
                                    problem: problem)
                if format == .json {
                    CLI.printJSON(report)
                } else {
                    print("\(path): \(model.producer.isEmpty ? "unknown producer" : model.producer), IR \(model.irVersion), \(model.parameterCount) parameters")
                    print("opsets:    " + model.opsets.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                    for input in model.inputs { print("input:     \(input.name)  \(input.type)  [\((input.shape ?? []).joined(separator: ", "))]") }
                    for output in model.outputs { print("output:    \(output.name)  \(output.type)  [\((output.shape ?? []).joined(separator: ", "))]") }
                    print("operators: " + model.operators.map { "\($0.name)\($0.nodes > 1 ? "×\($0.nodes)" : "")\($0.supported ? "" : " (unsupported)")" }.joined(separator: ", "))
                    print(problem.map { "runnable:  no — \($0)" } ?? "runnable:  yes")
                }
                if problem != nil { throw ExitCode(Exit.dataError.rawValue) }
            }
        }

        struct Run: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Compute a model's outputs for the inputs in a JSON file.",
                discussion: """
                    The input file is either a KServe v2 request body —
                      {"inputs": [{"name": "X", "shape": [2, 64], "datatype": "FP32", "data": [...]}]}
                    — or an object from input names to nested lists: {"X": [[0.0, 0.1, ...], ...]}.
                    Example: rampart model run examples/models/digits_mlp.onnx --input examples/models/digits_request.json
                    `--output NAME` (repeatable) computes only those values; it may name values inside the graph.
                    """)

            @Argument(help: ArgumentHelp("The .onnx file.", valueName: "model")) var path: String
            @Option(help: ArgumentHelp("JSON file with the inputs (- for standard input).", valueName: "file")) var input: String
            @Option(name: .customLong("output"), help: ArgumentHelp("A value to compute (default: the graph's outputs).", valueName: "name"))
            var outputs: [String] = []
            @Option(help: "Output format: text or json.") var format: OutputFormat = .json

            func run() throws {
                let model = loadModel(path)
                let graph: ONNXGraph
                do { graph = try ONNXGraph(model) } catch { CLI.fail(error.description, code: Exit.dataError) }
                let data: Data
                if input == "-" {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    guard let read = FileManager.default.contents(atPath: input) else { CLI.fail("cannot read \(input)", code: Exit.noInput) }
                    data = read
                }
                guard data.count <= 256 << 20 else { CLI.fail("\(input) is larger than 256 MiB", code: Exit.dataError) }
                let feeds: [String: ONNXValue]
                do { feeds = try ModelInputs.parse(data, model: model) } catch { CLI.fail("\(input): \(error.description)", code: Exit.dataError) }
                let start = DispatchTime.now().uptimeNanoseconds
                let results: [String: ONNXValue]
                do {
                    results = try graph.run(feeds, outputs: outputs.isEmpty ? nil : outputs)
                } catch {
                    CLI.fail(error.description, code: Exit.dataError)
                }
                let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                let order = outputs.isEmpty ? model.outputs.map(\.name) : outputs
                if format == .json {
                    var json = #"{"model":"# + JSONValue.quote(path) + #","milliseconds":"# + String(format: "%.3f", milliseconds) + #","outputs":{"#
                    json += order.compactMap { name in results[name].map { JSONValue.quote(name) + ":" + ModelInputs.json($0) } }.joined(separator: ",")
                    print(json + "}}")
                } else {
                    for name in order {
                        guard let value = results[name] else { continue }
                        print("\(name)  \(value.typeName)  \(value.shape)  \(ModelInputs.preview(value))")
                    }
                    print(String(format: "%.3f ms", milliseconds))
                }
            }
        }
    }
}

extension Rampart.Model {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure a model's inference throughput in Rampart's native runtime.",
            discussion: """
                Runs the model on batches of the given sizes for `--seconds` each, on one OpenBLAS thread (as `rampart
                serve` does), and prints runs/s and rows/s. Rows come from `--input` (a `rampart model run` input file,
                cycled) or are uniform random in [0, 1). bench/models/run.sh compares the numbers with onnxruntime.
                Example: rampart model bench examples/models/digits_mlp.onnx --batch 1,8,64 --format json
                """)

        @Argument(help: ArgumentHelp("The .onnx file.", valueName: "model")) var path: String
        @Option(help: ArgumentHelp("Batch sizes, comma-separated.", valueName: "sizes")) var batch: String = "1,8,64"
        @Option(help: ArgumentHelp("Seconds per batch size.", valueName: "seconds")) var seconds: Double = 2
        @Option(help: ArgumentHelp("Rows to use (JSON, as for `model run`).", valueName: "file")) var input: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        struct Result: Encodable {
            var batch: Int
            var runs: Int
            var seconds: Double
            var runsPerSecond: Double
            var rowsPerSecond: Double
            var microsecondsPerRun: Double
        }

        func run() throws {
            let sizes = batch.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 && $0 <= 1 << 16 }) else { CLI.fail("--batch takes sizes from 1 to 65536, e.g. 1,8,64", code: Exit.usage) }
            guard seconds > 0, seconds <= 3600 else { CLI.fail("--seconds must be in (0, 3600]", code: Exit.usage) }
            BLAS.setThreads(1)
            let model = loadModel(path)
            let graph: ONNXGraph
            do { graph = try ONNXGraph(model) } catch { CLI.fail(error.description, code: Exit.dataError) }
            guard let declared = model.inputs.first, model.inputs.count == 1 else { CLI.fail("bench takes models with one input", code: Exit.dataError) }
            let rowShape = (declared.shape ?? []).dropFirst().map { Int($0) ?? 1 }
            let rowSize = rowShape.reduce(1, *)
            var pool: [Float]
            if let input {
                guard let data = FileManager.default.contents(atPath: input) else { CLI.fail("cannot read \(input)", code: Exit.noInput) }
                do {
                    guard case .floats(let t)? = try ModelInputs.parse(data, model: model)[declared.name] else { CLI.fail("\(input) has no float input `\(declared.name)`", code: Exit.dataError) }
                    pool = t.data
                } catch {
                    CLI.fail("\(input): \(error.description)", code: Exit.dataError)
                }
            } else {
                var rng = SystemRandomNumberGenerator()
                pool = (0..<(rowSize * 256)).map { _ in Float.random(in: 0..<1, using: &rng) }
            }
            guard pool.count >= rowSize, rowSize > 0 else { CLI.fail("no rows of \(rowSize) values to run", code: Exit.dataError) }
            var results: [Result] = []
            for size in sizes {
                let rows = pool.count / rowSize
                guard (try? Tensor.count(of: [size] + rowShape)) != nil else {
                    CLI.fail("a batch of \(size) rows of shape \(rowShape) is too large; choose a smaller --batch", code: Exit.usage)
                }
                var batches: [Tensor] = []
                for k in 0..<8 {
                    var data: [Float] = []
                    data.reserveCapacity(size * rowSize)
                    for r in 0..<size {
                        let row = (k * size + r) % rows
                        data += pool[(row * rowSize)..<((row + 1) * rowSize)]
                    }
                    do {
                        batches.append(try Tensor(shape: [size] + rowShape, data: data))
                    } catch {
                        CLI.fail("a batch of \(size) rows of shape \(rowShape) is too large: \(error); choose a smaller --batch", code: Exit.usage)
                    }
                }
                var runs = 0
                let start = DispatchTime.now().uptimeNanoseconds
                let deadline = start + UInt64(seconds * 1e9)
                var now = start
                do {
                    while now < deadline {
                        for batch in batches { _ = try graph.run([declared.name: .floats(batch)]) }
                        runs += batches.count
                        now = DispatchTime.now().uptimeNanoseconds
                    }
                } catch {
                    CLI.fail(error.description, code: Exit.dataError)
                }
                let elapsed = Double(now - start) / 1e9
                results.append(Result(batch: size, runs: runs, seconds: elapsed, runsPerSecond: Double(runs) / elapsed,
                                      rowsPerSecond: Double(runs * size) / elapsed, microsecondsPerRun: elapsed / Double(runs) * 1e6))
            }
            if format == .json {
                CLI.printJSON(results)
            } else {
                print("batch   runs/s       rows/s       µs/run")
                for r in results { print(String(format: "%5d %10.0f %12.0f %12.1f", r.batch, r.runsPerSecond, r.rowsPerSecond, r.microsecondsPerRun)) }
            }
        }
    }
}

private func loadModel(_ path: String) -> ONNXModel {
    do {
        return try ONNXModel.load(path: path)
    } catch {
        if case .unreadable = error { CLI.fail(error.description, code: Exit.noInput) }
        CLI.fail(error.description, code: Exit.dataError)
    }
}
