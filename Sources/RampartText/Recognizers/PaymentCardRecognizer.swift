/// Payment card numbers (PANs): 12–19 digits, optionally grouped by single spaces or hyphens, with an issuer
/// prefix of a major brand (ISO/IEC 7812 IIN ranges) and a valid Luhn check digit.
struct PaymentCardRecognizer: Sendable {
    func recognize(_ t: [UInt8], into out: inout [Candidate]) {
        let n = t.count
        var i = 0
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        while i < n {
            guard ASCII.isDigit(t[i]), i == 0 || !(ASCII.isAlnum(t[i - 1]) || t[i - 1] == UInt8(ascii: ".") || t[i - 1] == UInt8(ascii: "-")) else { i += 1; continue }
            digits.removeAll(keepingCapacity: true)
            var e = i
            var separator: UInt8? = nil
            while e < n, digits.count <= 19 {
                let b = t[e]
                if ASCII.isDigit(b) {
                    digits.append(b - 0x30)
                    e += 1
                } else if (b == UInt8(ascii: " ") || b == UInt8(ascii: "-")), e + 1 < n, ASCII.isDigit(t[e + 1]), separator == nil || separator == b {
                    separator = b
                    e += 1
                } else {
                    break
                }
            }
            defer { i = max(e, i + 1) }
            guard (12...19).contains(digits.count), e >= n || !(ASCII.isAlnum(t[e]) || (t[e] == UInt8(ascii: ".") && e + 1 < n && ASCII.isDigit(t[e + 1]))) else { continue }
            guard Self.brand(digits) != nil, Self.luhn(digits), Set(digits).count > 1 else { continue }
            out.append(Candidate(kind: .pii, type: "CREDIT_CARD", range: i..<e, score: 1.0, priority: 90))
        }
    }

    /// Luhn (ISO/IEC 7812-1 Annex B) over digit values.
    static func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (k, d) in digits.reversed().enumerated() {
            var v = Int(d)
            if k % 2 == 1 { v *= 2; if v > 9 { v -= 9 } }
            sum += v
        }
        return sum % 10 == 0
    }

    /// The card brand whose IIN range and lengths `digits` fit, or `nil`.
    static func brand(_ d: [UInt8]) -> String? {
        func prefix(_ count: Int) -> Int { d.prefix(count).reduce(0) { $0 * 10 + Int($1) } }
        let n = d.count
        let p1 = prefix(1), p2 = prefix(2), p3 = prefix(3), p4 = prefix(4), p6 = prefix(6)
        if p1 == 4, [13, 16, 19].contains(n) { return "visa" }
        if ((51...55).contains(p2) || (2221...2720).contains(p4)), n == 16 { return "mastercard" }
        if p2 == 34 || p2 == 37, n == 15 { return "amex" }
        if (p4 == 6011 || (644...649).contains(p3) || p2 == 65 || (622126...622925).contains(p6)), (16...19).contains(n) { return "discover" }
        if (3528...3589).contains(p4), (16...19).contains(n) { return "jcb" }
        if ((300...305).contains(p3) || p2 == 36 || p2 == 38 || p2 == 39), (14...19).contains(n) { return "diners" }
        if (2200...2204).contains(p4), (16...19).contains(n) { return "mir" }
        if p2 == 62 || p2 == 81, (16...19).contains(n) { return "unionpay" }
        if (p2 == 50 || (56...69).contains(p2)), (12...19).contains(n) { return "maestro" }
        return nil
    }
}
