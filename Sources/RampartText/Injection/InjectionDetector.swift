/// Prompt-injection detector (guide: prompt injection, direct and indirect): scores how much a text reads as
/// instructions aimed at the model rather than content for it, and returns the evidence.
///
/// Two kinds of evidence, each with a weight: phrase patterns from `InjectionLexicon` (instruction override,
/// persona switch, system-prompt extraction, exfiltration requests — English and German), and structure that
/// breaks the prompt's format (chat-template tokens such as `<|im_start|>`, fake `system:` turns, closing
/// tags, markdown images whose URL carries data). The lexicon's score is a noisy-OR over the strongest piece of
/// evidence per category. A learned model (`InjectionModel`, hashed word n-grams, trained on data the evaluation
/// set never saw) scores the text too; its score is mapped so that its ≤ 1 %-false-positive operating point from
/// training becomes 0.5, and reported as `INJECTION_CLASSIFIER` evidence over its strongest window. The text's
/// score is the larger of the two. Encoded and smuggled variants reach both through `TextScanner`'s
/// decode-and-rescan.
///
/// ```swift
/// let verdict = InjectionDetector().detect(NormalizedText("Ignore all previous instructions.").utf8)
/// // verdict.score ≈ 0.9, verdict.evidence[0].category == "INSTRUCTION_OVERRIDE"
/// ```
public struct InjectionDetector: Sendable {
    public struct Evidence: Sendable, Equatable {
        public var category: String
        public var weight: Double
        /// Normalized bytes.
        public var range: Range<Int>
    }

    public struct Verdict: Sendable {
        public var score: Double
        public var evidence: [Evidence]
    }

    let lexicon: InjectionLexicon
    let model: InjectionModel?

    init(lexicon: InjectionLexicon = .builtIn, model: InjectionModel? = .shared) {
        self.lexicon = lexicon
        self.model = model
    }

    public init() {
        self.init(lexicon: .builtIn)
    }

    /// The model's probability mapped piecewise-linearly so that its training operating point lands on 0.5.
    static func calibrated(_ p: Double) -> Double {
        let t = InjectionModel.operatingThreshold
        return p >= t ? 0.5 + 0.5 * (p - t) / (1 - t) : 0.5 * p / t
    }

    /// Scores normalized UTF-8 text.
    public func detect(_ t: [UInt8]) -> Verdict {
        var evidence: [Evidence] = []
        phrases(t, into: &evidence)
        structure(t, into: &evidence)
        var learned = 0.0
        if let model {
            let verdict = model.score(t)
            learned = Self.calibrated(verdict.score)
            // Below 0.35 (short everyday text scores about 0.25) the model has nothing to say worth a span.
            if learned >= 0.35 { evidence.append(Evidence(category: "INJECTION_CLASSIFIER", weight: learned, range: verdict.range)) }
        }
        guard !evidence.isEmpty else { return Verdict(score: 0, evidence: []) }
        var strongest: [String: Double] = [:]
        for e in evidence where e.category != "INJECTION_CLASSIFIER" { strongest[e.category] = max(strongest[e.category] ?? 0, e.weight) }
        let score = max(learned, 1 - strongest.values.reduce(1) { $0 * (1 - $1) })
        evidence.sort { ($0.range.lowerBound, -$0.weight) < ($1.range.lowerBound, -$1.weight) }
        // Overlapping evidence of one category is one piece of evidence.
        var merged: [Evidence] = []
        for e in evidence {
            if let last = merged.indices.last(where: { merged[$0].category == e.category }), merged[last].range.upperBound > e.range.lowerBound {
                merged[last].range = merged[last].range.lowerBound..<max(merged[last].range.upperBound, e.range.upperBound)
                merged[last].weight = max(merged[last].weight, e.weight)
            } else {
                merged.append(e)
            }
        }
        return Verdict(score: (score * 1000).rounded() / 1000, evidence: merged)
    }

    private func phrases(_ t: [UInt8], into evidence: inout [Evidence]) {
        let text = InjectionText(t, lexicon: lexicon)
        let tokens = text.tokens
        var candidates: [Int32] = []
        for (i, token) in tokens.enumerated() where token.termCount > 0 {
            candidates.removeAll(keepingCapacity: true)
            for term in text.terms(of: token) {
                for pattern in lexicon.patternsByFirstTerm[Int(term)] where !candidates.contains(pattern) { candidates.append(pattern) }
            }
            for patternIndex in candidates {
                let pattern = lexicon.patterns[Int(patternIndex)]
                let slotTerms = lexicon.slotTerms[Int(patternIndex)]
                var j = i
                var matched = true
                for s in 1..<pattern.slots.count {
                    var found = false
                    var k = j + 1
                    while k < tokens.count, k <= j + 1 + pattern.slots[s].gap {
                        if text.terms(of: tokens[k]).contains(where: { slotTerms[s].contains($0) }) { found = true; break }
                        k += 1
                    }
                    guard found else { matched = false; break }
                    j = k
                }
                if matched {
                    evidence.append(Evidence(category: pattern.category, weight: pattern.weight, range: token.range.lowerBound..<tokens[j].range.upperBound))
                }
            }
        }
    }

    private static let templateTokens: [[UInt8]] = [
        "<|im_start|>", "<|im_end|>", "<|system|>", "<|user|>", "<|assistant|>", "<|endoftext|>", "[inst]", "[/inst]", "<<sys>>", "<</sys>>",
        "<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<start_of_turn>", "<end_of_turn>", "<|channel|>",
    ].map { Array($0.utf8) }
    private static let closingTags: [[UInt8]] = [
        "</system>", "<system>", "</instructions>", "<instructions>", "</user_input>", "</user>", "</context>", "</document>", "</data>",
        "</untrusted>", "<admin>", "</prompt>",
    ].map { Array($0.utf8) }
    private static let roleLabels: [(label: [UInt8], weight: Double)] = [
        ("system:", 0.65), ("### system", 0.65), ("### instruction", 0.6), ("[system]", 0.65), ("system message:", 0.65), ("assistant:", 0.4),
        ("human:", 0.4), ("user:", 0.35), ("### response", 0.45), ("```system", 0.6),
    ].map { (Array($0.0.utf8), $0.1) }
    private static let exfiltrationWords: [[UInt8]] = ["data", "secret", "password", "conv", "chat", "history", "token", "key", "prompt", "{", "[", "$", "%s", "<"]
        .map { Array($0.utf8) }

    private func structure(_ t: [UInt8], into evidence: inout [Evidence]) {
        let n = t.count
        var i = 0
        var lineStart = true
        while i < n {
            let b = t[i]
            if b == UInt8(ascii: "\n") { lineStart = true; i += 1; continue }
            if lineStart, b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { i += 1; continue }
            defer { lineStart = false }
            switch b {
            case UInt8(ascii: "<"), UInt8(ascii: "["):
                if let token = Self.templateTokens.first(where: { Self.hasPrefix(t, at: i, $0) }) {
                    evidence.append(Evidence(category: "DELIMITER_INJECTION", weight: 0.85, range: i..<i + token.count))
                } else if b == UInt8(ascii: "<"), let tag = Self.closingTags.first(where: { Self.hasPrefix(t, at: i, $0) }) {
                    evidence.append(Evidence(category: "DELIMITER_INJECTION", weight: 0.6, range: i..<i + tag.count))
                } else if b == UInt8(ascii: "<"), Self.hasPrefix(t, at: i, Array("<img".utf8)), let end = imageURL(t, from: i + 4) {
                    evidence.append(Evidence(category: "EXFILTRATION", weight: end.weight, range: i..<end.end))
                }
            case UInt8(ascii: "!") where i + 1 < n && t[i + 1] == UInt8(ascii: "["):
                // ![alt](https://host/path?data=…): the client fetches the URL when it renders the image.
                var k = i + 2
                while k < n, k - i < 512, t[k] != UInt8(ascii: "]"), t[k] != UInt8(ascii: "\n") { k += 1 }
                if k + 1 < n, t[k] == UInt8(ascii: "]"), t[k + 1] == UInt8(ascii: "("), let end = imageURL(t, from: k + 2) {
                    evidence.append(Evidence(category: "EXFILTRATION", weight: end.weight, range: i..<end.end))
                }
            default:
                break
            }
            if lineStart, let role = Self.roleLabels.first(where: { Self.hasPrefix(t, at: i, $0.label) }) {
                evidence.append(Evidence(category: "DELIMITER_INJECTION", weight: role.weight, range: i..<i + role.label.count))
            }
            i += 1
        }
    }

    /// An http(s) URL starting near `from`: where it ends and how strongly it looks like it carries data.
    private func imageURL(_ t: [UInt8], from: Int) -> (end: Int, weight: Double)? {
        var s = from
        while s < t.count, s - from < 16, t[s] != UInt8(ascii: "h") { s += 1 }
        guard Self.hasPrefix(t, at: s, Array("http".utf8)) else { return nil }
        var e = s
        while e < t.count, e - s < 4096, !ASCII.isSpace(t[e]), t[e] != UInt8(ascii: ")"), t[e] != UInt8(ascii: "\""), t[e] != UInt8(ascii: "'"), t[e] != UInt8(ascii: ">") { e += 1 }
        let url = Array(t[s..<e])
        guard let query = url.firstIndex(of: UInt8(ascii: "?")), url[query...].contains(UInt8(ascii: "=")) else { return (e, 0.3) }
        let carriesData = Self.exfiltrationWords.contains { word in
            url[query...].indices.contains { Self.hasPrefix(url, at: $0, word) }
        } || url.count - query > 64
        return (e, carriesData ? 0.85 : 0.5)
    }

    @inline(__always) static func hasPrefix(_ t: [UInt8], at i: Int, _ prefix: [UInt8]) -> Bool {
        guard i + prefix.count <= t.count else { return false }
        for k in 0..<prefix.count where ASCII.lower(t[i + k]) != prefix[k] { return false }
        return true
    }
}
