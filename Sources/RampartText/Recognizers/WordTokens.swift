/// Words of normalized UTF-8 text with their byte ranges, for the recognizers that read text as words (person names,
/// street addresses). A word is a run of letters (ASCII or any non-ASCII byte) and digits, with inner `'`, `’` or `-`
/// kept (`O'Brien`, `Anne-Marie`, `12-14`).
struct WordTokens {
    struct Word {
        var range: Range<Int>
        /// Lower-cased text (ASCII lower-cased bytewise; other letters with `lowercased()`).
        var lower: String
        /// `WordSet.hash` of `lower`, for the gazetteers.
        var hash: UInt64
        /// Starts with an upper-case letter and is not all upper-case (unless it is one letter or two).
        var capitalized: Bool
        /// Starts with an upper-case letter (all-upper words included: `PSC`, `USNS`).
        var upperInitial: Bool
        var allDigits: Bool
        /// Only spaces or tabs (at most 3) between this word and the next (names and addresses do not span lines,
        /// except where the address recognizer allows it).
        var spaceAfter: Bool
        /// The byte right after the word (`.`, `,`, `\n`, …) or 0 at the end.
        var next: UInt8
    }

    let words: [Word]

    /// `s` ending a word right after an apostrophe: the possessive, not part of the name (`Smith's`).
    static func isPossessive(_ t: [UInt8], _ i: Int) -> Bool {
        (t[i] | 0x20) == UInt8(ascii: "s") && (i + 1 >= t.count || !(ASCII.isAlnum(t[i + 1]) || t[i + 1] >= 0x80))
    }

    /// ASCII bytes lower-cased into a string, without an intermediate array (up to 15 bytes, no allocation at all).
    static func lowered(_ bytes: ArraySlice<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { buffer in
            for (k, b) in bytes.enumerated() { buffer[k] = ASCII.lower(b) }
            return bytes.count
        }
    }

    /// Words of `t`, in order.
    init(_ t: [UInt8]) {
        var out: [Word] = []
        let n = t.count
        var i = 0
        while i < n {
            guard ASCII.isAlnum(t[i]) || t[i] >= 0xC0 else { i += 1; continue }
            let start = i
            var ascii = true
            while i < n {
                let b = t[i]
                if ASCII.isAlnum(b) || b >= 0x80 {
                    if b >= 0x80 {
                        // Stop at a right single quote (U+2019, E2 80 99) unless a letter follows.
                        if b == 0xE2, i + 2 < n, t[i + 1] == 0x80, t[i + 2] == 0x99 {
                            if i > start, i + 3 < n, ASCII.isAlpha(t[i + 3]), !Self.isPossessive(t, i + 3) { i += 3; continue }
                            break
                        }
                        ascii = false
                    }
                    i += 1
                } else if (b == UInt8(ascii: "'") || b == UInt8(ascii: "-")), i + 1 < n, i > start, ASCII.isAlnum(t[i + 1]) || t[i + 1] >= 0xC0,
                          b == UInt8(ascii: "-") || !Self.isPossessive(t, i + 1) {
                    i += 1
                } else {
                    break
                }
            }
            // A right single quote that starts no word (`’Tis`, `’n’`) is punctuation: step over it.
            guard i > start else { i += 1; continue }
            let bytes = t[start..<i]
            let lower: String
            let firstUpper: Bool
            let allUpper: Bool
            if ascii {
                // Lower-case words are only ever compared when short (`der`, `apt`); skip building long ones.
                let first = bytes.first!
                firstUpper = first &- UInt8(ascii: "A") < 26
                lower = firstUpper || ASCII.isDigit(first) || bytes.count <= 8 ? Self.lowered(bytes) : ""
                var letters = 0, uppers = 0
                if firstUpper {
                    for b in bytes where ASCII.isAlpha(b) {
                        letters += 1
                        if b &- UInt8(ascii: "A") < 26 { uppers += 1 }
                    }
                }
                allUpper = letters > 2 && uppers == letters
            } else {
                let text = String(decoding: bytes, as: UTF8.self)
                lower = text.lowercased()
                firstUpper = text.first?.isUppercase ?? false
                let letters = text.filter(\.isLetter)
                allUpper = letters.count > 2 && letters.allSatisfy(\.isUppercase)
            }
            var j = i
            while j < n, j - i < 3, t[j] == UInt8(ascii: " ") || t[j] == UInt8(ascii: "\t") { j += 1 }
            out.append(Word(range: start..<i, lower: lower, hash: WordSet.hash(lower.utf8), capitalized: firstUpper && !allUpper, upperInitial: firstUpper,
                            allDigits: bytes.allSatisfy(ASCII.isDigit), spaceAfter: j > i && j < n && (ASCII.isAlnum(t[j]) || t[j] >= 0xC0),
                            next: i < n ? t[i] : 0))
        }
        words = out
    }
}
