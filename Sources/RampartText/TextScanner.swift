import Foundation

/// Scans text for personal data, secrets, prompt injection, invisible characters and system-prompt canaries — in the text as
/// sent and in whatever its encoded segments decode to.
///
/// A scan normalizes the text (`NormalizedText`: NFKC, invisible characters out), runs every recognizer over
/// it in one pass each, resolves overlaps (a validated card wins over the phone number its digits also form),
/// then decodes each encoded segment (base64, base32, hex, percent, HTML entities, `\u` escapes, Unicode tag
/// characters) and scans the result the same way, down to `maxDecodeDepth`. Scanning is pure and `Sendable`:
/// one scanner serves every request.
///
/// ```swift
/// let scanner = TextScanner()
/// for finding in scanner.scan("card 4111 1111 1111 1111, key AKIAIOSFODNN7EXAMPLE") {
///     print(finding.type, finding.start, finding.end)   // CREDIT_CARD 5 24 · AWS_ACCESS_KEY_ID 30 50
/// }
/// ```
public struct TextScanner: Sendable {
    public struct Options: Sendable {
        /// The kinds of findings to look for (default: all).
        public var kinds: Set<TextFinding.Kind>
        /// Only these entity types (`EMAIL`, `PASSWORD`, …); `nil` (default) for all.
        public var types: Set<String>?
        /// Findings scoring below this are dropped (default 0.5; Presidio's default is 0).
        public var minimumScore: Double
        /// How many decodings deep to rescan (default 2: base64 inside hex is found, a third layer is not).
        public var maxDecodeDepth: Int
        /// Budget of decoded bytes per scan (default 1 MiB), so a crafted input cannot multiply the work.
        public var maxDecodedBytes: Int
        /// System-prompt canary tokens to look for.
        public var canaries: [String]
        /// Latest plausible year of birth (default: this year).
        public var currentYear: Int

        public init(kinds: Set<TextFinding.Kind> = Set(TextFinding.Kind.allCases), types: Set<String>? = nil, minimumScore: Double = 0.5,
                    maxDecodeDepth: Int = 2, maxDecodedBytes: Int = 1 << 20, canaries: [String] = [],
                    currentYear: Int = Calendar(identifier: .gregorian).component(.year, from: Date())) {
            self.kinds = kinds
            self.types = types
            self.minimumScore = minimumScore
            self.maxDecodeDepth = maxDecodeDepth
            self.maxDecodedBytes = maxDecodedBytes
            self.canaries = canaries
            self.currentYear = currentYear
        }
    }

    /// Every entity type of kind `pii` a scan can report.
    public static let piiTypes: Set<String> = [
        "EMAIL", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "PHONE_NUMBER", "US_SSN", "UK_NINO", "DATE_OF_BIRTH", "PERSON",
        "STREET_ADDRESS",
    ]

    public let options: Options
    private let secrets = SecretRecognizer()
    private let dates: DateOfBirthRecognizer
    private let canary: CanaryDetector
    private let injection = InjectionDetector()

    public init(options: Options = Options()) {
        self.options = options
        self.dates = DateOfBirthRecognizer(currentYear: options.currentYear)
        self.canary = CanaryDetector(canaries: options.canaries)
    }

    /// The findings in `text`, ordered by start offset.
    public func scan(_ text: String) -> [TextFinding] {
        scan(text, canary: canary)
    }

    /// The findings in `text`, looking for these canary tokens instead of the ones in `options` — for canaries made
    /// per request, as the gateway does.
    public func scan(_ text: String, canaries: [String]) -> [TextFinding] {
        scan(text, canary: CanaryDetector(canaries: canaries))
    }

    private func scan(_ text: String, canary: CanaryDetector) -> [TextFinding] {
        let normalized = NormalizedText(text)
        var budget = options.maxDecodedBytes
        var findings: [TextFinding] = []
        scan(normalized, depth: 0, chain: [], canary: canary, into: &findings, budget: &budget) { normalized.originalRange($0) }
        if options.maxDecodeDepth > 0 {
            for hidden in normalized.smuggled where budget >= hidden.text.count {
                budget -= hidden.text.count
                let inner = NormalizedText(String(decoding: hidden.text, as: UTF8.self))
                scan(inner, depth: 1, chain: ["unicode_tags"], canary: canary, into: &findings, budget: &budget) { _ in hidden.range }
            }
        }
        findings.sort { ($0.start, $0.end, $0.type) < ($1.start, $1.end, $1.type) }
        return findings
    }

    private func scan(_ text: NormalizedText, depth: Int, chain: [String], canary: CanaryDetector, into findings: inout [TextFinding], budget: inout Int,
                      map: (Range<Int>) -> Range<Int>) {
        let decodedBy = chain.isEmpty ? nil : chain
        if options.kinds.contains(.invisible) {
            for var finding in text.invisible where wanted(finding.type) {
                if depth > 0 {
                    let range = map(finding.start..<finding.end)
                    finding.start = range.lowerBound
                    finding.end = range.upperBound
                    finding.decodedBy = decodedBy
                }
                findings.append(finding)
            }
        }
        let t = text.utf8
        var candidates: [Candidate] = []
        if options.kinds.contains(.pii) {
            EmailRecognizer().recognize(t, into: &candidates)
            PaymentCardRecognizer().recognize(t, into: &candidates)
            IBANRecognizer().recognize(t, into: &candidates)
            IPAddressRecognizer().recognize(t, into: &candidates)
            NationalIDRecognizer().recognize(t, into: &candidates)
            PhoneNumberRecognizer().recognize(t, into: &candidates)
            dates.recognize(t, into: &candidates)
            if wanted("PERSON") || wanted("STREET_ADDRESS") {
                let words = WordTokens(t)
                if wanted("PERSON") { PersonRecognizer().recognize(t, words: words, into: &candidates) }
                if wanted("STREET_ADDRESS") { AddressRecognizer().recognize(t, words: words, into: &candidates) }
            }
        }
        if options.kinds.contains(.secret) {
            secrets.recognize(t, into: &candidates)
        }
        if options.kinds.contains(.canary) {
            canary.recognize(t, into: &candidates)
        }
        // Drop weak and unwanted candidates first, so a phone number scored below the threshold cannot shadow the
        // address it overlaps.
        candidates.removeAll { $0.score < options.minimumScore || !wanted($0.type) }
        for candidate in Self.resolveOverlaps(candidates) {
            let range = map(candidate.range)
            findings.append(TextFinding(kind: candidate.kind, type: candidate.type, start: range.lowerBound, end: range.upperBound,
                                        score: candidate.score, decodedBy: decodedBy))
        }
        // Injection evidence is reported at any score: the score is the text's, and thresholds are the caller's
        // (the gateway blocks user input and retrieved content at different ones).
        var injectionScore = 0.0
        if options.kinds.contains(.injection) {
            let verdict = injection.detect(t)
            injectionScore = verdict.score
            appendInjection(verdict, decodedBy: decodedBy, map: map, into: &findings)
        }
        guard depth < options.maxDecodeDepth else { return }
        // ROT13 hides instructions and canaries, not card numbers: rescan the rotated text for those only.
        let wantsCanary = options.kinds.contains(.canary) && !canary.canaries.isEmpty
        if depth == 0, wantsCanary || options.kinds.contains(.injection) {
            if wantsCanary {
                var rotated: [Candidate] = []
                canary.recognize(t.map(Self.rot13), into: &rotated)
                for candidate in rotated {
                    let range = map(candidate.range)
                    findings.append(TextFinding(kind: .canary, type: candidate.type, start: range.lowerBound, end: range.upperBound, score: 1, decodedBy: ["rot13"]))
                }
            }
            // The injection detector is the costly part: run it again only when words read more like English rotated
            // than as written, with just those words turned back (offsets still match).
            if options.kinds.contains(.injection), let mixed = Self.rotatedWords(t) {
                let verdict = injection.detect(mixed)
                if verdict.score >= 0.5, verdict.score > injectionScore { appendInjection(verdict, decodedBy: ["rot13"], map: map, into: &findings) }
            }
        }
        for segment in EncodedSegment.find(in: t) where budget >= segment.decoded.count {
            budget -= segment.decoded.count
            let outer = map(segment.range)
            let inner = NormalizedText(String(decoding: segment.decoded, as: UTF8.self))
            scan(inner, depth: depth + 1, chain: chain + [segment.decoding], canary: canary, into: &findings, budget: &budget) { _ in outer }
        }
    }

    private func appendInjection(_ verdict: InjectionDetector.Verdict, decodedBy: [String]?, map: (Range<Int>) -> Range<Int>,
                                 into findings: inout [TextFinding]) {
        for evidence in verdict.evidence where wanted(evidence.category) {
            let range = map(evidence.range)
            findings.append(TextFinding(kind: .injection, type: evidence.category, start: range.lowerBound, end: range.upperBound,
                                        score: verdict.score, decodedBy: decodedBy))
        }
    }

    private func wanted(_ type: String) -> Bool { options.types?.contains(type) ?? true }

    /// ln of English letter frequencies (a…z), to tell a ROT13-encoded word from a plain one.
    static let letterLogFrequency: [Double] = [
        8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.77, 4.0, 2.4, 6.7, 7.5, 1.9, 0.095, 6.0, 6.3, 9.1, 2.8, 0.98, 2.4,
        0.15, 2.0, 0.074,
    ].map { log($0) }

    /// Per byte: how much more English the letter reads rotated than as written (ln frequency ratio), 0 for
    /// non-letters — a table, so the per-word test is one add per letter.
    static let rotationGain: [Double] = (0..<256).map { b in
        let byte = UInt8(b)
        guard ASCII.isAlpha(byte) else { return 0 }
        let c = Int(ASCII.lower(byte) - 97)
        return letterLogFrequency[(c + 13) % 26] - letterLogFrequency[c]
    }

    /// `t` with the words that read more like English rotated than as written rotated back (other words, and all
    /// offsets, stay as they are), or `nil` when too few words do — so the costly second injection pass runs only
    /// over text that carries ROT13, whole or mixed into plain text.
    static func rotatedWords(_ t: [UInt8]) -> [UInt8]? {
        var flips: [Range<Int>] = []
        var words = 0
        var i = 0
        let gains = rotationGain
        while i < t.count {
            guard ASCII.isAlpha(t[i]) else { i += 1; continue }
            let start = i
            var gain = 0.0
            while i < t.count, ASCII.isAlpha(t[i]) {
                gain += gains[Int(t[i])]
                i += 1
            }
            guard i - start >= 3 else { continue }
            words += 1
            if gain > 1.5 { flips.append(start..<i) }
        }
        guard flips.count >= 2, flips.count * 5 >= words else { return nil }
        var out = t
        for range in flips {
            for k in range { out[k] = rot13(out[k]) }
        }
        return out
    }

    @inline(__always) static func rot13(_ b: UInt8) -> UInt8 {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return (b - 0x61 + 13) % 26 + 0x61
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return (b - 0x41 + 13) % 26 + 0x41
        default: return b
        }
    }

    /// Keeps the strongest of overlapping candidates: higher priority, then longer, then higher score.
    static func resolveOverlaps(_ candidates: [Candidate]) -> [Candidate] {
        guard candidates.count > 1 else { return candidates }
        let ranked = candidates.sorted {
            ($0.priority, $0.range.count, $0.score, -$0.range.lowerBound) > ($1.priority, $1.range.count, $1.score, -$1.range.lowerBound)
        }
        var kept: [Candidate] = []
        var taken: [Range<Int>] = []  // sorted by lowerBound, non-overlapping
        for candidate in ranked {
            // First taken range ending after our start.
            var low = 0, high = taken.count
            while low < high {
                let mid = (low + high) / 2
                if taken[mid].upperBound <= candidate.range.lowerBound { low = mid + 1 } else { high = mid }
            }
            if low < taken.count, taken[low].lowerBound < candidate.range.upperBound { continue }
            taken.insert(candidate.range, at: low)
            kept.append(candidate)
        }
        return kept.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }
}
