import Crypto
import Foundation
import RampartCore
import RampartText

/// The guards of one route, built once from its `guards:` config and shared by all its requests. Per-request state
/// (the vault, the canary, the stream's held-back text) lives with the request, never here (guards "never
/// see another tenant's state").
struct RouteGuards: Sendable {
    let config: GuardsConfig
    let inputScanner: TextScanner?
    /// The input scanner without the injection detector, for system prompts and earlier assistant turns.
    let trustedScanner: TextScanner?
    let outputScanner: TextScanner?
    private let pseudonymKey: SymmetricKey?
    /// Most findings one decision record keeps; the rest are counted in one `MORE_FINDINGS` entry.
    static let maxRecordedFindings = 100

    init(config: GuardsConfig, route: String, environment: [String: String]) throws(GatewayStartError) {
        self.config = config
        var input: Set<TextFinding.Kind> = []
        if config.inputInjection != .off { input.insert(.injection) }
        if config.inputPII != .off { input.insert(.pii) }
        if config.inputSecrets != .off { input.insert(.secret) }
        if config.inputInvisible != .off { input.insert(.invisible) }
        var output: Set<TextFinding.Kind> = []
        if config.outputPII != .off { output.insert(.pii) }
        if config.outputSecrets != .off { output.insert(.secret) }
        if config.outputCanary != .off { output.insert(.canary) }
        // Scanners keep candidates down to `pii_min_score` when it is below the default 0.5; the guards hold other
        // kinds to 0.5 themselves.
        let floor = min(config.piiMinScore, 0.5)
        inputScanner = input.isEmpty ? nil : TextScanner(options: .init(kinds: input, minimumScore: floor))
        let trusted = input.subtracting([.injection])
        trustedScanner = trusted.isEmpty ? nil : TextScanner(options: .init(kinds: trusted, minimumScore: floor))
        outputScanner = output.isEmpty ? nil : TextScanner(options: .init(kinds: output, minimumScore: floor))
        if let name = config.pseudonymKeyEnv {
            guard let value = environment[name], value.utf8.count >= 32 else {
                throw GatewayStartError(message: "route `\(route)`: environment variable \(name) (pseudonym_key_env) must hold a key of at least 32 bytes; generate one with `openssl rand -hex 32`")
            }
            pseudonymKey = SymmetricKey(data: Array(value.utf8))
        } else {
            pseudonymKey = nil
        }
    }

    // MARK: - Operators

    /// The redaction operator for a PII type; `nil` when the config turns that type off.
    func piiOperator(_ type: String) -> RedactionOperator? {
        let name = config.entities[type] ?? config.redaction
        return RedactionOperator(rawValue: name)
    }

    /// A redactor whose pseudonyms are keyed per tenant: HMAC-SHA-256(HMAC-SHA-256(key, tenant), type ‖ 0 ‖ value),
    /// first 6 bytes in hex — consistent for one tenant, unlinkable across tenants.
    func redactor(tenant: String?) -> Redactor {
        guard let pseudonymKey else { return Redactor() }
        let tenantKey = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array("rampart-pseudonym\u{0}\(tenant ?? "")".utf8), using: pseudonymKey)))
        return Redactor { type, value in
            let mac = HMAC<SHA256>.authenticationCode(for: Array((type + "\u{0}" + value).utf8), using: tenantKey)
            return Hex.encode(Data(mac).prefix(6))
        }
    }

    // MARK: - Input

    /// The result of guarding one piece of text.
    struct Outcome {
        var text: String
        var changed = false
        var findings: [Finding] = []
        var block: GuardBlock?
    }

    /// Whose words a text is, for the injection guard.
    enum Voice {
        /// The user's own message: `injection_threshold`.
        case user
        /// Content that is not the user's own words — tool results, retrieved documents, embedded documents:
        /// `indirect_injection_threshold` (guide: indirect prompt injection through source data).
        case data
        /// The operator's system prompt or the model's earlier turns: not checked for injection.
        case trusted
    }

    /// Guards one text of the request.
    func guardInput(_ text: String, voice: Voice, location: String, redactor: Redactor, vault: inout RedactionVault) -> Outcome {
        var outcome = Outcome(text: text)
        guard let scanner = voice == .trusted ? trustedScanner : inputScanner, !text.isEmpty else { return outcome }
        let threshold = switch voice {
        case .user: config.injectionThreshold
        case .data: config.indirectInjectionThreshold
        case .trusted: Double.infinity
        }
        var edits: [TextEdit] = []
        var toRedact: [TextFinding] = []
        for f in scanner.scan(text) {
            let guardName: String
            let action: GuardsConfig.Action
            switch f.kind {
            case .injection:
                guard f.score >= threshold else { continue }
                (guardName, action) = ("injection", config.inputInjection)
            case .pii:
                guard f.score >= config.piiMinScore, piiOperator(f.type) != nil else { continue }
                (guardName, action) = ("pii", config.inputPII)
            case .secret:
                guard f.score >= 0.5 else { continue }
                (guardName, action) = ("secrets", config.inputSecrets)
            case .invisible:
                (guardName, action) = ("invisible", config.inputInvisible)
            case .canary:
                continue
            }
            guard action != .off else { continue }
            outcome.findings.append(Self.finding(f, guardName: guardName, action: action, location: location))
            switch action {
            case .block:
                if outcome.block == nil { outcome.block = GuardBlock(stage: .input, guardName: guardName, type: f.type) }
            case .strip:
                edits.append(TextEdit(start: f.start, end: f.end, replacement: ""))
            case .redact:
                if f.kind == .pii { toRedact.append(f) } else { edits.append(TextEdit(start: f.start, end: f.end, replacement: "[REDACTED:\(f.type)]")) }
            case .flag, .off:
                break
            }
        }
        guard outcome.block == nil else { return outcome }
        edits += redactor.edits(for: toRedact, in: text, vault: &vault) { piiOperator($0.type) }
        if !edits.isEmpty {
            outcome.text = TextEdit.apply(edits, to: text)
            outcome.changed = true
        }
        return outcome
    }

    static func finding(_ f: TextFinding, guardName: String, action: GuardsConfig.Action, location: String, offset: Int = 0) -> Finding {
        let (verb, severity): (String, String) = switch action {
        case .block: ("blocked", "high")
        case .redact: ("redacted", "medium")
        case .strip: ("stripped", "medium")
        default: ("flagged", "low")
        }
        return Finding(guardName: guardName, type: f.type, severity: severity, location: location, score: (f.score * 1000).rounded() / 1000,
                       action: verb, start: f.start + offset, end: f.end + offset, decodedBy: f.decodedByLabel)
    }

    /// `findings` cut to the record's budget.
    static func capped(_ findings: [Finding]) -> [Finding] {
        guard findings.count > maxRecordedFindings else { return findings }
        var kept = Array(findings.prefix(maxRecordedFindings))
        kept.append(Finding(guardName: "rampart", type: "MORE_FINDINGS", severity: "info", score: Double(findings.count - maxRecordedFindings)))
        return kept
    }

    // MARK: - Output

    /// Guards a stretch of generated text that is ready to be released: scans `pending`, releases all of it when
    /// `final`, else all but the last `stream_window` characters (and never half of a finding or of a placeholder).
    /// Released text has PII and secrets redacted as configured and the request's placeholders restored.
    func guardOutput(_ pending: String, final: Bool, canary: String?, location: String, offset: Int, redactor: Redactor,
                     vault: RedactionVault) -> (released: String, rest: String, findings: [Finding], block: GuardBlock?) {
        guard outputScanner != nil || config.outputExfiltration != .off, !pending.isEmpty else {
            if final || pending.isEmpty { return (vault.restore(pending), "", [], nil) }
            return Self.holdPlaceholder(pending, vault: vault)
        }
        let scalars = Array(pending.unicodeScalars)
        var relevant: [(TextFinding, String, GuardsConfig.Action)] = []
        for f in outputScanner?.scan(pending, canaries: canary.map { [$0] } ?? []) ?? [] {
            switch f.kind {
            case .canary where config.outputCanary != .off: relevant.append((f, "canary", config.outputCanary))
            case .secret where config.outputSecrets != .off && f.score >= 0.5: relevant.append((f, "secrets", config.outputSecrets))
            case .pii where config.outputPII != .off && f.score >= config.piiMinScore && piiOperator(f.type) != nil:
                relevant.append((f, "pii", config.outputPII))
            default: continue
            }
        }
        if config.outputExfiltration != .off {
            for link in LinkScanner.find(pending, allowedHosts: config.allowedHosts) {
                relevant.append((TextFinding(kind: .injection, type: link.type, start: link.start, end: link.end, score: 1), "exfiltration",
                                 config.outputExfiltration))
            }
        }
        if let (f, name, _) = relevant.first(where: { $0.2 == .block }) {
            return ("", pending, [Self.finding(f, guardName: name, action: .block, location: location, offset: offset)],
                    GuardBlock(stage: .output, guardName: name, type: f.type))
        }
        var cut = final ? scalars.count : max(0, scalars.count - config.streamWindow)
        if !final {
            for (f, _, _) in relevant where f.start < cut && f.end > cut { cut = min(cut, f.start) }
            if let open = RedactionVault.openPlaceholderStart(in: scalars, before: cut) { cut = open }
        }
        var findings: [Finding] = []
        var edits: [TextEdit] = []
        var outputVault = RedactionVault()  // output placeholders are not restorable
        for (f, name, action) in relevant where f.end <= cut {
            findings.append(Self.finding(f, guardName: name, action: action, location: location, offset: offset))
            guard action == .redact else { continue }
            if f.kind == .pii, let op = piiOperator(f.type), op != .placeholder {
                let value = String(String.UnicodeScalarView(scalars[f.start..<f.end]))
                edits.append(TextEdit(start: f.start, end: f.end, replacement: redactor.replacement(for: f, value: value, operator: op, vault: &outputVault)))
            } else {
                edits.append(TextEdit(start: f.start, end: f.end, replacement: "[REDACTED:\(f.type)]"))
            }
        }
        let head = String(String.UnicodeScalarView(scalars[..<cut]))
        let rest = String(String.UnicodeScalarView(scalars[cut...]))
        return (Self.apply(edits, to: head, restoring: vault), rest, findings, nil)
    }

    /// Without output scanners a stream only needs to keep placeholders whole.
    private static func holdPlaceholder(_ pending: String, vault: RedactionVault) -> (String, String, [Finding], GuardBlock?) {
        guard !vault.isEmpty else { return (pending, "", [], nil) }
        let scalars = Array(pending.unicodeScalars)
        let cut = RedactionVault.openPlaceholderStart(in: scalars, before: scalars.count) ?? scalars.count
        return (vault.restore(String(String.UnicodeScalarView(scalars[..<cut]))), String(String.UnicodeScalarView(scalars[cut...])), [], nil)
    }

    /// `text` with `edits` applied and the vault's placeholders restored in the text between edits only — a
    /// replacement made here is never turned back into the value it hides.
    static func apply(_ edits: [TextEdit], to text: String, restoring vault: RedactionVault) -> String {
        guard !edits.isEmpty else { return vault.restore(text) }
        let scalars = Array(text.unicodeScalars)
        var out = ""
        var at = 0
        for edit in edits.sorted(by: { $0.start < $1.start }) where edit.start >= at {
            out += vault.restore(String(String.UnicodeScalarView(scalars[at..<edit.start])))
            out += edit.replacement
            at = edit.end
        }
        out += vault.restore(String(String.UnicodeScalarView(scalars[at...])))
        return out
    }
}
