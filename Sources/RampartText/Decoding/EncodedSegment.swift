/// A stretch of text that decodes to other text: the hiding places of smuggled instructions and secrets.
/// `TextScanner` rescans what each one decodes to, and reports findings there with the decoding's name.
struct EncodedSegment: Sendable {
    /// The encoded bytes in the text that was searched.
    var range: Range<Int>
    /// `base64`, `base32`, `hex`, `percent`, `html_entities`, `unicode_escapes`.
    var decoding: String
    /// What it decodes to: valid UTF-8, mostly printable.
    var decoded: [UInt8]

    /// The encoded segments of `t` in order of appearance, at most `limit` of them. Linear in `t`: a stretch
    /// that fails to decode is skipped whole, never rescanned from its next byte.
    static func find(in t: [UInt8], limit: Int = 64) -> [EncodedSegment] {
        var found: [EncodedSegment] = []
        let n = t.count
        var i = 0
        var percentTried = 0, entitiesTried = 0, escapesTried = 0
        while i < n, found.count < limit {
            let b = t[i]
            // Runs of the base64 alphabet (hex and base32 runs are subsets, told apart by what they decode to).
            if ASCII.isAlnum(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "/"), i == 0 || !ASCII.isWord(t[i - 1]) {
                var e = i
                while e < n, ASCII.isAlnum(t[e]) || t[e] == UInt8(ascii: "+") || t[e] == UInt8(ascii: "/") || t[e] == UInt8(ascii: "-") || t[e] == UInt8(ascii: "_") { e += 1 }
                var end = e
                while end < n, end - e < 6, t[end] == UInt8(ascii: "=") { end += 1 }
                if e - i >= 16, let segment = decodeRun(t[i..<end], range: i..<end) {
                    found.append(segment)
                    i = end
                    continue
                }
                i = max(e, i + 1)
                continue
            }
            // Each decoder remembers how far its last failed attempt read, so a long stretch that does not decode
            // (`%zz%zz…`, `&#1;&#1;…`) is read once, not once per trigger byte in it.
            if b == UInt8(ascii: "%"), i >= percentTried {
                let (segment, scanned) = percent(t, around: i)
                if let segment { found.append(segment); i = segment.range.upperBound; continue }
                percentTried = scanned
            }
            if b == UInt8(ascii: "&"), i + 3 < n, i >= entitiesTried {
                let (segment, scanned) = htmlEntities(t, at: i)
                if let segment { found.append(segment); i = segment.range.upperBound; continue }
                entitiesTried = scanned
            }
            if b == UInt8(ascii: "\\"), i + 5 < n, t[i + 1] == UInt8(ascii: "u") || t[i + 1] == UInt8(ascii: "x"), i >= escapesTried {
                let (segment, scanned) = escapes(t, at: i)
                if let segment { found.append(segment); i = segment.range.upperBound; continue }
                escapesTried = scanned
            }
            i += 1
        }
        return found
    }

    private static func decodeRun(_ run: ArraySlice<UInt8>, range: Range<Int>) -> EncodedSegment? {
        let body = run.prefix { $0 != UInt8(ascii: "=") }
        if body.count % 2 == 0, body.allSatisfy(ASCII.isHex), let decoded = hex(body), isText(decoded) {
            return EncodedSegment(range: range, decoding: "hex", decoded: decoded)
        }
        if body.allSatisfy({ $0 &- 0x41 < 26 || $0 &- 0x32 < 6 }), let decoded = base32(body), isText(decoded) {
            return EncodedSegment(range: range, decoding: "base32", decoded: decoded)
        }
        if let decoded = base64(body), isText(decoded) {
            return EncodedSegment(range: range, decoding: "base64", decoded: decoded)
        }
        return nil
    }

    /// Whether decoded bytes are text a model would read: valid UTF-8, no NUL, ≥ 85 % letters, digits,
    /// spaces and punctuation, at least 4 characters.
    static func isText(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4, !bytes.contains(0), let string = String(validating: bytes, as: UTF8.self) else { return false }
        var printable = 0
        var total = 0
        for scalar in string.unicodeScalars {
            total += 1
            let v = scalar.value
            if (v >= 0x20 && v < 0x7F) || v == 0x0A || v == 0x0D || v == 0x09 {
                printable += 1
            } else if v >= 0xA0, scalar.properties.isAlphabetic || scalar.properties.isWhitespace || scalar.properties.generalCategory == .otherPunctuation {
                printable += 1
            }
        }
        // Random bytes that happen to be valid UTF-8 are rarely letters; real text has spaces or word shapes.
        return printable * 100 >= total * 85
    }

    static func hex(_ body: some Collection<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(body.count / 2)
        var high: UInt8?
        for b in body {
            guard ASCII.isHex(b) else { return nil }
            if let h = high { out.append(h << 4 | ASCII.hexValue(b)); high = nil } else { high = ASCII.hexValue(b) }
        }
        return high == nil ? out : nil
    }

    /// RFC 4648 §6 base32 (upper case), padding optional.
    static func base32(_ body: some Collection<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt64 = 0
        var bits = 0
        for b in body {
            let v: UInt8
            if b &- 0x41 < 26 { v = b - 0x41 } else if b &- 0x32 < 6 { v = b - 0x32 + 26 } else { return nil }
            buffer = buffer << 5 | UInt64(v)
            bits += 5
            if bits >= 8 { bits -= 8; out.append(UInt8(truncatingIfNeeded: buffer >> UInt64(bits))) }
        }
        return out
    }

    /// RFC 4648 §4 and §5 base64 (standard and URL-safe alphabets), padding optional.
    static func base64(_ body: some Collection<UInt8>) -> [UInt8]? {
        guard body.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(body.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for b in body {
            let v: UInt8
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = b - 0x41
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = b - 0x61 + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = b - 0x30 + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            default: return nil
            }
            buffer = buffer << 6 | UInt32(v)
            bits += 6
            if bits >= 8 { bits -= 8; out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits))) }
        }
        return out
    }

    /// A run of non-space characters holding at least three `%XX` escapes (RFC 3986 percent-encoding).
    private static func percent(_ t: [UInt8], around i: Int) -> (EncodedSegment?, scanned: Int) {
        var s = i
        while s > 0, !ASCII.isSpace(t[s - 1]), t[s - 1] != UInt8(ascii: "\""), i - s < 64 { s -= 1 }
        var e = i
        var escapes = 0
        var out: [UInt8] = []
        var k = s
        while k < t.count, !ASCII.isSpace(t[k]), t[k] != UInt8(ascii: "\"") {
            if t[k] == UInt8(ascii: "%"), k + 2 < t.count, ASCII.isHex(t[k + 1]), ASCII.isHex(t[k + 2]) {
                out.append(ASCII.hexValue(t[k + 1]) << 4 | ASCII.hexValue(t[k + 2]))
                escapes += 1
                k += 3
            } else {
                out.append(t[k] == UInt8(ascii: "+") ? UInt8(ascii: " ") : t[k])
                k += 1
            }
            e = k
        }
        guard escapes >= 3, isText(out) else { return (nil, max(e, i + 1)) }
        return (EncodedSegment(range: s..<e, decoding: "percent", decoded: out), e)
    }

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "colon": ":", "sol": "/", "lpar": "(", "rpar": ")",
        "lsqb": "[", "rsqb": "]", "excl": "!", "num": "#", "period": ".", "comma": ",", "equals": "=", "newline": "\n", "tab": "\t",
    ]

    /// At least three HTML character references in a row (`&#105;&#x67;&lt;`), possibly with plain
    /// characters between them.
    private static func htmlEntities(_ t: [UInt8], at i: Int) -> (EncodedSegment?, scanned: Int) {
        var k = i
        var out: [UInt8] = []
        var entities = 0
        var plainRun = 0
        // Entities with plain characters between them; literal whitespace or a long plain stretch ends the segment.
        while k < t.count, plainRun <= 8, !ASCII.isSpace(t[k]) {
            if t[k] == UInt8(ascii: "&"), let (scalar, next) = entity(t, at: k) {
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
                entities += 1
                k = next
                plainRun = 0
            } else {
                out.append(t[k])
                plainRun += 1
                k += 1
            }
        }
        guard entities >= 3, isText(out) else { return (nil, max(k, i + 1)) }
        return (EncodedSegment(range: i..<k, decoding: "html_entities", decoded: out), k)
    }

    private static func entity(_ t: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        var k = i + 1
        if k < t.count, t[k] == UInt8(ascii: "#") {
            k += 1
            let isHex = k < t.count && (t[k] == UInt8(ascii: "x") || t[k] == UInt8(ascii: "X"))
            if isHex { k += 1 }
            var value: UInt32 = 0
            let s = k
            while k < t.count, k - s < 8, isHex ? ASCII.isHex(t[k]) : ASCII.isDigit(t[k]) {
                value = value * (isHex ? 16 : 10) + UInt32(ASCII.hexValue(t[k]))
                k += 1
            }
            guard k > s, let scalar = Unicode.Scalar(value) else { return nil }
            if k < t.count, t[k] == UInt8(ascii: ";") { k += 1 }
            return (scalar, k)
        }
        let s = k
        while k < t.count, k - s < 10, ASCII.isAlpha(t[k]) { k += 1 }
        guard k < t.count, t[k] == UInt8(ascii: ";"), let replacement = namedEntities[String(decoding: t[s..<k], as: UTF8.self).lowercased()] else { return nil }
        return (replacement.unicodeScalars.first!, k + 1)
    }

    /// At least three `\uXXXX`, `\u{…}` or `\xXX` escapes in a row (JSON, JavaScript, Python, Swift string escapes).
    private static func escapes(_ t: [UInt8], at i: Int) -> (EncodedSegment?, scanned: Int) {
        var k = i
        var out: [UInt8] = []
        var count = 0
        var pendingHigh: UInt32?
        while k + 3 < t.count, t[k] == UInt8(ascii: "\\") {
            var value: UInt32 = 0
            var e = k + 2
            if t[k + 1] == UInt8(ascii: "u"), t[e] == UInt8(ascii: "{") {
                e += 1
                let s = e
                while e < t.count, e - s < 6, ASCII.isHex(t[e]) { value = value << 4 | UInt32(ASCII.hexValue(t[e])); e += 1 }
                guard e > s, e < t.count, t[e] == UInt8(ascii: "}") else { break }
                e += 1
            } else {
                let digits = t[k + 1] == UInt8(ascii: "u") ? 4 : 2
                guard e + digits <= t.count, t[e..<e + digits].allSatisfy(ASCII.isHex) else { break }
                for b in t[e..<e + digits] { value = value << 4 | UInt32(ASCII.hexValue(b)) }
                e += digits
            }
            // UTF-16 surrogate pairs, as JSON writes characters outside the BMP.
            if (0xD800...0xDBFF).contains(value) { pendingHigh = value; k = e; continue }
            if (0xDC00...0xDFFF).contains(value), let high = pendingHigh { value = 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00) }
            pendingHigh = nil
            guard let scalar = Unicode.Scalar(value) else { break }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
            count += 1
            k = e
        }
        guard count >= 3, isText(out) else { return (nil, max(k, i + 1)) }
        return (EncodedSegment(range: i..<k, decoding: "unicode_escapes", decoded: out), k)
    }
}
