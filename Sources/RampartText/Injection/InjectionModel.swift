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
    ///
    /// Each word is hashed once (its unigram bucket and the bucket of the bigram it starts), then every window
    /// sums the distinct buckets of its slice: linear in the text, with windows overlapping by half.
    func score(_ t: [UInt8]) -> Verdict {
        var starts: [Int] = []
        var ends: [Int] = []
        var unigrams: [Int32] = []
        var prefixes: [UInt32] = []  // FNV state after "b" + word + " "
        var i = 0
        let n = t.count
        let dimension = UInt32(Self.dimension)
        while i < n {
            let b = t[i]
            guard ASCII.isAlnum(b) || b >= 0x80 else { i += 1; continue }
            let start = i
            while i < n, ASCII.isAlnum(t[i]) || t[i] >= 0x80 { i += 1 }
            var unigram = Self.uSeed
            var prefix = Self.bSeed
            for j in start..<min(i, start + 40) {
                let c = ASCII.lower(t[j])
                unigram = Self.fnv(unigram, c)
                prefix = Self.fnv(prefix, c)
            }
            starts.append(start)
            ends.append(i)
            unigrams.append(Int32(unigram % dimension))
            prefixes.append(Self.fnv(prefix, UInt8(ascii: " ")))
        }
        let count = starts.count
        // Bigram bucket k: the prefix of word k continued with the bytes of word k + 1.
        var bigrams = [Int32](repeating: 0, count: max(0, count - 1))
        for k in 0..<max(0, count - 1) {
            var h = prefixes[k]
            for j in starts[k + 1]..<min(ends[k + 1], starts[k + 1] + 40) { h = Self.fnv(h, ASCII.lower(t[j])) }
            bigrams[k] = Int32(h % dimension)
        }
        guard count > 0 else { return Verdict(score: window([]), range: 0..<0) }
        var best = Verdict(score: -1, range: 0..<0)
        var buckets: [Int32] = []
        buckets.reserveCapacity(2 * Self.windowTokens)
        var from = 0
        repeat {
            let to = min(count, from + Self.windowTokens)
            buckets.removeAll(keepingCapacity: true)
            buckets.append(contentsOf: unigrams[from..<to])
            if to - from > 1 { buckets.append(contentsOf: bigrams[from..<(to - 1)]) }
            let p = window(buckets)
            if p > best.score { best = Verdict(score: p, range: starts[from]..<ends[to - 1]) }
            from += Self.windowStride
        } while from < max(1, count - Self.windowStride)
        return best
    }

    /// A window's probability from its (not yet distinct) buckets.
    private func window(_ buckets: [Int32]) -> Double {
        var sorted = buckets
        sorted.sort()
        var sum = 0
        var distinct = 0
        var last: Int32 = -1
        for bucket in sorted where bucket != last {
            sum += Int(weights[Int(bucket)])
            distinct += 1
            last = bucket
        }
        let z = Self.bias + Self.scale * Double(sum) / Double(max(1, distinct)).squareRoot()
        return 1 / (1 + exp(-z))
    }

    static let uSeed = fnv(0x811C9DC5, UInt8(ascii: "u"))
    static let bSeed = fnv(0x811C9DC5, UInt8(ascii: "b"))

    @inline(__always) static func fnv(_ h: UInt32, _ b: UInt8) -> UInt32 {
        (h ^ UInt32(b)) &* 0x01000193
    }
}
