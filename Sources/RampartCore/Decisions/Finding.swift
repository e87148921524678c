import Foundation

/// Something a guard noticed. Never the text itself: its type, where it was (offsets), how sure the guard was and
/// what the gateway did about it.
public struct Finding: Sendable, Equatable, Codable {
    /// Which guard raised it: `injection`, `pii`, `secrets`, `invisible`, `canary`, `guard_error`.
    public var guardName: String
    /// What was found, e.g. `EMAIL`, `INSTRUCTION_OVERRIDE`, `SYSTEM_PROMPT_CANARY`.
    public var type: String
    /// `high` (blocked), `medium` (redacted or stripped), `low` (flagged only), `info`.
    public var severity: String
    /// Where: `input.messages[2].content`, `output.choices[0]`.
    public var location: String?
    public var score: Double?
    /// What the gateway did: `blocked`, `redacted`, `stripped`, `flagged`.
    public var action: String?
    /// Span in Unicode scalars of the text at `location` (for `output`, of the text the upstream generated).
    public var start: Int?
    public var end: Int?
    /// Decodings that revealed it (`base64`, `hex+base64`), when it was hidden.
    public var decodedBy: String?

    public init(guardName: String, type: String, severity: String = "info", location: String? = nil, score: Double? = nil,
                action: String? = nil, start: Int? = nil, end: Int? = nil, decodedBy: String? = nil) {
        self.guardName = guardName
        self.type = type
        self.severity = severity
        self.location = location
        self.score = score
        self.action = action
        self.start = start
        self.end = end
        self.decodedBy = decodedBy
    }

    enum CodingKeys: String, CodingKey {
        case guardName = "guard"
        case type, severity, location, score, action, start, end
        case decodedBy = "decoded_by"
    }
}
