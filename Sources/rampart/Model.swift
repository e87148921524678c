import ArgumentParser
import Foundation
import RampartCore
import RampartML
import RampartONNX

extension Rampart {
    struct Model: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inspect and run ONNX models with Rampart's native runtime.",
            discussion: """
                The runtime behind `kind: model` routes (docs/models.md). `info` lists what a model declares and
                whether every operator it uses is supported; `run` computes its outputs for inputs in a JSON file.
                Exit codes: 0 done, 65 the model or the input is malformed or unsupported, 66 a file cannot be read.
                """,
            subcommands: [Info.self, Run.self])

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

private func loadModel(_ path: String) -> ONNXModel {
    do {
        return try ONNXModel.load(path: path)
    } catch {
        if case .unreadable = error { CLI.fail(error.description, code: Exit.noInput) }
        CLI.fail(error.description, code: Exit.dataError)
    }
}

/// Model inputs from JSON, and values back to JSON, for `rampart model run`.
enum ModelInputs {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ data: Data, model: ONNXModel) throws(Problem) -> [String: ONNXValue] {
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch { throw Problem(description: "not valid JSON: \(error)") }
        var feeds: [String: ONNXValue] = [:]
        if let inputs = json["inputs"]?.arrayValue {
            for (i, item) in inputs.enumerated() {
                guard let name = item["name"]?.stringValue else { throw Problem(description: "inputs[\(i)] has no `name`") }
                guard let shape = item["shape"]?.arrayValue?.compactMap(\.intValue), shape.allSatisfy({ $0 >= 0 }) else {
                    throw Problem(description: "inputs[\(i)] (`\(name)`) needs a `shape` of whole numbers")
                }
                guard let values = item["data"] else { throw Problem(description: "inputs[\(i)] (`\(name)`) has no `data`") }
                feeds[name] = try value(name: name, flat: flatten(values, name), shape: shape, model: model)
            }
        } else if case .object(let members) = json {
            for (name, nested) in members {
                feeds[name] = try value(name: name, flat: flatten(nested, name), shape: shapeOf(nested), model: model)
            }
        } else {
            throw Problem(description: "expected {\"inputs\": [...]} or {\"NAME\": [[...]]}")
        }
        return feeds
    }

    private static func shapeOf(_ value: JSONValue) -> [Int] {
        guard case .array(let items) = value else { return [] }
        return [items.count] + (items.first.map(shapeOf) ?? [])
    }

    private static func flatten(_ value: JSONValue, _ name: String) throws(Problem) -> [Double] {
        var out: [Double] = []
        func walk(_ v: JSONValue) throws(Problem) {
            switch v {
            case .array(let items): for item in items { try walk(item) }
            case .number(let text):
                guard let d = Double(text) else { throw Problem(description: "input `\(name)`: `\(text)` is not a number") }
                out.append(d)
            default: throw Problem(description: "input `\(name)`: value \(out.count) is \(v.kindName), not a number")
            }
        }
        try walk(value)
        return out
    }

    private static func value(name: String, flat: [Double], shape: [Int], model: ONNXModel) throws(Problem) -> ONNXValue {
        let type = model.inputs.first { $0.name == name }?.type ?? "tensor(float)"
        do {
            if type == "tensor(int64)" || type == "tensor(int32)" {
                return .ints(try IntTensor(shape: shape, data: flat.map { Int64($0) }))
            }
            return .floats(try Tensor(shape: shape, data: flat.map { Float($0) }))
        } catch {
            throw Problem(description: "input `\(name)`: \(error)")
        }
    }

    static func json(_ value: ONNXValue) -> String {
        func tensor(_ shape: [Int], _ data: [String], extra: String = "") -> String {
            #"{"type":"# + JSONValue.quote(value.typeName) + extra + #","shape":["# + shape.map(String.init).joined(separator: ",") + #"],"data":["#
                + data.joined(separator: ",") + "]}"
        }
        switch value {
        case .floats(let t): return tensor(t.shape, t.data.map { $0.isFinite ? "\($0)" : "null" })
        case .ints(let t): return tensor(t.shape, t.data.map(String.init))
        case .strings(let t): return tensor(t.shape, t.data.map(JSONValue.quote))
        case .maps(let labels, let p):
            let keys: [String] = switch labels {
            case .ints(let l): l.map(String.init)
            case .strings(let l): l.map(JSONValue.quote)
            }
            return tensor(p.shape, p.data.map { "\($0)" }, extra: #","labels":["# + keys.joined(separator: ",") + "]")
        }
    }

    static func preview(_ value: ONNXValue) -> String {
        switch value {
        case .floats(let t): return t.data.prefix(10).map { String(format: "%.4g", $0) }.joined(separator: " ") + (t.count > 10 ? " …" : "")
        case .ints(let t): return t.data.prefix(20).map(String.init).joined(separator: " ") + (t.data.count > 20 ? " …" : "")
        case .strings(let t): return t.data.prefix(10).joined(separator: " ") + (t.data.count > 10 ? " …" : "")
        case .maps(_, let p): return "probabilities " + p.data.prefix(10).map { String(format: "%.4g", $0) }.joined(separator: " ") + (p.count > 10 ? " …" : "")
        }
    }
}
