import Crypto
import Foundation
import RampartCore
import RampartText

/// A guard stopped the request or the response.
struct GuardBlock: Error, Sendable {
    enum Stage: String, Sendable { case input, output }

    var stage: Stage
    /// `injection`, `pii`, `secrets`, `invisible`, `canary`, `guard_error`.
    var guardName: String
    /// The finding's type, e.g. `INSTRUCTION_OVERRIDE`.
    var type: String

    /// Stable reason code, recorded as the decision's `reason` and sent as the error `code`.
    var code: RefusalCode {
        switch (stage, guardName) {
        case (.input, "injection"): .promptInjection
        case (.input, "invisible"): .invisibleText
        case (.output, "canary"): .systemPromptLeak
        case (.output, "exfiltration"): .exfiltrationLink
        case (_, "guard_error"): .guardError
        case (.input, "secrets"): .secretInInput
        case (.output, "secrets"): .secretInOutput
        case (.input, _): .piiInInput
        case (.output, _): .piiInOutput
        }
    }

    /// What the caller is told (never the text that was found).
    var message: String {
        switch code {
        case .promptInjection: return "the request was blocked: it looks like a prompt injection (\(type))"
        case .invisibleText: return "the request was blocked: it contains invisible characters (\(type))"
        case .systemPromptLeak: return "the response was withheld: it would have revealed the system prompt"
        case .exfiltrationLink: return "the response was withheld: it contained an image or link that would send data to another site (\(type))"
        case .guardError: return "a guard could not check this \(stage.rawValue) (\(type)), so it was withheld (guards fail closed; see `on_error`)"
        default:
            let what = guardName == "pii" ? "personal data" : "a secret"
            return stage == .input
                ? "the request was blocked: it contains \(what) (\(type)); remove it and try again"
                : "the response was withheld: it contained \(what) (\(type))"
        }
    }
}
