/// International Bank Account Numbers (ISO 13616): country code, check digits, a BBAN of the country's length
/// (SWIFT IBAN registry), printed whole or in groups of four, and a valid mod-97 checksum (ISO 7064).
struct IBANRecognizer: Sendable {
    /// Total IBAN length per country, from the SWIFT IBAN registry.
    static let lengths: [UInt16: Int] = {
        let table = "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20"
        var lengths: [UInt16: Int] = [:]
        for entry in table.split(separator: " ") {
            let bytes = Array(entry.utf8)
            lengths[UInt16(bytes[0]) << 8 | UInt16(bytes[1])] = Int(String(entry.dropFirst(2)))!
        }
        return lengths
    }()

    func recognize(_ t: [UInt8], into out: inout [Candidate]) {
        let n = t.count
        var i = 0
        var chars: [UInt8] = []
        chars.reserveCapacity(34)
        while i + 4 <= n {
            defer { i += 1 }
            let a = t[i], b = t[i + 1]
            guard a &- 0x41 < 26, b &- 0x41 < 26, ASCII.isDigit(t[i + 2]), ASCII.isDigit(t[i + 3]),
                  i == 0 || !ASCII.isAlnum(t[i - 1]), let length = Self.lengths[UInt16(a) << 8 | UInt16(b)] else { continue }
            chars.removeAll(keepingCapacity: true)
            var e = i
            while e < n, chars.count < length {
                let c = t[e]
                if ASCII.isDigit(c) || c &- 0x41 < 26 {
                    chars.append(c)
                    e += 1
                } else if c == UInt8(ascii: " "), chars.count % 4 == 0, e + 1 < n, ASCII.isAlnum(t[e + 1]) {
                    e += 1
                } else {
                    break
                }
            }
            guard chars.count == length, e >= n || !ASCII.isAlnum(t[e]), Self.mod97(chars) == 1 else { continue }
            out.append(Candidate(kind: .pii, type: "IBAN_CODE", range: i..<e, score: 1.0, priority: 85))
            i = e - 1
        }
    }

    /// ISO 7064 MOD 97-10 over the rearranged IBAN (first four characters moved to the end, letters as 10–35).
    static func mod97(_ chars: [UInt8]) -> Int {
        var remainder = 0
        for c in chars[4...] + chars[..<4] {
            if ASCII.isDigit(c) {
                remainder = (remainder * 10 + Int(c - 0x30)) % 97
            } else {
                remainder = (remainder * 100 + Int(c - 0x41 + 10)) % 97
            }
        }
        return remainder
    }
}
