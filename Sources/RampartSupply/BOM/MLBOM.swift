import Foundation
import RampartCore

/// A CycloneDX 1.6 ML-BOM (JSON) for one model, from what Rampart knows about it: the model's files and hashes, its
/// format and, for ONNX, inputs, outputs, opsets and operators; the scanner's verdict; the signature check; the
/// training datasets and purposes the ledger's lineage records; and a model card whose quantitative analysis comes
/// from `rampart probe` reports and whose fairness assessments from its fairness audits. The guide's *AI supply
/// chain complexity* and *transparency*: what a model is made of, where it came from, and how it was tested.
public struct MLBOM {
    /// What the ledger's lineage says about the model.
    public struct Lineage: Sendable {
        public var model: String
        public var datasets: [String]
        public var purposes: [String]
        public var subjects: Int
        /// `trained`, or `retrain-required` after an erasure, withdrawal or objection.
        public var state: String
        public var reasons: [String]

        public init(model: String, datasets: [String], purposes: [String], subjects: Int, state: String, reasons: [String]) {
            self.model = model
            self.datasets = datasets
            self.purposes = purposes
            self.subjects = subjects
            self.state = state
            self.reasons = reasons
        }
    }

    /// An ONNX model's interface, as `rampart model info` reports it.
    public struct Interface: Sendable {
        public var producer: String
        public var opsets: [String: Int64]
        public var inputs: [String]
        public var outputs: [String]
        public var operators: [String]

        public init(producer: String, opsets: [String: Int64], inputs: [String], outputs: [String], operators: [String]) {
            self.producer = producer
            self.opsets = opsets
            self.inputs = inputs
            self.outputs = outputs
            self.operators = operators
        }
    }

    public var name: String
    public var version: String?
    public var manifest: ModelManifest
    public var scan: FileReport?
    public var signature: ModelSignature.Verification?
    public var interface: Interface?
    public var lineage: Lineage?
    /// `rampart probe` reports (`report.json`), as parsed JSON.
    public var probeReports: [JSONValue] = []
    public var tool: String = "0.0.0"

    public init(name: String, manifest: ModelManifest) {
        self.name = name
        self.manifest = manifest
    }

    /// The document. `serial` and `timestamp` are parameters so tests can pin them.
    public func document(serial: UUID = UUID(), timestamp: Date = Date()) -> JSONValue {
        let modelRef = "model:\(name)"
        var properties: [(String, String)] = [("rampart:model-digest", manifest.subjectDigest),
                                              ("rampart:model-digest-method", "sha256 over the files' sha256 in path order (OpenSSF model signing)"),
                                              ("rampart:files", String(manifest.resources.count))]
        if let scan {
            properties.append(("rampart:format", scan.format))
            properties.append(("rampart:scan-verdict", scan.verdict.rawValue))
            for f in scan.findings.prefix(20) { properties.append(("rampart:scan-finding", "\(f.severity.rawValue) \(f.rule): \(f.message)")) }
        }
        if let signature {
            properties.append(("rampart:signature", signature.verified ? "verified" : "not verified"))
            if let reason = signature.reason { properties.append(("rampart:signature-problem", reason)) }
        } else {
            properties.append(("rampart:signature", "not checked"))
        }
        if let interface {
            properties.append(("rampart:producer", interface.producer))
            for (domain, version) in interface.opsets.sorted(by: { $0.key < $1.key }) { properties.append(("rampart:opset", "\(domain) \(version)")) }
            for input in interface.inputs { properties.append(("rampart:input", input)) }
            for output in interface.outputs { properties.append(("rampart:output", output)) }
            properties.append(("rampart:operators", interface.operators.joined(separator: ", ")))
        }
        if let lineage {
            properties.append(("rampart:lineage-state", lineage.state))
            properties.append(("rampart:lineage-subjects", String(lineage.subjects)))
            for purpose in lineage.purposes { properties.append(("rampart:purpose", purpose)) }
        }

        var model: [(key: String, value: JSONValue)] = [
            ("type", .string("machine-learning-model")),
            ("bom-ref", .string(modelRef)),
            ("name", .string(name)),
        ]
        if let version { model.append(("version", .string(version))) }
        if manifest.resources.count == 1, manifest.resources[0].name == "." {
            model.append(("hashes", .array([Self.hash(manifest.resources[0].digest)])))
        } else {
            model.append(("components", .array(manifest.resources.map { r in
                .object([("type", .string("file")), ("bom-ref", .string("file:\(name)/\(r.name)")), ("name", .string(r.name)),
                         ("hashes", .array([Self.hash(r.digest)]))])
            })))
        }
        model.append(("properties", Self.properties(properties)))
        model.append(("modelCard", modelCard()))

        var components: [JSONValue] = []
        var dependsOn: [JSONValue] = []
        for dataset in lineage?.datasets ?? [] {
            let ref = "dataset:\(dataset)"
            dependsOn.append(.string(ref))
            var data: [(key: String, value: JSONValue)] = [("type", .string("dataset")), ("name", .string(dataset))]
            if let lineage, lineage.subjects > 0 {
                data.append(("classification", .string("personal data")))
                data.append(("sensitiveData", .array([.string("\(lineage.subjects) data subjects recorded in the ledger's lineage")])))
            }
            components.append(.object([
                ("type", .string("data")), ("bom-ref", .string(ref)), ("name", .string(dataset)),
                ("data", .array([.object(data)])),
                ("properties", Self.properties((lineage?.purposes ?? []).map { ("rampart:purpose", $0) })),
            ]))
        }

        let stamp = ISO8601DateFormatter().string(from: timestamp)
        var bom: [(key: String, value: JSONValue)] = [
            ("bomFormat", .string("CycloneDX")),
            ("specVersion", .string("1.6")),
            ("serialNumber", .string("urn:uuid:" + serial.uuidString.lowercased())),
            ("version", .number("1")),
            ("metadata", .object([
                ("timestamp", .string(stamp)),
                ("tools", .object([("components", .array([.object([
                    ("type", .string("application")), ("name", .string("rampart")), ("version", .string(tool)),
                ])]))])),
                ("component", .object(model)),
            ])),
        ]
        if !components.isEmpty { bom.append(("components", .array(components))) }
        bom.append(("dependencies", .array([.object([("ref", .string(modelRef)), ("dependsOn", .array(dependsOn))])] +
                                           (lineage?.datasets ?? []).map { .object([("ref", .string("dataset:\($0)")), ("dependsOn", .array([]))]) })))
        return .object(bom)
    }

    static func hash(_ hex: String) -> JSONValue {
        .object([("alg", .string("SHA-256")), ("content", .string(hex))])
    }

    static func properties(_ pairs: [(String, String)]) -> JSONValue {
        .array(pairs.map { .object([("name", .string($0.0)), ("value", .string($0.1))]) })
    }

    /// The model card: parameters from the model's interface and lineage, metrics from probe reports, fairness
    /// assessments from fairness audits, and the lineage's open retraining duties as ethical considerations.
    func modelCard() -> JSONValue {
        var parameters: [(key: String, value: JSONValue)] = []
        if let interface {
            if interface.operators.contains(where: { $0.contains("Classifier") || $0.contains("ArgMax") || $0.contains("Softmax") || $0.contains("ZipMap") }) {
                parameters.append(("task", .string("classification")))
                parameters.append(("approach", .object([("type", .string("supervised"))])))
            } else if interface.operators.contains(where: { $0.contains("Regressor") }) {
                parameters.append(("task", .string("regression")))
                parameters.append(("approach", .object([("type", .string("supervised"))])))
            }
            parameters.append(("architectureFamily", .string(Self.family(interface.operators))))
            parameters.append(("modelArchitecture", .string("ONNX graph (\(interface.producer.isEmpty ? "unknown producer" : interface.producer)): \(interface.operators.joined(separator: ", "))")))
        }
        if let lineage, !lineage.datasets.isEmpty {
            parameters.append(("datasets", .array(lineage.datasets.map { .object([("ref", .string("dataset:\($0)"))]) })))
        }
        if let interface {
            if !interface.inputs.isEmpty { parameters.append(("inputs", .array(interface.inputs.map { .object([("format", .string($0))]) }))) }
            if !interface.outputs.isEmpty { parameters.append(("outputs", .array(interface.outputs.map { .object([("format", .string($0))]) }))) }
        }
        var card: [(key: String, value: JSONValue)] = []
        if !parameters.isEmpty { card.append(("modelParameters", .object(parameters))) }

        var metrics: [JSONValue] = []
        var fairness: [JSONValue] = []
        for report in probeReports {
            for result in report["results"]?.arrayValue ?? [] {
                guard let attack = result["attack"]?.stringValue, case .object(let values)? = result["metrics"] else { continue }
                let target = result["target"]?.stringValue ?? ""
                let risk = result["risk"]?.stringValue ?? attack
                for (metric, value) in values where Self.headlineMetrics.contains(metric) {
                    guard case .number(let text) = value else { continue }
                    metrics.append(.object([("type", .string("\(risk): \(attack) \(metric)")), ("value", .string(text)), ("slice", .string("target \(target)"))]))
                }
                if attack == "fairness" {
                    func number(_ key: String) -> String? { if case .number(let t)? = values.first(where: { $0.key == key })?.value { return t } else { return nil } }
                    let harms = [("disparate impact", "disparate_impact"), ("demographic parity difference", "demographic_parity_difference"),
                                 ("equalized odds difference", "equalized_odds_difference"), ("counterfactual flip rate", "counterfactual_flip_rate")]
                        .compactMap { label, key in number(key).map { "\(label) \($0)" } }.joined(separator: "; ")
                    let groups = values.filter { $0.key.hasPrefix("selection_rate_") }.map { String($0.key.dropFirst("selection_rate_".count)) }.sorted()
                    fairness.append(.object([
                        ("groupAtRisk", .string(groups.isEmpty ? "the sensitive column's groups" : groups.joined(separator: ", "))),
                        ("harms", .string("measured by rampart probe fairness on target \(target): \(harms)")),
                        ("mitigationStrategy", .string("disparate impact under 0.8 fails the four-fifths rule: review the training data and the decision threshold")),
                    ]))
                }
            }
        }
        if !metrics.isEmpty { card.append(("quantitativeAnalysis", .object([("performanceMetrics", .array(metrics))]))) }
        var considerations: [(key: String, value: JSONValue)] = []
        if let lineage, lineage.state != "trained" {
            considerations.append(("ethicalConsiderations", .array(lineage.reasons.map {
                .object([("name", .string($0)), ("mitigationStrategy", .string("retrain without the data of the subjects concerned (the guide: re-train your model without the deleted user's data)"))])
            })))
        }
        if !fairness.isEmpty { considerations.append(("fairnessAssessments", .array(fairness))) }
        if let scan, scan.verdict != .clean {
            considerations.append(("technicalLimitations", .array([.string("rampart model scan: \(scan.verdict.rawValue) (\(scan.findings.count) findings)")])))
        }
        if !considerations.isEmpty { card.append(("considerations", .object(considerations))) }
        return .object(card)
    }

    /// Metrics worth a model card line: success and fidelity rates, AUCs, errors.
    static let headlineMetrics: Set<String> = [
        "success_rate", "verified_success_rate", "median_l2", "median_linf", "fidelity", "accuracy", "target_accuracy", "auc",
        "tpr_at_0.1pct_fpr", "tpr_at_1pct_fpr", "similarity", "identification_rate", "demographic_parity_difference", "disparate_impact",
        "equalized_odds_difference", "counterfactual_flip_rate",
    ]

    static func family(_ operators: [String]) -> String {
        let ops = Set(operators.map { $0.split(separator: ":").last.map(String.init) ?? $0 })
        if ops.contains("Conv") { return "convolutional neural network" }
        if ops.contains(where: { $0.hasPrefix("TreeEnsemble") }) { return "tree ensemble" }
        if ops.contains("SVMClassifier") { return "support vector machine" }
        if ops.contains("LinearClassifier") || ops.contains("LinearRegressor") { return "linear model" }
        if ops.contains("Gemm") || ops.contains("MatMul") { return "neural network" }
        return "other"
    }
}
