/// National identifiers: US Social Security numbers and UK National Insurance numbers.
struct NationalIDRecognizer: Sendable {
    static let ssnContext = ContextWords(["ssn", "social security", "social-security", "ss#", "ssn#", "sozialversicherungsnummer", "taxpayer"])
    static let ninoContext = ContextWords(["nino", "national insurance", "ni number", "ni no", "nin"])

    func recognize(_ t: [UInt8], into out: inout [Candidate]) {
        let n = t.count
        var i = 0
        while i < n {
            let b = t[i]
            let boundary = i == 0 || !(ASCII.isAlnum(t[i - 1]) || t[i - 1] == UInt8(ascii: "-") || t[i - 1] == UInt8(ascii: "."))
            if boundary, ASCII.isDigit(b), let (end, score) = ssn(t, from: i) {
                out.append(Candidate(kind: .pii, type: "US_SSN", range: i..<end, score: score, priority: 65))
                i = end
                continue
            }
            if boundary, b &- 0x41 < 26, let end = nino(t, from: i) {
                let score = Self.ninoContext.appears(around: i..<end, in: t) ? 1.0 : 0.85
                out.append(Candidate(kind: .pii, type: "UK_NINO", range: i..<end, score: score, priority: 65))
                i = end
                continue
            }
            i += 1
        }
    }

    /// A US SSN (AAA-GG-SSSS) at `i`: the SSA's never-issued ranges (area 000, 666, 900–999; group 00;
    /// serial 0000) and the two numbers published in advertising are refused. Dashes score 0.85, spaces or
    /// dots 0.6, nine bare digits 0.3; context words ("SSN", "social security") add 0.3.
    func ssn(_ t: [UInt8], from i: Int) -> (Int, Double)? {
        var digits: [Int] = []
        var e = i
        var separators: [UInt8] = []
        while e < t.count, digits.count < 9 {
            let b = t[e]
            if ASCII.isDigit(b) {
                digits.append(Int(b - 0x30))
                e += 1
            } else if (digits.count == 3 || digits.count == 5), b == UInt8(ascii: "-") || b == UInt8(ascii: " ") || b == UInt8(ascii: "."),
                      separators.count < 2, e + 1 < t.count, ASCII.isDigit(t[e + 1]) {
                separators.append(b)
                e += 1
            } else {
                break
            }
        }
        guard digits.count == 9, separators.isEmpty || (separators.count == 2 && separators[0] == separators[1]) else { return nil }
        if e < t.count, ASCII.isAlnum(t[e]) || ((t[e] == UInt8(ascii: "-") || t[e] == UInt8(ascii: ".")) && e + 1 < t.count && ASCII.isDigit(t[e + 1])) { return nil }
        let area = digits[0] * 100 + digits[1] * 10 + digits[2]
        let group = digits[3] * 10 + digits[4]
        let serial = digits[5] * 1000 + digits[6] * 100 + digits[7] * 10 + digits[8]
        guard area != 0, area != 666, area < 900, group != 0, serial != 0 else { return nil }
        let number = area * 1_000_000 + group * 10_000 + serial
        guard number != 78_051_120, number != 219_099_999, Set(digits).count > 1 else { return nil }
        var score = separators.isEmpty ? 0.3 : separators[0] == UInt8(ascii: "-") ? 0.85 : 0.6
        if Self.ssnContext.appears(around: i..<e, in: t) { score = min(1, score + 0.3) }
        return (e, score)
    }

    /// A UK NINO at `i`: two prefix letters (not D, F, I, Q, U, V; second not O; not BG, GB, KN, NK, NT, TN, ZZ),
    /// six digits (whole or in pairs), suffix A–D.
    func nino(_ t: [UInt8], from i: Int) -> Int? {
        guard i + 9 <= t.count else { return nil }
        let a = t[i], b = t[i + 1]
        guard b &- 0x41 < 26, !"DFIQUV".utf8.contains(a), !"DFIQUVO".utf8.contains(b) else { return nil }
        let prefix = String(decoding: [a, b], as: UTF8.self)
        guard !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(prefix) else { return nil }
        var e = i + 2
        var digits = 0
        let spaced = e < t.count && t[e] == UInt8(ascii: " ")
        while e < t.count, digits < 6 {
            if spaced, digits % 2 == 0, t[e] == UInt8(ascii: " ") { e += 1; continue }
            guard ASCII.isDigit(t[e]) else { return nil }
            digits += 1
            e += 1
        }
        guard digits == 6 else { return nil }
        if spaced, e < t.count, t[e] == UInt8(ascii: " ") { e += 1 }
        guard e < t.count, (UInt8(ascii: "A")...UInt8(ascii: "D")).contains(t[e]) else { return nil }
        e += 1
        guard e >= t.count || !ASCII.isAlnum(t[e]) else { return nil }
        return e
    }
}
