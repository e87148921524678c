/// Credentials: provider-format tokens (`SecretFormat.all`), JWTs, PEM private keys, passwords inside
/// connection strings and URLs, Azure and Telegram formats, and keyword-anchored values (`password: …`,
/// `API_TOKEN="…"`) that look random enough to be secrets.
struct SecretRecognizer: Sendable {
    private let formats = SecretFormat.all
    /// Format indices by the first byte of their prefix.
    private let byFirstByte: [[Int]]

    init() {
        var table = [[Int]](repeating: [], count: 256)
        for (index, format) in formats.enumerated() { table[Int(format.prefix[0])].append(index) }
        byFirstByte = table
    }

    /// Characters that continue a token: a match must not start or end inside a longer token.
    @inline(__always) static func isTokenByte(_ b: UInt8) -> Bool {
        ASCII.isAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    func recognize(_ t: [UInt8], into out: inout [Candidate]) {
        let n = t.count
        var i = 0
        while i < n {
            let b = t[i]
            let list = byFirstByte[Int(b)]
            if !list.isEmpty, i == 0 || !Self.isTokenByte(t[i - 1]) || b == UInt8(ascii: ":"), let (end, type) = provider(t, at: i, list) {
                out.append(Candidate(kind: .secret, type: type, range: i..<end, score: 1.0, priority: 100))
                i = end
                continue
            }
            switch b {
            case UInt8(ascii: "e") where i + 3 < n && t[i + 1] == UInt8(ascii: "y") && t[i + 2] == UInt8(ascii: "J"):
                if i == 0 || !Self.isTokenByte(t[i - 1]), let end = jwt(t, at: i) {
                    out.append(Candidate(kind: .secret, type: "JWT", range: i..<end, score: 1.0, priority: 100))
                    i = end
                    continue
                }
            case UInt8(ascii: "-") where i + 16 < n && t[i + 1] == UInt8(ascii: "-") && t[i + 5] == UInt8(ascii: "B"):
                if let end = pem(t, at: i) {
                    out.append(Candidate(kind: .secret, type: "PRIVATE_KEY", range: i..<end, score: 1.0, priority: 100))
                    i = end
                    continue
                }
            case UInt8(ascii: ":"):
                if i + 3 < n, t[i + 1] == UInt8(ascii: "/"), t[i + 2] == UInt8(ascii: "/"), let (range, type) = urlPassword(t, at: i) {
                    out.append(Candidate(kind: .secret, type: type, range: range, score: 1.0, priority: 100))
                    i = range.upperBound
                    continue
                }
                if let range = telegram(t, at: i) {
                    out.append(Candidate(kind: .secret, type: "TELEGRAM_BOT_TOKEN", range: range, score: 1.0, priority: 100))
                    i = range.upperBound
                    continue
                }
            case UInt8(ascii: "Q") where i + 1 < n && t[i + 1] == UInt8(ascii: "~"):
                if let range = azureClientSecret(t, at: i) {
                    out.append(Candidate(kind: .secret, type: "AZURE_CLIENT_SECRET", range: range, score: 1.0, priority: 100))
                    i = range.upperBound
                    continue
                }
            default:
                break
            }
            i += 1
        }
        KeywordSecrets.recognize(t, into: &out)
    }

    private func provider(_ t: [UInt8], at i: Int, _ list: [Int]) -> (Int, String)? {
        let n = t.count
        for index in list {
            let format = formats[index]
            let p = format.prefix
            guard i + p.count + format.length.lowerBound <= n else { continue }
            var k = 1
            while k < p.count, t[i + k] == p[k] { k += 1 }
            guard k == p.count else { continue }
            let bodyStart = i + p.count
            var e = bodyStart
            let limit = min(n, bodyStart + format.length.upperBound + 1)
            while e < limit, format.alphabet.contains(t[e]) { e += 1 }
            // A sentence's full stop is not part of a token.
            while e > bodyStart, t[e - 1] == UInt8(ascii: ".") || t[e - 1] == UInt8(ascii: "/") { e -= 1 }
            let length = e - bodyStart
            guard format.length.contains(length), e >= n || !Self.isTokenByte(t[e]) else { continue }
            if let needle = format.contains, t[bodyStart..<e].firstRange(of: needle) == nil { continue }
            if format.strictBody {
                let body = t[bodyStart..<e]
                guard body.contains(where: ASCII.isDigit), body.contains(where: ASCII.isAlpha), Set(body).count >= 8 else { continue }
            }
            return (e, format.type)
        }
        return nil
    }

    /// `eyJ…` `.` `eyJ…` `.` signature: a JSON Web Token (RFC 7519), whose header and payload are base64url JSON.
    private func jwt(_ t: [UInt8], at i: Int) -> Int? {
        var e = i
        func part(minimum: Int) -> Bool {
            let s = e
            while e < t.count, ASCII.isAlnum(t[e]) || t[e] == UInt8(ascii: "-") || t[e] == UInt8(ascii: "_") { e += 1 }
            return e - s >= minimum
        }
        guard part(minimum: 10), e < t.count, t[e] == UInt8(ascii: "."), e + 3 < t.count,
              t[e + 1] == UInt8(ascii: "e"), t[e + 2] == UInt8(ascii: "y") else { return nil }
        e += 1
        guard part(minimum: 10), e < t.count, t[e] == UInt8(ascii: ".") else { return nil }
        e += 1
        _ = part(minimum: 0)
        return e
    }

    private static let pemBegin = Array("-----BEGIN ".utf8), pemEnd = Array("-----END ".utf8), privateKey = Array("PRIVATE KEY".utf8)

    /// `-----BEGIN … PRIVATE KEY-----` through its `-----END …-----` line (or the end of its base64 body).
    private func pem(_ t: [UInt8], at i: Int) -> Int? {
        guard t[i...].starts(with: Self.pemBegin) else { return nil }
        var e = i + Self.pemBegin.count
        let labelStart = e
        while e < t.count, e - labelStart < 40, t[e] != UInt8(ascii: "-"), t[e] != UInt8(ascii: "\n") { e += 1 }
        guard t[labelStart..<e].firstRange(of: Self.privateKey) != nil else { return nil }
        while e < t.count, t[e] == UInt8(ascii: "-") { e += 1 }
        // The END line, looked for within 64 KiB and never past the next BEGIN (so many headers cost one pass).
        var k = e
        var endMarker: Int?
        while k < min(t.count, e + 65_536) {
            if t[k] == UInt8(ascii: "-"), t[k...].starts(with: Self.pemEnd) { endMarker = k + Self.pemEnd.count; break }
            if t[k] == UInt8(ascii: "-"), t[k...].starts(with: Self.pemBegin) { break }
            k += 1
        }
        guard let afterEnd = endMarker else {
            while e < t.count, ASCII.isAlnum(t[e]) || "+/=\n\r ".utf8.contains(t[e]) { e += 1 }
            return e
        }
        e = afterEnd
        while e < t.count, t[e] != UInt8(ascii: "-"), t[e] != UInt8(ascii: "\n"), e - afterEnd < 60 { e += 1 }
        while e < t.count, t[e] == UInt8(ascii: "-") { e += 1 }
        return e
    }

    private static let databaseSchemes: Set<String> = [
        "postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongodb+srv", "redis", "rediss", "amqp", "amqps", "mssql", "sqlserver",
        "clickhouse", "cockroachdb", "couchdb", "neo4j", "neo4j+s", "bolt", "cassandra", "oracle", "db2", "snowflake", "jdbc:postgresql",
        "jdbc:mysql", "jdbc:sqlserver",
    ]

    /// The password in `scheme://user:password@host`: a database connection string, or credentials in any URL.
    private func urlPassword(_ t: [UInt8], at colon: Int) -> (Range<Int>, String)? {
        var s = colon
        while s > 0, ASCII.isAlnum(t[s - 1]) || t[s - 1] == UInt8(ascii: "+") || t[s - 1] == UInt8(ascii: ":") { s -= 1 }
        guard s < colon else { return nil }
        let scheme = String(decoding: t[s..<colon], as: UTF8.self).lowercased()
        var e = colon + 3
        let userStart = e
        var passwordStart: Int?
        while e < t.count, e - userStart < 512 {
            let b = t[e]
            if b == UInt8(ascii: "@") { break }
            if b == UInt8(ascii: "/") || b == UInt8(ascii: " ") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { return nil }
            if b == UInt8(ascii: ":"), passwordStart == nil { passwordStart = e + 1 }
            e += 1
        }
        guard e < t.count, t[e] == UInt8(ascii: "@"), let p = passwordStart, p < e, e + 1 < t.count, ASCII.isAlnum(t[e + 1]) else { return nil }
        let password = t[p..<e]
        if let first = password.first, "$<{%*".utf8.contains(first) || password.allSatisfy({ $0 == UInt8(ascii: "x") || $0 == UInt8(ascii: "*") }) {
            return nil
        }
        return (p..<e, Self.databaseSchemes.contains(scheme) ? "DATABASE_PASSWORD" : "URL_CREDENTIALS")
    }

    /// `123456789:AA…` — a Telegram bot id, a colon, and 35 characters of base64url.
    private func telegram(_ t: [UInt8], at colon: Int) -> Range<Int>? {
        var s = colon
        while s > 0, colon - s < 11, ASCII.isDigit(t[s - 1]) { s -= 1 }
        guard (8...10).contains(colon - s), s == 0 || !Self.isTokenByte(t[s - 1]), colon + 36 <= t.count,
              t[colon + 1] == UInt8(ascii: "A"), t[colon + 2] == UInt8(ascii: "A") else { return nil }
        var e = colon + 1
        while e < t.count, e - colon <= 36, ASCII.isAlnum(t[e]) || t[e] == UInt8(ascii: "-") || t[e] == UInt8(ascii: "_") { e += 1 }
        guard e - colon - 1 == 35 else { return nil }
        return s..<e
    }

    /// Microsoft Entra (Azure AD) client secrets: three characters, a digit, `Q~`, then 31–34 characters.
    private func azureClientSecret(_ t: [UInt8], at q: Int) -> Range<Int>? {
        func allowed(_ b: UInt8) -> Bool { ASCII.isAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "~") || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") }
        guard q >= 4, ASCII.isDigit(t[q - 1]), (q - 4..<q - 1).allSatisfy({ allowed(t[$0]) }), q - 4 == 0 || !allowed(t[q - 5]) else { return nil }
        var e = q + 2
        while e < t.count, e - q - 2 <= 34, allowed(t[e]) { e += 1 }
        guard (31...34).contains(e - q - 2) else { return nil }
        return q - 4..<e
    }
}
