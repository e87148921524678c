import RampartCore

/// SARIF 2.1.0 (OASIS), the format code-scanning views (GitHub, GitLab, Azure DevOps) read: one run, one rule per
/// finding rule, one result per finding, each file an artifact with its SHA-256.
public enum SARIF {
    public static func document(_ report: ScanReport, version: String) -> JSONValue {
        var rules: [String: Finding.Severity] = [:]
        for file in report.files { for f in file.findings where rules[f.rule].map({ rank($0, f.severity) }) ?? true { rules[f.rule] = f.severity } }
        let ruleList: [JSONValue] = rules.keys.sorted().map { id in
            .object([
                ("id", .string(id)),
                ("shortDescription", .object([("text", .string(ruleDescriptions[id] ?? id))])),
                ("defaultConfiguration", .object([("level", .string(level(rules[id]!)))])),
            ])
        }
        var results: [JSONValue] = []
        var artifacts: [JSONValue] = []
        for (index, file) in report.files.enumerated() {
            artifacts.append(.object([
                ("location", .object([("uri", .string(file.path))])),
                ("length", .number(String(file.size))),
                ("hashes", .object([("sha-256", .string(file.sha256))])),
                ("properties", .object([("format", .string(file.format)), ("verdict", .string(file.verdict.rawValue))])),
            ]))
            for f in file.findings {
                var location: [(key: String, value: JSONValue)] = [
                    ("physicalLocation", .object([("artifactLocation", .object([("uri", .string(file.path)), ("index", .number(String(index)))]))])),
                ]
                if !f.location.isEmpty {
                    location.append(("logicalLocations", .array([.object([("fullyQualifiedName", .string(f.location))])])))
                }
                results.append(.object([
                    ("ruleId", .string(f.rule)),
                    ("level", .string(level(f.severity))),
                    ("message", .object([("text", .string(f.message + (f.count > 1 ? " (\(f.count) times)" : "")))])),
                    ("locations", .array([.object(location)])),
                    ("properties", .object([("severity", .string(f.severity.rawValue)), ("verdict", .string(file.verdict.rawValue))])),
                ]))
            }
        }
        let driver: JSONValue = .object([
            ("name", .string("rampart")),
            ("informationUri", .string("https://owasp.org/www-project-ai-security-and-privacy-guide/")),
            ("version", .string(version)),
            ("rules", .array(ruleList)),
        ])
        return .object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            ("runs", .array([.object([("tool", .object([("driver", driver)])), ("artifacts", .array(artifacts)), ("results", .array(results))])])),
        ])
    }

    static func rank(_ a: Finding.Severity, _ b: Finding.Severity) -> Bool {
        let order: [Finding.Severity] = [.info, .suspicious, .malformed, .malicious]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }

    static func level(_ s: Finding.Severity) -> String {
        switch s {
        case .malicious, .malformed: "error"
        case .suspicious: "warning"
        case .info: "note"
        }
    }

    /// One line per rule, for code-scanning views (docs/supply-chain.md has the full list).
    public static let ruleDescriptions: [String: String] = [
        "pickle.dangerous-global": "A pickle imports a name that runs commands, reads or writes files, or reaches the network",
        "pickle.unknown-global": "A pickle imports a name outside the allowlist of safe machine-learning globals",
        "pickle.dynamic-global": "A pickle builds the name it imports at load time",
        "pickle.build-on-global": "A pickle sets attributes on an imported module-level object",
        "pickle.mutates-global": "A pickle adds items to an imported module-level object",
        "pickle.indirect-call": "A pickle calls the result of another call",
        "pickle.extension-code": "A pickle imports through copyreg's extension registry",
        "pickle.nested-pickle": "A pickle unpickles data inside itself",
        "pickle.trailing-data": "Data follows a pickle's STOP",
        "pickle.out-of-band": "A pickle takes an out-of-band buffer",
        "zip.crc-mismatch": "A zip member's CRC-32 does not match its content",
        "zip.name-mismatch": "A zip member's local and central names differ",
        "zip.duplicate-names": "A zip holds two members of the same name",
        "zip.prepended-data": "Bytes come before a zip archive",
        "archive.path-traversal": "An archive member's name leaves the extraction folder",
        "archive.link-outside": "An archive link points outside the archive",
        "numpy.trailing-data": "Bytes follow a NumPy array's data",
        "keras.lambda": "A Keras Lambda layer runs Python bytecode on load",
        "keras.external-module": "A Keras config imports a module outside Keras",
        "savedmodel.dangerous-op": "A TensorFlow graph uses an op that runs Python or touches files",
        "onnx.custom-operator": "An ONNX graph uses operators from a custom domain",
        "onnx.custom-domain": "An ONNX model imports a custom operator set",
        "onnx.external-data-path": "An ONNX tensor reads its data from outside the model's folder",
        "onnx.absurd-shape": "An ONNX tensor declares more elements than any machine holds",
        "onnx.bad-shape": "An ONNX tensor has a negative dimension",
        "safetensors.duplicate-names": "A safetensors header names a tensor twice",
        "gguf.overlapping-tensors": "Two GGUF tensors share bytes",
        "template.injection": "A chat template reaches Python internals (server-side template injection)",
        "template.suspicious": "A chat template reads attributes by computed names",
        "config.remote-code": "A model config loads Python code shipped with the model",
        "python.pth-exec": "A .pth file runs code at every Python start",
        "python.install-hook": "A setup.py runs code at install",
        "python.in-tree-backend": "A package builds with a backend from inside itself",
        "format.truncated": "The file ends before its layout says it should",
        "format.malformed": "The file breaks its format's rules",
        "scan.limit": "The file exceeds a scanner limit and was not read to the end",
        "scan.too-deep": "Archives or pickles nest deeper than the scanner follows",
        "file.unreadable": "The file could not be read",
        "scan.findings-truncated": "More distinct findings than the scanner keeps per file",
    ]
}
