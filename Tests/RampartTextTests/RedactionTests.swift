import Testing
@testable import RampartText

@Suite struct RedactionTests {
    @Test(arguments: [
        ("IP_ADDRESS", "203.0.113.77", "203.0.113.0/24"),
        ("IP_ADDRESS", "2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::/48"),
        ("IP_ADDRESS", "2001:db8::1", "2001:db8:0::/48"),
        ("IP_ADDRESS", "::ffff:192.0.2.1", "0:0:0::/48"),
        ("DATE_OF_BIRTH", "1984-03-07", "1984-03"),
        ("DATE_OF_BIRTH", "07.03.1984", "1984-03"),
        ("DATE_OF_BIRTH", "03/07/1984", "1984-03"),
        ("DATE_OF_BIRTH", "7 March 1984", "1984-03"),
        ("DATE_OF_BIRTH", "12. Dezember 1990", "1990-12"),
    ])
    func generalize(type: String, value: String, expected: String) {
        #expect(Redactor.generalize(type: type, value: value) == expected)
    }

    @Test(arguments: [("IP_ADDRESS", "300.1.1.1"), ("IP_ADDRESS", "1::2::3"), ("DATE_OF_BIRTH", "13/45/1984"), ("EMAIL", "a@b.co")])
    func noCoarserForm(type: String, value: String) {
        #expect(Redactor.generalize(type: type, value: value) == nil)
    }

    @Test func placeholdersAreNumberedPerTypeAndRestored() {
        var vault = RedactionVault()
        #expect(vault.placeholder(type: "EMAIL", value: "a@x.io") == "<EMAIL_1>")
        #expect(vault.placeholder(type: "EMAIL", value: "b@x.io") == "<EMAIL_2>")
        #expect(vault.placeholder(type: "EMAIL", value: "a@x.io") == "<EMAIL_1>")
        #expect(vault.placeholder(type: "PHONE_NUMBER", value: "+1 202 555 0100") == "<PHONE_NUMBER_1>")
        #expect(vault.restore("to <EMAIL_2>, cc <EMAIL_1>; <EMAIL_9> and <b>bold</b> <PHONE_NUMBER_1>")
            == "to b@x.io, cc a@x.io; <EMAIL_9> and <b>bold</b> +1 202 555 0100")
        // The vault never shows its contents.
        #expect("\(vault)" == "RedactionVault(3 entries)")
    }

    @Test func openPlaceholderIsFoundAtTheEnd() {
        let scalars = Array("see <EMAIL_".unicodeScalars)
        #expect(RedactionVault.openPlaceholderStart(in: scalars, before: scalars.count) == 4)
        let closed = Array("see <EMAIL_1> ok".unicodeScalars)
        #expect(RedactionVault.openPlaceholderStart(in: closed, before: closed.count) == nil)
        let spaced = Array("a < b".unicodeScalars)
        #expect(RedactionVault.openPlaceholderStart(in: spaced, before: spaced.count) == nil)
    }

    @Test func editsUseScalarOffsetsAndSkipOverlaps() {
        let text = "héllo 👋🏽 wörld"
        let edits = [TextEdit(start: 0, end: 5, replacement: "X"), TextEdit(start: 2, end: 4, replacement: "Y"),
                     TextEdit(start: 9, end: 14, replacement: "Z"), TextEdit(start: 40, end: 50, replacement: "!")]
        #expect(TextEdit.apply(edits, to: text) == "X 👋🏽 Z!")
    }

    @Test func operatorsOnScannedText() {
        let text = "Mail jo.doe@example.com, card 4111 1111 1111 1111, from 198.51.100.23."
        let findings = TextScanner(options: .init(kinds: [.pii])).scan(text)
        var vault = RedactionVault()
        func run(_ op: RedactionOperator) -> String {
            TextEdit.apply(Redactor { _, value in String(value.count) }.edits(for: findings, in: text, vault: &vault) { _ in op }, to: text)
        }
        #expect(run(.mask) == "Mail **.***@*******.***, card **** **** **** ****, from ***.**.***.**.")
        #expect(run(.placeholder) == "Mail <EMAIL_1>, card <CREDIT_CARD_1>, from <IP_ADDRESS_1>.")
        #expect(run(.pseudonym) == "Mail <EMAIL_18>, card <CREDIT_CARD_19>, from <IP_ADDRESS_13>.")
        #expect(run(.generalize) == "Mail <EMAIL_1>, card <CREDIT_CARD_1>, from 198.51.100.0/24.")
        #expect(vault.restore("<EMAIL_18> <CREDIT_CARD_1>") == "jo.doe@example.com 4111 1111 1111 1111")
    }
}

@Suite struct LinkScannerTests {
    func found(_ text: String, allowed: [String] = []) -> [String] {
        LinkScanner.find(text, allowedHosts: allowed).map { link in
            let s = Array(text.unicodeScalars)
            return link.type + " " + link.host + " " + String(String.UnicodeScalarView(s[link.start..<link.end]))
        }
    }

    @Test func imagesAndDataLinks() {
        #expect(found("see ![chart](https://evil.example/p.png?q=secret) ok") == ["MARKDOWN_IMAGE evil.example ![chart](https://evil.example/p.png?q=secret)"])
        #expect(found("![a](https://x.example/a.png \"title\") done") == ["MARKDOWN_IMAGE x.example ![a](https://x.example/a.png \"title\")"])
        #expect(found("![t][ref]\n\n[ref]: https://wuzzi.net/azure=DATA") == ["MARKDOWN_IMAGE wuzzi.net [ref]: https://wuzzi.net/azure=DATA"])
        #expect(found("<img src=\"https://evil.example/x?d=1\" width=1>") == ["HTML_IMAGE evil.example <img src=\"https://evil.example/x?d=1\" width=1>"])
        #expect(found("[click](https://evil.example/?q=hello)") == ["MARKDOWN_LINK evil.example [click](https://evil.example/?q=hello)"])
        #expect(found("![x](//cdn.evil.example/a.png)") == ["MARKDOWN_IMAGE cdn.evil.example ![x](//cdn.evil.example/a.png)"])
    }

    @Test func harmlessOnes() {
        #expect(found("read [the docs](https://swift.org/documentation/)").isEmpty)  // a plain link needs a click and carries nothing
        #expect(found("![logo](https://cdn.example.com/logo.png)", allowed: ["example.com"]).isEmpty)
        #expect(found("![local](images/a.png) and [x](#anchor)").isEmpty)
        #expect(found("array[i](j) and f[0](1)").isEmpty)
        #expect(found("[ref]: https://swift.org/").isEmpty)
    }

    @Test func adversarialInputStaysLinear() {
        for piece in ["[", "![a](", "](", "<img ", "[a]: ", "![a](https://x.example/"] {
            // 100k+ scalars of half-open constructs: a scanner that rescans from every bracket would not finish.
            let text = String(repeating: piece, count: 20_000)
            let count = text.unicodeScalars.count
            for link in LinkScanner.find(text) {
                #expect(link.start >= 0 && link.start < link.end && link.end <= count, "\(piece)")
            }
        }
    }
}
