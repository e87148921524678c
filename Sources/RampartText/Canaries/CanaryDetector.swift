/// System-prompt canaries: a random token placed in a route's system prompt. The model has no reason to
/// repeat it, so its appearance in output means the system prompt leaked (guide: leaking of the system
/// prompt — Bing Chat, February 2023).
///
/// Matching ignores case and everything but letters and digits, so `C-N-Y 7K…`, `c n y 7 k …` and
/// `CNY7K…` all count; encoded copies (base64, hex, ROT13, …) are found by `TextScanner`'s decode-and-rescan.
public struct CanaryDetector: Sendable {
    /// The canary tokens, squeezed (lowercase letters and digits only).
    let canaries: [[UInt8]]

    public init(canaries: [String]) {
        self.canaries = canaries.map { Self.squeeze(Array($0.utf8)).bytes }.filter { $0.count >= 8 }
    }

    /// A new canary token: `cny` and 16 characters of lowercase base32 (80 bits) from the system's CSPRNG.
    ///
    /// ```swift
    /// let token = CanaryDetector.makeToken()   // "cnyk7qz2m4x…"
    /// ```
    public static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        return "cny" + String(decoding: (0..<16).map { _ in alphabet[Int(generator.next() % 32)] }, as: UTF8.self)
    }

    func recognize(_ t: [UInt8], into out: inout [Candidate]) {
        guard !canaries.isEmpty else { return }
        let squeezed = Self.squeeze(t)
        let bytes = squeezed.bytes
        for canary in canaries where canary.count <= bytes.count {
            // A plain scan on the first byte, then a compare: tokens are random, so false starts are short.
            let first = canary[0]
            var i = 0
            let last = bytes.count - canary.count
            while i <= last {
                guard bytes[i] == first else { i += 1; continue }
                var j = 1
                while j < canary.count, bytes[i + j] == canary[j] { j += 1 }
                if j == canary.count {
                    let range = squeezed.origins[i]..<(squeezed.origins[i + canary.count - 1] + 1)
                    out.append(Candidate(kind: .canary, type: "SYSTEM_PROMPT_CANARY", range: range, score: 1.0, priority: 110))
                    i += canary.count
                } else {
                    i += 1
                }
            }
        }
    }

    /// Letters and digits of `t`, lower-cased, with the byte offset each came from.
    static func squeeze(_ t: [UInt8]) -> (bytes: [UInt8], origins: [Int]) {
        var bytes: [UInt8] = []
        var origins: [Int] = []
        bytes.reserveCapacity(t.count)
        origins.reserveCapacity(t.count)
        for (offset, b) in t.enumerated() where ASCII.isAlnum(b) {
            bytes.append(ASCII.lower(b))
            origins.append(offset)
        }
        return (bytes, origins)
    }
}
