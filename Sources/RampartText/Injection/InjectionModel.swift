import Foundation

/// The learned half of the injection detector: logistic regression over hashed word unigrams and bigrams, trained by
/// `scripts/injection/train.py` on `data/injection/train.jsonl` (sources in data/injection/SOURCES.md; the evaluation
/// set is never trained on) and shipped as int8 weights in `InjectionModel+weights.swift`.
///
/// Features, exactly as `scripts/injection/features.py` computes them: ASCII letters lower-cased; words are runs of
/// ASCII letters, digits and non-ASCII bytes, cut at 40 bytes; windows of 48 words, stride 24; per window the set of
/// buckets `FNV-1a-32("u" + word) mod D` and `FNV-1a-32("b" + word + " " + next) mod D`. A window scores
/// `σ(bias + scale · Σ w[bucket] / √|buckets|)`, a text the maximum over its windows — so one injected paragraph in a
/// long retrieved document still scores high.
struct InjectionModel: Sendable {
    static let shared = InjectionModel()

    let weights: [Int8]

    init() {
        let data = Data(base64Encoded: Self.weightsBase64) ?? Data()
        weights = data.count == Self.dimension ? data.map { Int8(bitPattern: $0) } : [Int8](repeating: 0, count: Self.dimension)
    }

    struct Verdict {
        var score: Double
        /// Bytes of the best window.
        var range: Range<Int>
    }

    /// The model's score for normalized UTF-8 bytes (NFKC, invisible characters removed: `NormalizedText`).
    func score(_ t: [UInt8]) -> Verdict {
        // Words: byte ranges.
        var starts: [Int] = []
        var ends: [Int] = []
        var i = 0
        let n = t.count
        while i < n {
            let b = t[i]
            guard ASCII.isAlnum(b) || b >= 0x80 else { i += 1; continue }
            let start = i
            while i < n, ASCII.isAlnum(t[i]) || t[i] >= 0x80 { i += 1 }
            starts.append(start)
            ends.append(i)
        }
        let count = starts.count
        guard count > 0 else { return Verdict(score: window(t, starts, ends, 0..<0), range: 0..<0) }
        var best = Verdict(score: -1, range: 0..<0)
        var from = 0
        repeat {
            let range = from..<min(count, from + Self.windowTokens)
            let p = window(t, starts, ends, range)
            if p > best.score { best = Verdict(score: p, range: starts[range.lowerBound]..<ends[range.upperBound - 1]) }
            from += Self.windowStride
        } while from < max(1, count - Self.windowStride)
        return best
    }

    private func window(_ t: [UInt8], _ starts: [Int], _ ends: [Int], _ words: Range<Int>) -> Double {
        var buckets = Set<Int>()
        buckets.reserveCapacity(words.count * 2)
        var previous: UInt32?  // hash state of "b" + previous word + " "
        for k in words {
            let end = min(ends[k], starts[k] + 40)
            var unigram: UInt32 = 0x811C9DC5
            unigram = Self.fnv(unigram, UInt8(ascii: "u"))
            var bigram = previous
            for j in starts[k]..<end {
                let b = ASCII.lower(t[j])
                unigram = Self.fnv(unigram, b)
                if let state = bigram { bigram = Self.fnv(state, b) }
            }
            buckets.insert(Int(unigram % UInt32(Self.dimension)))
            if let bigram { buckets.insert(Int(bigram % UInt32(Self.dimension))) }
            // Start the next bigram: "b" + this word + " ".
            var state: UInt32 = Self.fnv(0x811C9DC5, UInt8(ascii: "b"))
            for j in starts[k]..<end { state = Self.fnv(state, ASCII.lower(t[j])) }
            previous = Self.fnv(state, UInt8(ascii: " "))
        }
        var sum = 0
        for bucket in buckets { sum += Int(weights[bucket]) }
        let z = Self.bias + Self.scale * Double(sum) / Double(max(1, buckets.count)).squareRoot()
        return 1 / (1 + exp(-z))
    }

    @inline(__always) static func fnv(_ h: UInt32, _ b: UInt8) -> UInt32 {
        (h ^ UInt32(b)) &* 0x01000193
    }
}
