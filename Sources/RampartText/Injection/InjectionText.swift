/// The words of a text as the injection detector reads them: lower-cased, look-alikes folded to ASCII
/// (`Confusables`), leetspeak folded in words that mix letters and digits (`1gn0r3` → `ignore`), and letters
/// spelled out one by one (`i g n o r e`) joined back into words.
struct InjectionText {
    struct Token {
        var range: Range<Int>
        var hash: UInt64
        /// Hashes of the prefixes the lexicon uses, by length (0 where the word is shorter).
        var prefixHashes: [UInt64]
    }

    var tokens: [Token] = []

    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h = fnvOffset
        for b in bytes { h = (h ^ UInt64(b)) &* fnvPrime }
        return h
    }

    init(_ t: [UInt8], prefixLengths: [Int]) {
        var word: [UInt8] = []
        word.reserveCapacity(32)
        var wordStart = 0
        var hasDigit = false, hasLetter = false
        var i = 0
        var raw: [(range: Range<Int>, bytes: [UInt8])] = []
        func finish(at end: Int) {
            guard !word.isEmpty else { return }
            if hasDigit && hasLetter {
                for k in word.indices {
                    switch word[k] {
                    case UInt8(ascii: "0"): word[k] = UInt8(ascii: "o")
                    case UInt8(ascii: "1"): word[k] = UInt8(ascii: "i")
                    case UInt8(ascii: "3"): word[k] = UInt8(ascii: "e")
                    case UInt8(ascii: "4"): word[k] = UInt8(ascii: "a")
                    case UInt8(ascii: "5"): word[k] = UInt8(ascii: "s")
                    case UInt8(ascii: "7"): word[k] = UInt8(ascii: "t")
                    case UInt8(ascii: "8"): word[k] = UInt8(ascii: "b")
                    default: break
                    }
                }
            }
            raw.append((wordStart..<end, word))
            word.removeAll(keepingCapacity: true)
            hasDigit = false
            hasLetter = false
        }
        while i < t.count {
            let b = t[i]
            if b < 0x80 {
                if ASCII.isAlnum(b) {
                    if word.isEmpty { wordStart = i }
                    if ASCII.isDigit(b) { hasDigit = true } else { hasLetter = true }
                    word.append(ASCII.lower(b))
                } else {
                    finish(at: i)
                }
                i += 1
                continue
            }
            // Decode one scalar of (valid) UTF-8.
            let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
            var value = UInt32(b) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for k in 1..<length where i + k < t.count { value = value << 6 | UInt32(t[i + k] & 0x3F) }
            let next = min(t.count, i + length)
            if let folded = Confusables.latin[value] {
                if word.isEmpty { wordStart = i }
                hasLetter = true
                word.append(folded)
            } else if let scalar = Unicode.Scalar(value), scalar.properties.isAlphabetic {
                if word.isEmpty { wordStart = i }
                hasLetter = true
                word.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
            } else {
                finish(at: i)
            }
            i = next
        }
        finish(at: t.count)

        // Join letters spelled out one by one: "i g n o r e" → "ignore" (four or more, at most two bytes apart).
        var joined: [(range: Range<Int>, bytes: [UInt8])] = []
        var k = 0
        while k < raw.count {
            var m = k
            while m + 1 < raw.count, raw[m].bytes.count == 1, raw[m + 1].bytes.count == 1,
                  raw[m + 1].range.lowerBound - raw[m].range.upperBound <= 2 { m += 1 }
            if m - k >= 3 {
                joined.append((raw[k].range.lowerBound..<raw[m].range.upperBound, raw[k...m].flatMap(\.bytes)))
                k = m + 1
            } else {
                joined.append(raw[k])
                k += 1
            }
        }

        tokens.reserveCapacity(joined.count)
        for (range, bytes) in joined {
            var h = Self.fnvOffset
            var prefixes = [UInt64](repeating: 0, count: prefixLengths.count)
            var p = 0
            for (index, byte) in bytes.enumerated() {
                h = (h ^ UInt64(byte)) &* Self.fnvPrime
                while p < prefixLengths.count, prefixLengths[p] == index + 1 { prefixes[p] = h; p += 1 }
            }
            tokens.append(Token(range: range, hash: h, prefixHashes: prefixes))
        }
    }
}
