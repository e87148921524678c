import Foundation
import RampartCore

/// A Keras model's architecture (Keras 3's `config.json`, Keras 2's `model_config` attribute): `Lambda` layers
/// carry their function as marshalled Python bytecode, which runs when the model is loaded with `safe_mode` off
/// (and always in Keras 2); objects whose `module` lies outside Keras import that module. Both are found at any
/// depth (a Lambda inside a Sequential inside a Functional model).
enum KerasConfig {
    static let kerasModules = ["keras", "keras_hub", "keras_nlp", "keras_cv", "tf_keras", "tensorflow.keras", "tensorflow.python.keras"]
    /// Names in marshalled bytecode that reach the system or the interpreter.
    static let dangerousNames: Set<String> = [
        "os", "system", "popen", "subprocess", "Popen", "check_output", "check_call", "call", "run", "spawn", "exec",
        "eval", "compile", "__import__", "import_module", "open", "socket", "urllib", "urlopen", "requests", "http",
        "builtins", "__builtins__", "getattr", "setattr", "globals", "marshal", "pickle", "loads", "shutil", "rmtree",
        "ctypes", "pty", "webbrowser", "b64decode", "sys", "remove", "unlink", "write", "environ",
    ]

    static func check(_ json: JSONValue, in scan: ScanContext, location: String) {
        var visited = 0
        walk(json, path: "", depth: 0, visited: &visited, scan: scan, location: location)
    }

    private static func walk(_ value: JSONValue, path: String, depth: Int, visited: inout Int, scan: ScanContext, location: String) {
        visited += 1
        guard depth < 200, visited < 2_000_000 else { return }
        switch value {
        case .array(let items):
            for (i, item) in items.enumerated() { walk(item, path: "\(path)[\(i)]", depth: depth + 1, visited: &visited, scan: scan, location: location) }
        case .object(let members):
            let here = location.isEmpty ? "config \(path.isEmpty ? "/" : path)" : "\(location) \(path.isEmpty ? "/" : path)"
            if let className = value["class_name"]?.stringValue {
                let name = value["config"]?["name"]?.stringValue ?? value["name"]?.stringValue
                let label = name.map { "layer `\($0)` (\(className))" } ?? className
                if className == "Lambda" { lambda(value["config"], label: label, scan: scan, at: here) }
                if let module = value["module"]?.stringValue { object(module: module, className: className, config: value["config"], scan: scan, at: here) }
            }
            for member in members {
                walk(member.value, path: path + "/" + member.key, depth: depth + 1, visited: &visited, scan: scan, location: location)
            }
        default:
            break
        }
    }

    /// A Lambda layer's `function`: Keras 3 `{"class_name": "__lambda__", "config": {"code": base64}}`, Keras 2
    /// `[base64, defaults, closure]` with `function_type: "lambda"`, or a named function (`function_type: "function"`
    /// and `module`).
    private static func lambda(_ config: JSONValue?, label: String, scan: ScanContext, at here: String) {
        guard let config else { return }
        var code: String?
        if let function = config["function"] {
            if function["class_name"]?.stringValue == "__lambda__" {
                code = function["config"]?["code"]?.stringValue
            } else if let list = function.arrayValue, let first = list.first?.stringValue {
                code = first
            } else if let name = function.stringValue, config["function_type"]?.stringValue == "function" {
                let module = config["module"]?.stringValue ?? "builtins"
                switch scan.policy.judge(module: module, name: name) {
                case .dangerous(let why):
                    scan.findings.add(.malicious, "keras.lambda", "\(label) calls \(module).\(name) on load: \(why)", at: here)
                case .safe:
                    break
                default:
                    scan.findings.add(.suspicious, "keras.lambda", "\(label) calls \(module).\(name), imported on load", at: here)
                }
                return
            }
        }
        guard let code else { return }
        guard let bytecode = Data(base64Encoded: code, options: .ignoreUnknownCharacters), let names = PythonMarshal.strings(in: Array(bytecode)) else {
            scan.findings.add(.suspicious, "keras.lambda", "\(label) carries code that is not marshalled Python bytecode the scanner can read; loading runs it", at: here)
            return
        }
        let reached = names.filter { dangerousNames.contains($0) }
        if reached.isEmpty {
            let shown = Array(Set(names.filter { !$0.isEmpty && $0.count < 40 })).sorted().prefix(8).joined(separator: ", ")
            scan.findings.add(.suspicious, "keras.lambda", "\(label) runs marshalled Python bytecode on load (names: \(shown))", at: here)
        } else {
            scan.findings.add(.malicious, "keras.lambda",
                              "\(label) runs marshalled Python bytecode on load that uses \(Array(Set(reached)).sorted().joined(separator: ", "))", at: here)
        }
    }

    /// `{"module": …, "class_name": …}`: Keras 3 imports `module` to find the class (or, for `class_name:
    /// "function"`, the function named by `config`).
    private static func object(module: String, className: String, config: JSONValue?, scan: ScanContext, at here: String) {
        if kerasModules.contains(where: { module == $0 || module.hasPrefix($0 + ".") }) { return }
        let name = className == "function" ? (config?.stringValue ?? "?") : className
        if module == "builtins", className.hasPrefix("__"), className.hasSuffix("__") { return }   // __tuple__, __bytes__, …
        switch scan.policy.judge(module: module, name: name) {
        case .dangerous(let why):
            scan.findings.add(.malicious, "keras.external-module", "the config imports \(module).\(name) on load: \(why)", at: here)
        case .safe:
            break
        default:
            scan.findings.add(.suspicious, "keras.external-module", "the config imports \(module).\(name), outside Keras: its code runs on load", at: here)
        }
    }
}
