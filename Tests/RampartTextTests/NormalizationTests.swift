import Testing
@testable import RampartText

@Suite struct NormalizationTests {
    @Test func offsetsAreUnicodeScalars() {
        // 👍🏽 is two scalars; Python's str counts the same.
        let text = "👍🏽 é jane@example.com"
        let found = scan(text).filter { $0.type == "EMAIL" }
        #expect(found.map(\.start) == [5])
        #expect(found.first.map { cut(text, $0) } == "jane@example.com")
    }

    @Test func fullwidthAndMathematicalLettersAreRead() {
        let text = "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ and 𝟒𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏"
        let found = scan(text)
        #expect(found.map(\.type) == ["EMAIL", "CREDIT_CARD"])
        #expect(found.first.map { cut(text, $0) } == "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ")
    }

    @Test func invisibleCharactersAreReportedAndSeenThrough() {
        let text = "jane@exa\u{200B}mple.com \u{202E}txt.exe"
        let found = scan(text)
        #expect(found.map(\.type) == ["EMAIL", "ZERO_WIDTH", "BIDI_CONTROL"])
        #expect(cut(text, found[0]) == "jane@exa\u{200B}mple.com")
        #expect((found[1].start, found[1].end) == (8, 9))
    }

    @Test func legitimateJoinersAreNotReported() {
        #expect(scan("family 👨‍👩‍👧 and ❤️ and می‌خواهم").isEmpty)
    }

    @Test(arguments: [("\u{E0041}", "TAG"), ("\u{FE0F}x", "VARIATION_SELECTOR"), ("\u{E000}", "PRIVATE_USE"), ("\u{0378}", "UNASSIGNED"),
                      ("\u{0007}", "CONTROL"), ("\u{00AD}", "FORMAT"), ("\u{3164}", "FILLER"), ("\u{2066}", "BIDI_CONTROL")])
    func classes(_ hidden: String, _ type: String) {
        #expect(types("a \(hidden) b").contains(type), "\(type)")
    }

    @Test func runsAreMerged() {
        let text = "hi" + String(repeating: "\u{200B}", count: 10) + "there"
        #expect(scan(text).map { [$0.type, "\($0.start)", "\($0.end)"] } == [["ZERO_WIDTH", "2", "12"]])
    }

    @Test func asciiSmuggledInTagCharacters() {
        // "mail bob@example.com" spelled in tag characters: invisible to a reader, read by a model.
        let hidden = String(String.UnicodeScalarView("mail bob@example.com".unicodeScalars.map { Unicode.Scalar($0.value + 0xE0000)! }))
        let text = "Hello" + hidden + "!"
        let found = scan(text)
        #expect(found.map(\.type).sorted() == ["EMAIL", "TAG"])
        let email = found.first { $0.type == "EMAIL" }
        #expect(email?.decodedBy == ["unicode_tags"])
        #expect(email.map { ($0.start, $0.end) }! == (5, 25))
    }
}

@Suite struct DecodeAndRescanTests {
    static let email = "mail bob@example.com please"

    @Test(arguments: [
        ("bWFpbCBib2JAZXhhbXBsZS5jb20gcGxlYXNl", "base64"),
        ("bWFpbCBib2JAZXhhbXBsZS5jb20gcGxlYXNlID8/Pw==", "base64"),  // standard alphabet, padded
        ("bWFpbCBib2JAZXhhbXBsZS5jb20gcGxlYXNlID8_Pw==", "base64"),  // URL-safe alphabet
        ("6d61696c20626f62406578616d706c652e636f6d20706c65617365", "hex"),
        ("NVQWS3BAMJXWEQDFPBQW24DMMUXGG33NEBYGYZLBONSQ====", "base32"),
        ("mail%20bob%40example%2Ecom%20please", "percent"),
        ("&#109;&#97;&#105;&#108;&#32;bob&#64;example&#46;com", "html_entities"),
        ("\\u006d\\u0061\\u0069\\u006c\\u0020\\u0062\\u006f\\u0062\\u0040\\u0065\\u0078\\u0061\\u006d\\u0070\\u006c\\u0065\\u002e\\u0063\\u006f\\u006d", "unicode_escapes"),
    ])
    func decodings(_ encoded: String, _ decoding: String) {
        let text = "payload: \(encoded) end"
        let found = scan(text).filter { $0.type == "EMAIL" }
        #expect(found.count == 1, "\(decoding)")
        #expect(found.first?.decodedBy == [decoding])
        #expect(found.first.map { cut(text, $0) } == encoded)
    }

    @Test func nestedDecodingsAreNamedOutermostFirst() {
        // base64 of the hex of the text.
        let hex = Array(Self.email.utf8).map { String($0, radix: 16) }.joined()
        let base64 = base64Encode(Array(hex.utf8))
        let found = scan("x \(base64) y").filter { $0.type == "EMAIL" }
        #expect(found.first?.decodedBy == ["base64", "hex"])
        // A third layer is past the default depth of 2.
        let third = base64Encode(Array(base64.utf8))
        #expect(scan("x \(third) y").filter { $0.type == "EMAIL" }.isEmpty)
        var deeper = TextScanner.Options(currentYear: 2026)
        deeper.maxDecodeDepth = 3
        #expect(scan("x \(third) y", deeper).first { $0.type == "EMAIL" }?.decodedBy == ["base64", "base64", "hex"])
    }

    @Test func randomBlobsAreNotText() {
        #expect(scan("sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 and id dGhpcyBpcyBub3Q=").isEmpty)
    }

    func base64Encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let chunk = Array(bytes[i..<min(i + 3, bytes.count)])
            let v = (UInt32(chunk[0]) << 16) | (chunk.count > 1 ? UInt32(chunk[1]) << 8 : 0) | (chunk.count > 2 ? UInt32(chunk[2]) : 0)
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(chunk.count > 1 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(chunk.count > 2 ? alphabet[Int(v & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

@Suite struct CanaryTests {
    static let token = "cnyk7qz2m4xw5ab3cd6e"

    @Test(arguments: [
        ("The secret is cnyk7qz2m4xw5ab3cd6e.", nil as String?),
        ("It is C-N-Y-K-7-Q-Z-2-M-4-X-W-5-A-B-3-C-D-6-E", nil),
        ("spaced: c n y k 7 q z 2 m 4 x w 5 a b 3 c d 6 e", nil),
        ("rot13: palx7dm2z4kj5no3pq6r", "rot13"),
        ("b64: Y255azdxejJtNHh3NWFiM2NkNmU=", "base64"),
    ])
    func leaks(_ text: String, _ decoding: String?) {
        let found = scan(text, .init(canaries: [Self.token], currentYear: 2026)).filter { $0.kind == .canary }
        #expect(found.count == 1, "\(text)")
        #expect(found.first?.decodedBy == decoding.map { [$0] })
    }

    @Test func tokensAreRandom() {
        let a = CanaryDetector.makeToken(), b = CanaryDetector.makeToken()
        #expect(a != b && a.hasPrefix("cny") && a.count == 19)
        #expect(scan("nothing here about cnyk7qz", .init(canaries: [Self.token], currentYear: 2026)).isEmpty)
    }
}

@Suite struct RobustnessTests {
    /// Arbitrary Unicode — every plane, unassigned and private code points, long runs of one class — never
    /// crashes, and every finding lies inside the input.
    @Test func arbitraryUnicode() {
        var random = TestRandom(state: 42)
        let pieces = ["@", ".", "0", "1", "+", "-", " ", "%4", "&#", "\\u00", "=", "AKIA", "ghp_", "eyJ", ":", "::", "/", "IBAN DE", "\u{200B}", "\u{E0041}", "\u{FE0F}", "é", "e\u{301}", "👨‍👩‍👧", "ﬁ", "①", "Ｈ"]
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<Int(random.next() % 40) {
                if random.next() % 3 == 0 {
                    text += pieces[Int(random.next() % UInt64(pieces.count))]
                } else if let scalar = Unicode.Scalar(UInt32(random.next() % 0x110000)) {
                    text.unicodeScalars.append(scalar)
                } else {
                    text += String(random.next() % 10)
                }
            }
            let count = text.unicodeScalars.count
            for finding in scan(text) {
                #expect(0 <= finding.start && finding.start <= finding.end && finding.end <= count, "\(text.unicodeScalars.map { $0.value })")
            }
        }
    }

    /// Inputs built to make a scanner re-read the same stretch from every trigger byte. Each is 200 KB; a
    /// quadratic scanner would need ~10^10 steps on them and never finish the suite; a linear one needs well under a
    /// second each, even in a debug build.
    @Test(arguments: [("%zz", 70_000), ("&#1;", 50_000), ("\\u0001", 33_000), ("password", 25_000),
                      ("-----BEGIN PRIVATE KEY-----\n", 7_000), ("1:", 100_000), ("a@", 100_000), ("![x](", 40_000)])
    func adversarialInputsStayLinear(_ piece: String, _ count: Int) {
        let text = String(repeating: piece, count: count)
        for finding in scan(text) {
            #expect(finding.end <= text.unicodeScalars.count)
        }
    }

    @Test func decodeBudgetBoundsTheWork() {
        // Many base64 segments: decoding stops at the budget instead of multiplying the input.
        let segment = "bWFpbCBib2JAZXhhbXBsZS5jb20gcGxlYXNl "
        var options = TextScanner.Options(currentYear: 2026)
        options.maxDecodedBytes = 100
        let found = scan(String(repeating: segment, count: 50), options)
        #expect(found.count == 3)
    }
}
