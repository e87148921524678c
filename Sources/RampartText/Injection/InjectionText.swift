/// The words of a text as the injection detector reads them: lower-cased, look-alikes folded to ASCII
/// (`Confusables`), leetspeak folded in words that mix letters and digits (`1gn0r3` → `ignore`), and letters
/// spelled out one by one (`i g n o r e`) joined back into words — each word already looked up in the lexicon,
/// so matching patterns touches only the few words the lexicon knows.
///
/// One pass over the bytes, no allocation per word: a word's bytes (its first 64) go to one reused buffer, and its
/// terms (the lexicon's word and prefix entries it matches) to one shared list.
struct InjectionText {
    struct Token {
        var range: Range<Int>
        /// The token's lexicon terms: `terms[termStart ..< termStart + termCount]`.
        var termStart: Int32
        var termCount: Int32
        /// The folded byte of a one-letter word (for joining spelled-out letters), 0 otherwise.
        var single: UInt8
    }

    private(set) var tokens: [Token] = []
    private(set) var terms: [Int32] = []

    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h = fnvOffset
        for b in bytes { h = (h ^ UInt64(b)) &* fnvPrime }
        return h
    }

    /// The terms of token `index`.
    @inline(__always) func terms(of token: Token) -> ArraySlice<Int32> {
        terms[Int(token.termStart)..<Int(token.termStart + token.termCount)]
    }

    /// Words are read up to this many bytes: longer ones match no lexicon word, and a prefix is at most 16 bytes.
    static let maxWordBytes = 64

    init(_ t: [UInt8], lexicon: InjectionLexicon) {
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Self.maxWordBytes + 4)
        defer { buffer.deallocate() }
        var length = 0
        var wordStart = -1
        var hasDigit = false, hasLetter = false
        var raw: [Token] = []
        raw.reserveCapacity(t.count / 5 + 1)
        @inline(__always) func append(_ byte: UInt8) {
            if length < Self.maxWordBytes { buffer[length] = byte }
            length += 1
        }
        func finish(at end: Int) {
            guard wordStart >= 0 else { return }
            let word = UnsafeBufferPointer(rebasing: buffer[0..<min(length, Self.maxWordBytes)])
            if hasDigit && hasLetter {
                for k in word.indices {
                    switch word[k] {
                    case UInt8(ascii: "0"): buffer[k] = UInt8(ascii: "o")
                    case UInt8(ascii: "1"): buffer[k] = UInt8(ascii: "i")
                    case UInt8(ascii: "3"): buffer[k] = UInt8(ascii: "e")
                    case UInt8(ascii: "4"): buffer[k] = UInt8(ascii: "a")
                    case UInt8(ascii: "5"): buffer[k] = UInt8(ascii: "s")
                    case UInt8(ascii: "7"): buffer[k] = UInt8(ascii: "t")
                    case UInt8(ascii: "8"): buffer[k] = UInt8(ascii: "b")
                    default: break
                    }
                }
            }
            let start = Int32(terms.count)
            lexicon.lookUp(word, into: &terms)
            raw.append(Token(range: wordStart..<end, termStart: start, termCount: Int32(terms.count) - start, single: length == 1 ? buffer[0] : 0))
            length = 0
            wordStart = -1
            hasDigit = false
            hasLetter = false
        }
        var i = 0
        while i < t.count {
            let b = t[i]
            if b < 0x80 {
                if ASCII.isAlnum(b) {
                    if wordStart < 0 { wordStart = i }
                    if ASCII.isDigit(b) { hasDigit = true } else { hasLetter = true }
                    append(ASCII.lower(b))
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
                if wordStart < 0 { wordStart = i }
                hasLetter = true
                append(folded)
            } else if (0xC0...0xFF).contains(value), value != 0xD7, value != 0xF7 {
                // Latin-1 letters (ä, ß, é…): lower-case by offset, no Unicode tables.
                if wordStart < 0 { wordStart = i }
                hasLetter = true
                let lower = value <= 0xDE ? value + 0x20 : value
                append(UInt8(0xC0 | lower >> 6))
                append(UInt8(0x80 | lower & 0x3F))
            } else if let scalar = Unicode.Scalar(value), scalar.properties.isAlphabetic {
                if wordStart < 0 { wordStart = i }
                hasLetter = true
                for byte in scalar.properties.lowercaseMapping.utf8 { append(byte) }
            } else {
                finish(at: i)
            }
            i = next
        }
        finish(at: t.count)

        // Join letters spelled out one by one: "i g n o r e" → "ignore" (four or more, at most two bytes apart).
        tokens.reserveCapacity(raw.count)
        var k = 0
        while k < raw.count {
            var m = k
            while m + 1 < raw.count, raw[m].single != 0, raw[m + 1].single != 0,
                  raw[m + 1].range.lowerBound - raw[m].range.upperBound <= 2 { m += 1 }
            if m - k >= 3 {
                length = 0
                for r in raw[k...m] { append(r.single) }
                let start = Int32(terms.count)
                lexicon.lookUp(UnsafeBufferPointer(rebasing: buffer[0..<min(length, Self.maxWordBytes)]), into: &terms)
                tokens.append(Token(range: raw[k].range.lowerBound..<raw[m].range.upperBound, termStart: start,
                                    termCount: Int32(terms.count) - start, single: 0))
                k = m + 1
            } else {
                tokens.append(raw[k])
                k += 1
            }
        }
    }
}
