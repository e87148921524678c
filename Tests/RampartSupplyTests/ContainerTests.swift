import Foundation
import RampartCore
@testable import RampartSupply
import Testing

/// Archives and compressed streams: what the scanner notices about the container itself, and the limits that keep
/// a hostile one from costing memory.
@Suite("Containers")
struct ContainerTests {
    static func corpusFile(_ path: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: CorpusTests.corpus.appendingPathComponent(path)))
    }

    @Test func bytesBeforeAZipAreReportedAndTheArchiveStillScanned() throws {
        // A polyglot: something else, then a zip. zip readers find the archive from its end.
        let zip = try Self.corpusFile("malicious/nested-zip.zip")
        let report = try #require(PickleMachineTests.scan(Array("#!/bin/sh\necho hello\n".utf8) + zip, name: "x.zip"))
        #expect(report.format == "zip" && report.verdict == .malicious && report.findings.contains { $0.rule == "zip.prepended-data" })
        let direct = try #require(ModelScanner().scan(ByteSource(bytes: zip), name: "x.zip", path: "x.zip"))
        #expect(direct.verdict == .malicious && direct.findings.contains { $0.location == "outer/inner.zip!/model.pkl @ offset 33" || $0.location.hasPrefix("outer/inner.zip!/model.pkl") })
    }

    @Test func aCompressionBombStopsAtTheLimit() throws {
        var options = ScanOptions()
        options.maximumExpanded = 1000
        let bytes = try Self.corpusFile("benign/joblib-forest-gzip.joblib")
        let report = try #require(PickleMachineTests.scan(bytes, options: options, name: "m.joblib"))
        #expect(report.verdict == .malformed && report.findings.contains { $0.rule == "scan.limit" })
    }

    @Test func nestingDeeperThanTheLimitIsNotFollowed() throws {
        var options = ScanOptions()
        options.maximumDepth = 1
        let report = try #require(PickleMachineTests.scan(try Self.corpusFile("malicious/nested-zip.zip"), options: options, name: "x.zip"))
        #expect(report.verdict == .malformed && report.findings.contains { $0.rule == "scan.too-deep" })
    }

    @Test func aStoredZipMemberIsReadAsAWindowOfTheFile() throws {
        let source = ByteSource(bytes: try Self.corpusFile("benign/torch-state-dict.pt"))
        let archive = try ZipArchive(source)
        #expect(archive.members.map(\.name).contains("archive/data.pkl"))
        let member = try #require(archive.members.first { $0.name == "archive/data/0" })
        #expect(member.method == 0)
        #expect(try archive.storedBytes(of: member).count == 128)
        #expect(ZipFile.classify(archive.members.map(\.name)) == "pytorch" && ZipFile.isStorage("archive/data/0"))
    }

    @Test func tarPaxNamesAndLinks() throws {
        // A pax header naming a long path, then the member; a symbolic link out of the archive.
        func header(_ name: String, type: UInt8, size: Int, link: String = "") -> [UInt8] {
            var h = [UInt8](repeating: 0, count: 512)
            for (i, b) in name.utf8.prefix(100).enumerated() { h[i] = b }
            let sizeField = Array(String(size, radix: 8).utf8)
            for (i, b) in sizeField.enumerated() { h[124 + 11 - sizeField.count + i] = b }
            h[156] = type
            for (i, b) in link.utf8.prefix(100).enumerated() { h[157 + i] = b }
            for (i, b) in "ustar\u{0}00".utf8.enumerated() { h[257 + i] = b }
            for i in 148..<156 { h[i] = 0x20 }
            let sum = String(h.reduce(0) { $0 + Int($1) }, radix: 8)
            for (i, b) in sum.utf8.enumerated() { h[148 + i] = b }
            h[148 + sum.utf8.count] = 0
            return h
        }
        func pad(_ b: [UInt8]) -> [UInt8] { b + [UInt8](repeating: 0, count: (512 - b.count % 512) % 512) }
        let long = String(repeating: "d/", count: 80) + "model.pkl"
        let record = " path=\(long)\n"
        let paxBody = Array("\(record.utf8.count + String(record.utf8.count + 3).count)\(record)".utf8)
        let payload: [UInt8] = [0x80, 0x02] + Array("cposix\nsystem\n".utf8) + [0x29, 0x52, 0x2E]
        var tar = header("pax", type: 0x78, size: paxBody.count) + pad(paxBody)
        tar += header("short", type: 0x30, size: payload.count) + pad(payload)
        tar += header("escape", type: 0x32, size: 0, link: "../../etc/passwd")
        tar += [UInt8](repeating: 0, count: 1024)
        let report = try #require(PickleMachineTests.scan(tar, name: "x.tar"))
        #expect(report.format == "tar" && report.verdict == .malicious)
        #expect(report.findings.contains { $0.rule == "pickle.dangerous-global" && $0.location.hasPrefix(long) })
        #expect(report.findings.contains { $0.rule == "archive.link-outside" })
    }
}

/// `--policy` files and SARIF output.
@Suite("Scan policy and SARIF")
struct ScanPolicyTests {
    @Test func policyFilesParseAndErrorsNameTheLine() throws {
        let policy = try ScanPolicy.load("suspicious: pass\nallow: [mycompany.models.*]\ndeny:\n  - numpy.load\n", source: "p.yaml")
        #expect(!policy.failOnSuspicious && policy.allowed == ["mycompany.models.*"] && policy.denied == ["numpy.load"])
        for (text, message) in [("suspicious: maybe\n", "p.yaml:1: suspicious must be `fail` or `pass`"),
                                ("allow: numpy\n", "p.yaml:1: allow must be a list"),
                                ("allow: [numpy]\n", "`numpy` is not module.name or module.*"),
                                ("colour: red\n", "unknown key `colour`"),
                                ("[1, 2\n", "not YAML")] {
            do {
                _ = try ScanPolicy.load(text, source: "p.yaml")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }

    @Test func suspiciousPassesOnlyWhenThePolicySaysSo() async throws {
        let report = await ModelScanner().scan(paths: [CorpusTests.corpus.appendingPathComponent("suspicious/pickle-unknown-class.pkl").path])
        #expect(report.files.first?.verdict == .suspicious)
        var policy = ScanPolicy()
        #expect(!policy.passes(report))
        policy.failOnSuspicious = false
        #expect(policy.passes(report))
        var options = ScanOptions()
        options.policy = GlobalPolicy(allowed: ["mycompany.models.FancyNet"])
        let allowed = await ModelScanner(options: options).scan(paths: [CorpusTests.corpus.appendingPathComponent("suspicious/pickle-unknown-class.pkl").path])
        #expect(allowed.files.first?.verdict == .clean)
    }

    @Test func sarifHasOneResultPerFindingWithLevels() async throws {
        let report = await ModelScanner().scan(paths: [CorpusTests.corpus.appendingPathComponent("malicious/pickle-os-system-p2.pkl").path,
                                                     CorpusTests.corpus.appendingPathComponent("suspicious/pickle-unknown-class.pkl").path])
        let sarif = SARIF.document(report, version: "1.2.3")
        #expect(sarif["version"]?.stringValue == "2.1.0")
        let run = try #require(sarif["runs"]?.arrayValue?.first)
        let results = try #require(run["results"]?.arrayValue)
        #expect(results.count == report.files.reduce(0) { $0 + $1.findings.count })
        #expect(results.contains { $0["ruleId"]?.stringValue == "pickle.dangerous-global" && $0["level"]?.stringValue == "error" })
        #expect(results.contains { $0["ruleId"]?.stringValue == "pickle.unknown-global" && $0["level"]?.stringValue == "warning" })
        let rules = try #require(run["tool"]?["driver"]?["rules"]?.arrayValue)
        #expect(rules.allSatisfy { SARIF.ruleDescriptions[$0["id"]?.stringValue ?? ""] != nil })
        #expect(run["artifacts"]?.arrayValue?.first?["hashes"]?["sha-256"]?.stringValue?.count == 64)
    }
}
