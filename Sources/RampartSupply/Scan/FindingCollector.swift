/// Gathers a file's findings, folding repeats (the same rule and message) into one with a count, and bounding how
/// many distinct findings one file can produce.
final class FindingCollector {
    static let maximumDistinct = 1000

    private(set) var findings: [Finding] = []
    private var seen: [String: Int] = [:]
    private var dropped = 0

    func add(_ finding: Finding) {
        let key = finding.rule + "\u{0}" + finding.message
        if let i = seen[key] {
            findings[i].count += finding.count
            return
        }
        guard findings.count < Self.maximumDistinct else {
            dropped += 1
            return
        }
        seen[key] = findings.count
        findings.append(finding)
    }

    func add(_ severity: Finding.Severity, _ rule: String, _ message: String, at location: String) {
        add(Finding(severity, rule, message, at: location))
    }

    /// A failure that stopped parsing: the file is `malformed` (or, for a file too large or deep for the limits,
    /// still `malformed`: it was not read to the end).
    func add(_ failure: ScanFailure, at location: String) {
        let rule = switch failure {
        case .unreadable: "file.unreadable"
        case .truncated: "format.truncated"
        case .malformed: "format.malformed"
        case .limit: "scan.limit"
        }
        add(.malformed, rule, failure.description, at: location)
    }

    /// The findings, with a last one saying how many distinct findings were left out, if any.
    var result: [Finding] {
        guard dropped > 0 else { return findings }
        return findings + [Finding(.info, "scan.findings-truncated", "\(dropped) further distinct findings were left out", at: "")]
    }

    var worst: Verdict { findings.compactMap(\.severity.verdict).max() ?? .clean }
}
