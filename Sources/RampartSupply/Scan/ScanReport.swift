/// A file's verdict, from best to worst. A file the scanner could not parse to the end is `malformed`, never
/// `clean`: what it could not read may hide what it looks for.
public enum Verdict: String, Sendable, Codable, Comparable, CaseIterable {
    case clean
    /// Something outside the allowlist, that loading may run: a person should look.
    case suspicious
    /// It cannot be parsed (truncated, corrupt, over a limit), so it cannot be called clean.
    case malformed
    /// Loading it runs code that reaches the system: a shell, files, the network, the interpreter.
    case malicious

    var rank: Int {
        switch self {
        case .clean: 0
        case .suspicious: 1
        case .malformed: 2
        case .malicious: 3
        }
    }

    public static func < (a: Verdict, b: Verdict) -> Bool { a.rank < b.rank }
}

/// One thing the scanner noticed. `severity` is the verdict it implies for the file, or `info` for context that
/// changes nothing.
public struct Finding: Sendable, Codable, Equatable {
    public enum Severity: String, Sendable, Codable {
        case info, suspicious, malformed, malicious

        var verdict: Verdict? {
            switch self {
            case .info: nil
            case .suspicious: .suspicious
            case .malformed: .malformed
            case .malicious: .malicious
            }
        }
    }

    public var severity: Severity
    /// A stable identifier, e.g. `pickle.dangerous-global` (docs/supply-chain.md lists them).
    public var rule: String
    public var message: String
    /// Where in the file: an archive member and a byte offset, a layer's path in a Keras config, a tensor's name.
    public var location: String
    /// How many times the same rule and message occurred (the first location is kept).
    public var count: Int

    public init(_ severity: Severity, _ rule: String, _ message: String, at location: String, count: Int = 1) {
        self.severity = severity
        self.rule = rule
        self.message = message
        self.location = location
        self.count = count
    }

    enum CodingKeys: String, CodingKey { case severity, rule, message, location, count }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(severity, forKey: .severity)
        try c.encode(rule, forKey: .rule)
        try c.encode(message, forKey: .message)
        try c.encode(location, forKey: .location)
        if count > 1 { try c.encode(count, forKey: .count) }
    }
}

/// What the scanner found in one file.
public struct FileReport: Sendable, Codable, Equatable {
    public var path: String
    /// The format read from the file's bytes (the extension is not trusted), e.g. `pickle`, `pytorch`, `safetensors`.
    public var format: String
    public var verdict: Verdict
    /// SHA-256 of the whole file, hex.
    public var sha256: String
    public var size: Int64
    public var findings: [Finding]

    public init(path: String, format: String, sha256: String, size: Int64, findings: [Finding]) {
        self.path = path
        self.format = format
        self.sha256 = sha256
        self.size = size
        self.findings = findings
        verdict = findings.compactMap(\.severity.verdict).max() ?? .clean
    }
}

/// A path the scanner did not judge: not a model or package format it knows (a README, a tokenizer's vocabulary).
public struct SkippedFile: Sendable, Codable, Equatable {
    public var path: String
    public var reason: String
}

/// Counts per verdict.
public struct ScanSummary: Sendable, Codable, Equatable {
    public var clean = 0
    public var suspicious = 0
    public var malicious = 0
    public var malformed = 0
    public var skipped = 0

    public init(_ files: [FileReport], skipped: Int) {
        for file in files {
            switch file.verdict {
            case .clean: clean += 1
            case .suspicious: suspicious += 1
            case .malicious: malicious += 1
            case .malformed: malformed += 1
            }
        }
        self.skipped = skipped
    }
}

/// The whole scan: `rampart model scan --format json` prints this.
public struct ScanReport: Sendable, Codable, Equatable {
    public var files: [FileReport]
    public var skipped: [SkippedFile]
    /// Inputs that could not be read at all (a missing path, a permission error).
    public var errors: [SkippedFile]
    public var summary: ScanSummary

    public init(files: [FileReport], skipped: [SkippedFile], errors: [SkippedFile]) {
        self.files = files
        self.skipped = skipped
        self.errors = errors
        summary = ScanSummary(files, skipped: skipped.count)
    }
}
