/// One thing a scan found in a text: what it is, where it is, how sure the scanner is, and — when it was
/// hidden inside an encoded segment — which decodings revealed it.
///
/// Offsets count Unicode scalars of the scanned input (the indices Python's `str` uses), so `start..<end`
/// can be cut out of the caller's own copy of the text. A finding never carries the matched value itself:
/// findings go into decision records and logs, and the value is the very thing the guide says to minimize.
///
/// ```swift
/// let findings = TextScanner().scan("mail me at jane@example.com")
/// // [TextFinding(kind: .pii, type: "EMAIL", start: 11, end: 27, score: 1.0, decodedBy: nil)]
/// ```
public struct TextFinding: Sendable, Hashable, Codable {
    /// The families of findings; their raw values are the `kind` strings of the JSON output.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Personal data (guide: data minimization).
        case pii
        /// Credentials: API keys, tokens, private keys, passwords.
        case secret
        /// Instructions aimed at the model (guide: prompt injection, direct and indirect).
        case injection
        /// Characters a reader cannot see: zero-width, bidi controls, tag characters, private use, unassigned.
        case invisible
        /// A system-prompt canary token in a model's output (guide: leaking of the system prompt).
        case canary
    }

    public var kind: Kind
    /// The entity type in upper snake case, e.g. `EMAIL`, `CREDIT_CARD`, `AWS_ACCESS_KEY_ID`, `INSTRUCTION_OVERRIDE`.
    public var type: String
    /// First scalar of the finding in the scanned input.
    public var start: Int
    /// One past the last scalar.
    public var end: Int
    /// 0…1: how sure the recognizer is. Validated formats (checksums, provider prefixes) score 1.
    public var score: Double
    /// The decodings, outermost first, that turned the encoded segment at `start..<end` into the text the
    /// finding was made in (e.g. `["base64"]`, `["hex", "rot13"]`); `nil` when it was found in the text as sent.
    public var decodedBy: [String]?

    public init(kind: Kind, type: String, start: Int, end: Int, score: Double, decodedBy: [String]? = nil) {
        self.kind = kind
        self.type = type
        self.start = start
        self.end = end
        self.score = score
        self.decodedBy = decodedBy
    }

    enum CodingKeys: String, CodingKey {
        case kind, type, start, end, score
        case decodedBy = "decoded_by"
    }

    /// `decoded_by` is one string in JSON (`"base64+rot13"`) or `null`, as `rampart scan text` documents.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(type, forKey: .type)
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
        try container.encode(score, forKey: .score)
        try container.encode(decodedByLabel, forKey: .decodedBy)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .kind)
        type = try container.decode(String.self, forKey: .type)
        start = try container.decode(Int.self, forKey: .start)
        end = try container.decode(Int.self, forKey: .end)
        score = try container.decode(Double.self, forKey: .score)
        decodedBy = try container.decodeIfPresent(String.self, forKey: .decodedBy)?.split(separator: "+").map(String.init)
    }

    /// `decoded_by` as the CLI prints it: decodings joined with `+` (`"base64+rot13"`), or `nil`.
    public var decodedByLabel: String? { decodedBy?.joined(separator: "+") }
}
