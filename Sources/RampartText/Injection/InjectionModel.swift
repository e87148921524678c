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
        t.withUnsafeBufferPointer { score($0) }
    }

    private struct Word {
        var start: Int32
        var end: Int32
        var unigram: Int32
        /// The bucket of the bigram this word starts (filled in when the next word is read).
        var bigram: Int32
    }

    private func score(_ t: UnsafeBufferPointer<UInt8>) -> Verdict {
        var words: [Word] = []
        words.reserveCapacity(t.count / 5 + 1)
        let n = t.count
        let dimension = UInt32(Self.dimension)
        var open: UInt32? = nil  // FNV state of the previous word's bigram: "b" + word + " " + this word so far
        var i = 0
        while i < n {
            let b = t[i]
            guard ASCII.isAlnum(b) || b >= 0x80 else { i += 1; continue }
            let start = i
            var unigram = Self.uSeed
            var prefix = Self.bSeed
            var bigram = open ?? 0
            let cut = min(n, start + 40)
            while i < n, ASCII.isAlnum(t[i]) || t[i] >= 0x80 {
                if i < cut {
                    let c = ASCII.lower(t[i])
                    unigram = Self.fnv(unigram, c)
                    prefix = Self.fnv(prefix, c)
                    bigram = Self.fnv(bigram, c)
                }
                i += 1
            }
            if open != nil { words[words.count - 1].bigram = Int32(bigram % dimension) }
            words.append(Word(start: Int32(start), end: Int32(i), unigram: Int32(unigram % dimension), bigram: -1))
            open = Self.fnv(prefix, UInt8(ascii: " "))
        }
        let count = words.count
        var seen = DistinctBuckets()
        guard count > 0 else { return Verdict(score: window(sum: 0, distinct: 0), range: 0..<0) }
        var best = Verdict(score: -1, range: 0..<0)
        var from = 0
        repeat {
            let to = min(count, from + Self.windowTokens)
            seen.clear()
            var sum = 0
            var distinct = 0
            for k in from..<to {
                let word = words[k]
                if seen.insert(word.unigram) { sum += Int(weights[Int(word.unigram)]); distinct += 1 }
                // The window's last word starts no bigram inside it.
                if k + 1 < to, seen.insert(word.bigram) { sum += Int(weights[Int(word.bigram)]); distinct += 1 }
            }
            let p = window(sum: sum, distinct: distinct)
            if p > best.score { best = Verdict(score: p, range: Int(words[from].start)..<Int(words[to - 1].end)) }
            from += Self.windowStride
        } while from < max(1, count - Self.windowStride)
        return best
    }

    /// A window's probability from the sum of its distinct buckets' weights.
    private func window(sum: Int, distinct: Int) -> Double {
        let z = Self.bias + Self.scale * Double(sum) / Double(max(1, distinct)).squareRoot()
        return 1 / (1 + exp(-z))
    }

    /// The distinct buckets of one window (at most 2 × 48 − 1): open addressing over 256 slots, cleared by
    /// bumping a generation instead of writing the table.
    private struct DistinctBuckets {
        private var keys = [Int32](repeating: 0, count: 256)
        private var stamps = [UInt32](repeating: 0, count: 256)
        private var generation: UInt32 = 0

        mutating func clear() { generation &+= 1 }

        /// Whether `bucket` was new.
        mutating func insert(_ bucket: Int32) -> Bool {
            var slot = Int((UInt32(bitPattern: bucket) &* 0x9E37_79B1) >> 24)
            while stamps[slot] == generation {
                if keys[slot] == bucket { return false }
                slot = (slot + 1) & 255
            }
            stamps[slot] = generation
            keys[slot] = bucket
            return true
        }
    }

    static let uSeed = fnv(0x811C9DC5, UInt8(ascii: "u"))
    static let bSeed = fnv(0x811C9DC5, UInt8(ascii: "b"))

    @inline(__always) static func fnv(_ h: UInt32, _ b: UInt8) -> UInt32 {
        (h ^ UInt32(b)) &* 0x01000193
    }
}
