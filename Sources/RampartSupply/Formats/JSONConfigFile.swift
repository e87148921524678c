import RampartCore

/// JSON beside model weights: Hugging Face configs and tokenizer configs, Keras v3's `config.json`. A chat template
/// is checked for template injection; an `auto_map` makes `from_pretrained(…, trust_remote_code=True)` import
/// Python files shipped with the model; a Keras config is checked for layers that run code.
enum JSONConfigFile {
    static func scan(_ input: ScanInput, in scan: ScanContext, location: String) throws(ScanFailure) -> String {
        let text = try PythonPackage.text(input, limit: scan.options.maximumDocument)
        let json: JSONValue
        do { json = try JSONValue.parse(Array(text.utf8)) } catch { throw .malformed("not JSON: \(error)") }
        check(json, in: scan, location: location)
        if json["class_name"] != nil || json["module"] != nil {
            KerasConfig.check(json, in: scan, location: location)
        }
        return "json"
    }

    static func check(_ json: JSONValue, in scan: ScanContext, location: String) {
        let here = location.isEmpty ? "" : location + " "
        switch json["chat_template"] {
        case .string(let template)?:
            ChatTemplate.check(template, in: scan, location: here + "chat_template")
        case .array(let templates)?:
            for t in templates {
                if let template = t["template"]?.stringValue {
                    ChatTemplate.check(template, in: scan, location: here + "chat_template `\(t["name"]?.stringValue ?? "?")`")
                }
            }
        default:
            break
        }
        if case .object(let map)? = json["auto_map"], !map.isEmpty {
            let classes = map.compactMap { $0.value.stringValue }.prefix(4).joined(separator: ", ")
            scan.findings.add(.suspicious, "config.remote-code",
                              "auto_map points at Python modules shipped with the model (\(classes)): loading it with trust_remote_code runs them",
                              at: here + "auto_map")
        }
    }
}
