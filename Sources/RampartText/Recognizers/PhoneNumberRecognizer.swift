/// Telephone numbers: international E.164 form (`+` or `00`, a known country calling code and that country's
/// national number length) and the national formats of 12 regions (US/CA, GB, DE, FR, ES, IT, NL, CH/AT, IN,
/// AU, JP, BR). National numbers need phone-like grouping or a context word to reach the default threshold,
/// because bare digit runs are more often order numbers than phones.
struct PhoneNumberRecognizer: Sendable {
    static let context = ContextWords([
        "phone", "tel", "telephone", "mobile", "cell", "call", "fax", "whatsapp", "signal", "contact", "reach me", "text me", "sms",
        "telefon", "handy", "mobil", "rufnummer", "nummer", "anrufen", "téléphone", "portable", "teléfono", "móvil", "telefono", "cellulare",
    ])

    /// National significant number lengths per country calling code (ITU-T E.164 assignments; ranges from
    /// the national numbering plans).
    static let callingCodes: [Int: ClosedRange<Int>] = [
        1: 10...10, 7: 10...10, 20: 9...10, 27: 9...9, 30: 10...10, 31: 9...9, 32: 8...9, 33: 9...9, 34: 9...9, 36: 8...9,
        39: 6...11, 40: 9...9, 41: 9...9, 43: 4...13, 44: 9...10, 45: 8...8, 46: 7...13, 47: 8...8, 48: 9...9, 49: 6...13,
        51: 8...9, 52: 10...10, 53: 8...8, 54: 10...11, 55: 10...11, 56: 9...9, 57: 10...10, 58: 10...10, 60: 7...10, 61: 9...9,
        62: 8...12, 63: 8...10, 64: 8...10, 65: 8...8, 66: 8...9, 81: 9...10, 82: 8...10, 84: 9...10, 86: 10...11, 90: 10...10,
        91: 10...10, 92: 9...10, 93: 9...9, 94: 9...9, 95: 8...10, 98: 10...10, 212: 9...9, 213: 9...9, 216: 8...8, 234: 8...10,
        254: 9...9, 351: 9...9, 352: 6...11, 353: 7...9, 354: 7...7, 358: 6...12, 370: 8...8, 371: 8...8, 372: 7...8, 380: 9...9,
        385: 8...9, 386: 8...8, 420: 9...9, 421: 9...9, 852: 8...8, 880: 10...10, 886: 8...9, 966: 9...9, 971: 8...9, 972: 8...9,
    ]

    func recognize(_ t: [UInt8], into out: inout [Candidate]) {
        let n = t.count
        var i = 0
        while i < n {
            let b = t[i]
            guard ASCII.isDigit(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "("),
                  i == 0 || !(ASCII.isAlnum(t[i - 1]) || t[i - 1] == UInt8(ascii: ".") || t[i - 1] == UInt8(ascii: "-")
                      || t[i - 1] == UInt8(ascii: "/") || t[i - 1] == UInt8(ascii: "+") || t[i - 1] == UInt8(ascii: ",")) else { i += 1; continue }
            guard let (end, score) = match(t, from: i) else { i += 1; continue }
            if score >= 0.3 {
                out.append(Candidate(kind: .pii, type: "PHONE_NUMBER", range: i..<end, score: score, priority: 40))
            }
            i = end
        }
    }

    /// The phone number starting at `i`: its end and score.
    func match(_ t: [UInt8], from i: Int) -> (Int, Double)? {
        // Collect the run: digits and single separators; "(0)" after a country code is a trunk prefix.
        var digits: [UInt8] = []
        var e = i
        var plus = false
        var separators = 0
        var parens = 0
        var openParen = false
        if t[e] == UInt8(ascii: "+") {
            guard e + 1 < t.count, ASCII.isDigit(t[e + 1]) else { return nil }
            plus = true
            e += 1
        }
        var lastDigitEnd = e
        while e < t.count, digits.count <= 16 {
            let b = t[e]
            if ASCII.isDigit(b) {
                digits.append(b - 0x30)
                e += 1
                lastDigitEnd = e
            } else if b == UInt8(ascii: "(") && !openParen && e + 1 < t.count && ASCII.isDigit(t[e + 1]) {
                if plus, e + 2 < t.count, t[e + 1] == UInt8(ascii: "0"), t[e + 2] == UInt8(ascii: ")") {
                    e += 3  // +44 (0)20 …
                    separators += 1
                    continue
                }
                openParen = true
                e += 1
            } else if b == UInt8(ascii: ")") && openParen {
                openParen = false
                parens += 1
                e += 1
                lastDigitEnd = e
                if e < t.count, t[e] == UInt8(ascii: " ") || t[e] == UInt8(ascii: "-") { e += 1 }
            } else if (b == UInt8(ascii: " ") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "/")), !digits.isEmpty,
                      e + 1 < t.count, ASCII.isDigit(t[e + 1]) || t[e + 1] == UInt8(ascii: "(") {
                separators += 1
                e += 1
            } else {
                break
            }
        }
        guard !openParen else { return nil }
        let end = lastDigitEnd
        if end < t.count, ASCII.isAlnum(t[end]) || (t[end] == UInt8(ascii: ".") && end + 1 < t.count && ASCII.isDigit(t[end + 1])) { return nil }
        guard (7...15).contains(digits.count) || (digits.count == 16 && !plus) else { return nil }
        guard Set(digits).count > 2 else { return nil }
        let grouped = separators >= 2 || parens > 0
        let context = Self.context.appears(around: i..<end, in: t)
        var score: Double
        if plus || (digits.count > 9 && digits[0] == 0 && digits[1] == 0) {
            let international = plus ? digits : Array(digits.dropFirst(2))
            guard let valid = Self.validInternational(international) else { return nil }
            score = valid ? 0.75 : 0.45
        } else {
            guard Self.validNational(digits, parenthesized: parens > 0) else { return nil }
            score = grouped ? 0.55 : 0.3
        }
        if context { score = min(1, score + 0.3) }
        return (end, score)
    }

    /// `true`: a known calling code with a fitting length; `false`: an unknown code but an E.164 length;
    /// `nil`: not a phone number.
    static func validInternational(_ d: [UInt8]) -> Bool? {
        for length in 1...3 where d.count > length {
            let code = d.prefix(length).reduce(0) { $0 * 10 + Int($1) }
            if let nsn = callingCodes[code] {
                return nsn.contains(d.count - length) ? true : nil
            }
        }
        return (8...15).contains(d.count) && d[0] != 0 ? false : nil
    }

    static func validNational(_ d: [UInt8], parenthesized: Bool) -> Bool {
        let n = d.count
        // US/CA (NANP): [2-9]XX [2-9]XX XXXX, optional leading 1.
        let nanp = n == 11 && d[0] == 1 ? Array(d.dropFirst()) : d
        if nanp.count == 10, nanp[0] >= 2, nanp[3] >= 2, !(nanp[1] == 1 && nanp[2] == 1) { return true }
        if d[0] == 0 {
            guard n >= 2, d[1] != 0 else { return false }
            switch n {
            case 10, 11: return true  // GB 01/02/03/07/08, DE, FR (10), NL (10), AU (10), JP (10–11), IT, IN (0 + 10), CH/AT
            case 6...9: return d[1] != 0  // DE/AT/IT landlines with short numbers
            case 12: return d[1] == 1 && (d[2] == 5 || d[2] == 6 || d[2] == 7)  // DE mobile 015x/016x/017x
            default: return false
            }
        }
        // ES: 9 digits starting 6–9. IT mobile: 3 + 9 digits. IN mobile: 10 digits starting 6–9.
        if n == 9, d[0] >= 6 { return true }
        if n == 10, d[0] == 3 || d[0] >= 6 { return true }
        // BR: (DD) 9XXXX-XXXX or (DD) XXXX-XXXX.
        if parenthesized, n == 10 || n == 11, d[0] != 0 { return true }
        return false
    }
}
