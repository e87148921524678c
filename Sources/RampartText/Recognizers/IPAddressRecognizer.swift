/// IPv4 (dotted quad, no leading zeros, optional CIDR suffix) and IPv6 (RFC 4291 §2.2 text forms: full,
/// `::`-compressed, with an embedded IPv4 tail) addresses.
struct IPAddressRecognizer: Sendable {
    static let context = ContextWords(["ip", "ipv4", "ipv6", "address", "addr", "host", "server", "client", "from", "adresse", "remote"])

    func recognize(_ t: [UInt8], into out: inout [Candidate]) {
        let n = t.count
        var i = 0
        while i < n {
            let b = t[i]
            let boundary = i == 0 || !(ASCII.isAlnum(t[i - 1]) || t[i - 1] == UInt8(ascii: ".") || t[i - 1] == UInt8(ascii: ":"))
            if boundary, ASCII.isDigit(b), let end = Self.ipv4(t, from: i) {
                let score = Self.context.appears(around: i..<end, in: t) ? 0.9 : 0.6
                out.append(Candidate(kind: .pii, type: "IP_ADDRESS", range: i..<end, score: score, priority: 70))
                i = end
                continue
            }
            if boundary, ASCII.isHex(b) || b == UInt8(ascii: ":"), let end = Self.ipv6(t, from: i) {
                let score = Self.context.appears(around: i..<end, in: t) ? 0.9 : 0.6
                out.append(Candidate(kind: .pii, type: "IP_ADDRESS", range: i..<end, score: score, priority: 70))
                i = end
                continue
            }
            i += 1
        }
    }

    /// End of a dotted-quad address starting at `i`, or `nil`.
    static func ipv4(_ t: [UInt8], from i: Int, allowTrailing: Bool = false) -> Int? {
        var e = i
        for octet in 0..<4 {
            let s = e
            var value = 0
            while e < t.count, e - s < 4, ASCII.isDigit(t[e]) { value = value * 10 + Int(t[e] - 0x30); e += 1 }
            guard e > s, e - s <= 3, value <= 255, !(e - s > 1 && t[s] == UInt8(ascii: "0")) else { return nil }
            if octet < 3 {
                guard e < t.count, t[e] == UInt8(ascii: ".") else { return nil }
                e += 1
            }
        }
        if allowTrailing { return e }
        // Not part of a longer dotted number (version strings, OIDs) or a word.
        if e < t.count, ASCII.isAlnum(t[e]) || (t[e] == UInt8(ascii: ".") && e + 1 < t.count && ASCII.isDigit(t[e + 1])) { return nil }
        // CIDR suffix.
        if e + 1 < t.count, t[e] == UInt8(ascii: "/"), ASCII.isDigit(t[e + 1]) {
            var k = e + 1
            var bits = 0
            while k < t.count, k - e <= 2, ASCII.isDigit(t[k]) { bits = bits * 10 + Int(t[k] - 0x30); k += 1 }
            if bits <= 32, k >= t.count || !ASCII.isAlnum(t[k]) { e = k }
        }
        return e
    }

    /// End of an IPv6 address starting at `i`, or `nil`.
    static func ipv6(_ t: [UInt8], from i: Int) -> Int? {
        var e = i
        var groups = 0
        var compressed = false
        var colons = 0
        if e + 1 < t.count, t[e] == UInt8(ascii: ":") {
            guard t[e + 1] == UInt8(ascii: ":") else { return nil }
            compressed = true
            colons = 2
            e += 2
        }
        var end = compressed ? e : i
        while e < t.count {
            // An embedded IPv4 tail ends the address.
            if groups < 7, ASCII.isDigit(t[e]), let v4 = ipv4(t, from: e, allowTrailing: true), v4 - e >= 7,
               v4 >= t.count || !(ASCII.isAlnum(t[v4]) || t[v4] == UInt8(ascii: ":")) {
                groups += 2
                end = v4
                e = v4
                break
            }
            let s = e
            while e < t.count, e - s < 5, ASCII.isHex(t[e]) { e += 1 }
            guard e > s else { break }
            guard e - s <= 4 else { return nil }
            groups += 1
            end = e
            guard e < t.count, t[e] == UInt8(ascii: ":") else { break }
            if e + 1 < t.count, t[e + 1] == UInt8(ascii: ":") {
                guard !compressed else { return nil }
                compressed = true
                colons += 2
                e += 2
                end = e
            } else {
                colons += 1
                e += 1
            }
        }
        guard colons >= 2, groups <= 8, compressed ? groups <= 7 : groups == 8 else { return nil }
        guard end >= t.count || !(ASCII.isAlnum(t[end]) || t[end] == UInt8(ascii: ":")) || t[end - 1] == UInt8(ascii: ":") else { return nil }
        // A bare "::" is punctuation, not an address; "::1" or "::60" (one group after "::") is loopback or, far more
        // often, text such as uuencoded data or C++ scopes — not an address about anyone.
        guard groups >= 2 else { return nil }
        return end
    }
}
