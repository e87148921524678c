import Foundation
import RampartCore
@testable import RampartSupply
import Testing

/// Known answers: every file scripts/supply/make-corpus.py wrote — malicious, benign and malformed, in every format
/// the scanner reads — gets the verdict, the format and the rule `expected.json` gives it.
@Suite("Scanner corpus")
struct CorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    struct Expectation: Decodable {
        var verdict: String
        var format: String
        var rule: String?
    }

    static func expectations() throws -> [String: Expectation] {
        try JSONDecoder().decode([String: Expectation].self, from: Data(contentsOf: corpus.appendingPathComponent("expected.json")))
    }

    @Test func everyFileGetsItsKnownVerdict() async throws {
        let expected = try Self.expectations()
        #expect(expected.count >= 100)
        let report = await ModelScanner().scan(paths: [Self.corpus.path])
        let byPath = Dictionary(uniqueKeysWithValues: report.files.map { (String($0.path.dropFirst(Self.corpus.path.count + 1)), $0) })
        for (path, want) in expected.sorted(by: { $0.key < $1.key }) {
            guard let got = byPath[path] else {
                Issue.record("\(path) was not reported")
                continue
            }
            #expect(got.verdict.rawValue == want.verdict && got.format == want.format,
                    "\(path): expected \(want.verdict) \(want.format), got \(got.verdict.rawValue) \(got.format): \(got.findings.map { "\($0.rule) \($0.message)" })")
            if let rule = want.rule {
                #expect(got.findings.contains { $0.rule == rule }, "\(path): no \(rule) finding in \(got.findings.map(\.rule))")
            }
            #expect(got.sha256.count == 64)
        }
        #expect(report.errors.isEmpty && report.skipped.isEmpty)
    }

    /// The summary per class of file: every malicious file caught, no benign file flagged, every malformed file
    /// reported (the benchmark's detection targets, on the corpus the tests own).
    @Test func nothingBenignIsFlaggedAndNothingMaliciousIsMissed() async throws {
        let expected = try Self.expectations()
        let report = await ModelScanner().scan(paths: [Self.corpus.path])
        for file in report.files {
            let path = String(file.path.dropFirst(Self.corpus.path.count + 1))
            if path.hasPrefix("benign/") { #expect(file.verdict == .clean, "\(path) flagged: \(file.findings.map(\.message))") }
            if path.hasPrefix("malicious/") { #expect(file.verdict == .malicious, "\(path) missed") }
            if path.hasPrefix("malformed/") { #expect(file.verdict == .malformed, "\(path) not reported malformed") }
        }
        #expect(report.files.count == expected.count + 1)   // expected.json itself is scanned (as JSON, clean)
    }
}
