import Foundation

/// Secrets recognized by where they stand rather than by their shape: the value assigned to a name that
/// says it is a secret (`DB_PASSWORD=…`, `"apiToken": "…"`, `password is …`, `Authorization: Bearer …`).
///
/// Passwords are reported at any strength (a weak password is still a password); values of other secret
/// names must look random (Shannon entropy ≥ 3.3 bits per character over ≥ 16 characters), which keeps
/// `token: none` and `secret = config.value` out.
enum KeywordSecrets {
    private static let passwordWords = ["password", "passwd", "passwort", "kennwort", "pwd", "passphrase", "mot de passe", "contraseña"]
    private static let secretWords = ["secret", "token", "apikey", "api_key", "api-key", "access_key", "accesskey", "private_key", "auth",
                                      "credential", "client_secret", "signing_key", "encryption_key", "bearer"]
    private static let keywords: [(word: [UInt8], isPassword: Bool)] =
        passwordWords.map { (Array($0.utf8), true) } + secretWords.map { (Array($0.utf8), false) }
    private static let firstBytes: Set<UInt8> = Set(keywords.map { $0.word[0] })
    private static let placeholders: Set<String> = ["none", "null", "nil", "true", "false", "undefined", "required", "optional", "string",
                                                    "password", "secret", "token", "your_password", "yourpassword", "changeit", "example"]

    static func recognize(_ t: [UInt8], into out: inout [Candidate]) {
        let n = t.count
        var i = 0
        while i < n {
            let lower = ASCII.lower(t[i])
            guard firstBytes.contains(lower) else { i += 1; continue }
            var matched: (word: [UInt8], isPassword: Bool)?
            for keyword in keywords where keyword.word[0] == lower && i + keyword.word.count <= n {
                var k = 1
                while k < keyword.word.count, ASCII.lower(t[i + k]) == keyword.word[k] { k += 1 }
                if k == keyword.word.count { matched = keyword; break }
            }
            guard let keyword = matched else { i += 1; continue }
            if let (range, score) = value(t, afterKeywordAt: i, length: keyword.word.count, isPassword: keyword.isPassword) {
                let type = keyword.isPassword ? "PASSWORD" : keyword.word == Array("bearer".utf8) ? "BEARER_TOKEN" : "GENERIC_SECRET"
                out.append(Candidate(kind: .secret, type: type, range: range, score: score, priority: 95))
                i = range.upperBound
                continue
            }
            i += keyword.word.count
        }
    }

    /// The assigned value after a keyword at `i`: the rest of the identifier, an optional closing quote,
    /// an assignment (`:`, `=`, `:=`, `=>`, `->`, ` is `, ` ist `, ` lautet `, or a space after `bearer`), an
    /// optional opening quote, then the value up to its closing quote or whitespace.
    private static func value(_ t: [UInt8], afterKeywordAt i: Int, length: Int, isPassword: Bool) -> (Range<Int>, Double)? {
        let n = t.count
        var e = i + length
        // The rest of the name (`DB_PASSWORD_FILE`, `apiTokenValue`), at most 64 bytes: a longer "name" is not one,
        // and the bound keeps a text of repeated keywords linear.
        while e < n, e - i < 64, ASCII.isAlnum(t[e]) || t[e] == UInt8(ascii: "_") || t[e] == UInt8(ascii: "-") || t[e] == UInt8(ascii: ".") { e += 1 }
        if e - i >= 64 { return nil }
        if e < n, t[e] == UInt8(ascii: "\"") || t[e] == UInt8(ascii: "'") { e += 1 }
        let beforeOperator = e
        while e < n, t[e] == UInt8(ascii: " ") || t[e] == UInt8(ascii: "\t") { e += 1 }
        var assigned = false
        if e < n, t[e] == UInt8(ascii: ":") || t[e] == UInt8(ascii: "=") {
            e += 1
            if e < n, t[e] == UInt8(ascii: "=") || t[e] == UInt8(ascii: ">") { e += 1 }
            assigned = true
        } else if e + 1 < n, t[e] == UInt8(ascii: "-"), t[e + 1] == UInt8(ascii: ">") {
            e += 2
            assigned = true
        } else if e > beforeOperator {
            for word in ["is", "ist", "lautet", "was", "est", "es"] {
                let w = Array(word.utf8)
                if e + w.count < n, t[e..<e + w.count].elementsEqual(w), t[e + w.count] == UInt8(ascii: " ") {
                    e += w.count
                    assigned = true
                    break
                }
            }
            // "Bearer eyJ…": the keyword is the assignment.
            if !assigned, length == 6, ASCII.lower(t[i]) == UInt8(ascii: "b") { assigned = true }
        }
        guard assigned else { return nil }
        while e < n, t[e] == UInt8(ascii: " ") || t[e] == UInt8(ascii: "\t") { e += 1 }
        var quote: UInt8?
        if e < n, t[e] == UInt8(ascii: "\"") || t[e] == UInt8(ascii: "'") || t[e] == UInt8(ascii: "`") { quote = t[e]; e += 1 }
        let start = e
        while e < n, e - start <= 256 {
            let b = t[e]
            if let quote { if b == quote || b == UInt8(ascii: "\n") { break } } else if ASCII.isSpace(b) || b == UInt8(ascii: ",") || b == UInt8(ascii: ";")
                || b == UInt8(ascii: ")") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || b == UInt8(ascii: "<") { break }
            e += 1
        }
        if quote == nil { while e > start, t[e - 1] == UInt8(ascii: ".") || t[e - 1] == UInt8(ascii: "!") || t[e - 1] == UInt8(ascii: "?") { e -= 1 } }
        let value = t[start..<e]
        guard e - start <= 256, let first = value.first else { return nil }
        // Placeholders, references and code, not values.
        if "$<{%([".utf8.contains(first) || value.allSatisfy({ $0 == UInt8(ascii: "*") || ASCII.lower($0) == UInt8(ascii: "x") || $0 == UInt8(ascii: ".") }) { return nil }
        if placeholders.contains(String(decoding: value, as: UTF8.self).lowercased()) { return nil }
        let entropy = shannonEntropy(value)
        if isPassword {
            guard value.count >= 6 else { return nil }
            // A password written as prose ("password is the usual one") is a word, not a secret.
            if quote == nil, value.allSatisfy({ $0 &- 0x61 < 26 }), value.count < 10, !t[beforeOperator..<start].contains(UInt8(ascii: ":")),
               !t[beforeOperator..<start].contains(UInt8(ascii: "=")) { return nil }
            return (start..<e, entropy >= 3.0 ? 0.9 : 0.75)
        }
        guard value.count >= 16, entropy >= 3.3, value.contains(where: ASCII.isDigit) || value.count >= 24 else { return nil }
        // Dotted identifiers (`settings.secret.value`) and paths are references.
        if value.allSatisfy({ ASCII.isAlpha($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "/") }) { return nil }
        return (start..<e, entropy >= 4.0 ? 0.9 : 0.8)
    }

    /// Shannon entropy in bits per byte.
    static func shannonEntropy(_ bytes: some Collection<UInt8>) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        for b in bytes { counts[Int(b)] += 1 }
        let total = Double(bytes.count)
        var entropy = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / total
            entropy -= p * log2(p)
        }
        return entropy
    }
}

