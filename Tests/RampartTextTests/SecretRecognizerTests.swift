import Testing
@testable import RampartText

@Suite struct SecretRecognizerTests {
    /// A token in `format`: its prefix and a body of its shortest length, mixing letters and digits.
    static func token(_ format: SecretFormat, seed: UInt64) -> String {
        var random = TestRandom(state: seed)
        let candidates = (0..<256).map(UInt8.init).filter { format.alphabet.contains($0) && $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "/")
            && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "_") }
        var body = (0..<format.length.lowerBound).map { _ in candidates[Int(random.next() % UInt64(candidates.count))] }
        if let needle = format.contains { body.replaceSubrange(4..<4 + needle.count, with: needle) }
        // Make sure the body mixes digits and letters where the alphabet allows.
        if let digit = candidates.first(where: ASCII.isDigit) { body[1] = digit }
        if let letter = candidates.first(where: ASCII.isAlpha) { body[2] = letter }
        return String(decoding: format.prefix + body, as: UTF8.self)
    }

    @Test func everyProviderFormat() {
        var types = Set<String>()
        for (index, format) in SecretFormat.all.enumerated() {
            let token = Self.token(format, seed: UInt64(index))
            let text = "config: \(token) end"
            let found = scan(text).filter { $0.kind == .secret }
            #expect(found.count == 1 && found.first?.type == format.type && found.first.map { cut(text, $0) } == token,
                    "\(format.type): \(token) → \(found.map(\.type))")
            types.insert(format.type)
        }
        // Plus the shapes below (JWT, PEM, connection strings, Telegram, Azure, keyword-anchored): 60+ in all.
        #expect(types.count + 8 >= 60)
    }

    @Test(arguments: [
        ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JWT"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n-----END RSA PRIVATE KEY-----", "PRIVATE_KEY"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----", "PRIVATE_KEY"),
        ("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", "TELEGRAM_BOT_TOKEN"),
        ("abc8Q~Zx9yW7vU6tS5rQ4pO3nM2lK1jI0hGfEd", "AZURE_CLIENT_SECRET"),
    ])
    func shapes(_ token: String, _ type: String) {
        let text = "value \(token) end"
        let found = scan(text).filter { $0.kind == .secret }
        #expect(found.map(\.type) == [type])
        #expect(found.first.map { cut(text, $0) } == token)
    }

    @Test func connectionStringPasswords() {
        let text = "DATABASE_URL=postgres://app:s3cr3t-P4ss@db.internal:5432/app and https://bob:hunter2@example.com/x"
        let found = scan(text).filter { $0.kind == .secret }
        #expect(found.map(\.type) == ["DATABASE_PASSWORD", "URL_CREDENTIALS"])
        #expect(found.map { cut(text, $0) } == ["s3cr3t-P4ss", "hunter2"])
        #expect(!types("postgres://app:${DB_PASSWORD}@db/app").contains("DATABASE_PASSWORD"))
    }

    @Test(arguments: [
        ("password: hunter22", "PASSWORD", "hunter22"),
        ("DB_PASSWORD=\"c0rrect-h0rse\"", "PASSWORD", "c0rrect-h0rse"),
        ("mein Passwort ist Sommer2024!", "PASSWORD", "Sommer2024"),
        ("API_TOKEN=9f8e7d6c5b4a39281706f5e4d3c2b1a0", "GENERIC_SECRET", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
        ("\"client_secret\": \"q8Zr2LmX7pVt4NcY9wKs3HbJ\"", "GENERIC_SECRET", "q8Zr2LmX7pVt4NcY9wKs3HbJ"),
        ("Authorization: Bearer abcDEF123456ghiJKL789012", "BEARER_TOKEN", "abcDEF123456ghiJKL789012"),
    ])
    func keywordAnchored(_ text: String, _ type: String, _ value: String) {
        let found = scan(text).filter { $0.kind == .secret }
        #expect(found.map(\.type) == [type], "\(text)")
        #expect(found.first.map { cut(text, $0) } == value)
    }

    @Test(arguments: ["token: none", "password: ${DB_PASSWORD}", "the secret is out", "api_key = settings.api_key_value", "password: ********",
                      "reset your password here", "token = os.environ[\"TOKEN\"]", "ghp_short", "sk_live_", "AKIAlowercase1234567"])
    func notSecrets(_ text: String) {
        #expect(scan(text).filter { $0.kind == .secret }.isEmpty, "\(text)")
    }
}
