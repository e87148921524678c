import ArgumentParser
import Foundation
import RampartCore
import RampartML
import RampartONNX

/// Model inputs from JSON, and values back to JSON, for `rampart model run`.
enum ModelInputs {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// `{"inputs": [...]}` (the Open Inference Protocol's request, read by RampartCore's codec), or the shorthand
    /// `{"NAME": [[...]]}` whose shape is the nesting. Values become the model input's element type.
    static func parse(_ data: Data, model: ONNXModel) throws(Problem) -> [String: ONNXValue] {
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch { throw Problem(description: "not valid JSON: \(error)") }
        var feeds: [String: ONNXValue] = [:]
        if json["inputs"] != nil {
            let request: InferenceRequest
            do { request = try InferenceRequest.decode(data) } catch { throw Problem(description: "\(error)") }
            for tensor in request.inputs {
                let values: [Double]
                switch tensor.data {
                case .floats(let v): values = v.map(Double.init)
                case .ints(let v): values = v.map(Double.init)
                case .bools, .strings: throw Problem(description: "input `\(tensor.name)`: \(tensor.datatype.rawValue) inputs are not supported; send numbers")
                }
                feeds[tensor.name] = try value(name: tensor.name, flat: values, shape: tensor.shape, model: model)
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
                guard let d = Double(text), d.isFinite else { throw Problem(description: "input `\(name)`: `\(text)` is not a finite number") }
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
                var ints: [Int64] = []
                ints.reserveCapacity(flat.count)
                for (i, d) in flat.enumerated() {
                    guard let v = Int64(exactly: d) else { throw Problem(description: "input `\(name)`: value \(i) (\(d)) is not a whole number for \(type)") }
                    ints.append(v)
                }
                return .ints(try IntTensor(shape: shape, data: ints))
            }
            return .floats(try Tensor(shape: shape, data: flat.map { Float($0) }))
        } catch let problem as Problem {
            throw problem
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
