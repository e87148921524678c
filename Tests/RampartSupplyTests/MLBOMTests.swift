import Foundation
import RampartCore
@testable import RampartSupply
import Testing

/// The ML-BOM's shape: what the CycloneDX 1.6 schema requires of the fields Rampart fills (the end-to-end test
/// validates whole documents against the official schema).
@Suite("ML-BOM")
struct MLBOMTests {
    @Test func aSingleFileModelWithLineageAndAProbeReport() throws {
        let manifest = ModelManifest(resources: [.init(name: ".", digest: String(repeating: "ab", count: 32))], ignorePaths: [], allowSymlinks: false, name: "m.onnx")
        var bom = MLBOM(name: "m.onnx", manifest: manifest)
        bom.interface = .init(producer: "skl2onnx", opsets: ["ai.onnx": 22], inputs: ["X: tensor(float) [?, 4]"], outputs: ["label: tensor(int64) [?]"],
                              operators: ["ai.onnx.ml:TreeEnsembleClassifier", "ai.onnx.ml:ZipMap"])
        bom.lineage = .init(model: "m@1", datasets: ["d1", "d2"], purposes: ["scoring"], subjects: 3, state: "retrain-required",
                            reasons: ["entry 7: subject erased"])
        bom.probeReports = [try JSONValue.parse(Array(#"{"results": [{"attack": "fairness", "risk": "fairness", "target": "bare", "metrics": {"disparate_impact": 0.7, "selection_rate_sex_1": 0.5, "selection_rate_sex_2": 0.35}}, {"attack": "square", "risk": "evasion", "target": "bare", "metrics": {"success_rate": 0.4, "rows": 50}}]}"#.utf8))]
        let serial = UUID(uuidString: "3F2504E0-4F89-11D3-9A0C-0305E82C3301")!
        let doc = bom.document(serial: serial, timestamp: Date(timeIntervalSince1970: 0))
        #expect(doc["serialNumber"]?.stringValue == "urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301")
        #expect(doc["metadata"]?["timestamp"]?.stringValue == "1970-01-01T00:00:00Z")
        let model = try #require(doc["metadata"]?["component"])
        #expect(model["hashes"]?.arrayValue?.first?["alg"]?.stringValue == "SHA-256")
        // Every property value is a string, as the schema requires.
        #expect(model["properties"]?.arrayValue?.allSatisfy { $0["value"]?.stringValue != nil } == true)
        let card = try #require(model["modelCard"])
        #expect(card["modelParameters"]?["task"]?.stringValue == "classification")
        #expect(card["modelParameters"]?["architectureFamily"]?.stringValue == "tree ensemble")
        #expect(card["modelParameters"]?["datasets"]?.arrayValue?.count == 2)
        let metrics = try #require(card["quantitativeAnalysis"]?["performanceMetrics"]?.arrayValue)
        #expect(metrics.contains { $0["type"]?.stringValue == "evasion: square success_rate" && $0["value"]?.stringValue == "0.4" })
        #expect(!metrics.contains { $0["type"]?.stringValue?.hasSuffix(" rows") == true })
        let fairness = try #require(card["considerations"]?["fairnessAssessments"]?.arrayValue?.first)
        #expect(fairness["groupAtRisk"]?.stringValue == "sex_1, sex_2" && fairness["harms"]?.stringValue?.contains("disparate impact 0.7") == true)
        #expect(card["considerations"]?["ethicalConsiderations"]?.arrayValue?.first?["name"]?.stringValue == "entry 7: subject erased")
        #expect(doc["components"]?.arrayValue?.map { $0["bom-ref"]?.stringValue } == ["dataset:d1", "dataset:d2"])
        #expect(doc["dependencies"]?.arrayValue?.first?["dependsOn"]?.arrayValue?.count == 2)
    }
}
