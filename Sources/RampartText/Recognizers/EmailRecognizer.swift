/// E-mail addresses (RFC 5321 dot-atom local part, DNS host name with an alphabetic TLD). Triggered by `@`,
/// so text without one costs a single pass.
struct EmailRecognizer: Sendable {
    func recognize(_ t: [UInt8], into out: inout [Candidate]) {
        var i = 0
        let n = t.count
        while i < n {
            guard t[i] == UInt8(ascii: "@") else { i += 1; continue }
            defer { i += 1 }
            // Local part, leftwards.
            var s = i
            while s > 0, ASCII.isAlnum(t[s - 1]) || ASCII.table[Int(t[s - 1])] & ASCII.emailLocalExtra != 0 { s -= 1 }
            while s < i, t[s] == UInt8(ascii: ".") || t[s] == UInt8(ascii: "-") { s += 1 }  // no leading dot
            guard s < i, i - s <= 64, !(s > 0 && t[s - 1] >= 0x80), t[i - 1] != UInt8(ascii: ".") else { continue }
            // Domain, rightwards: labels of letters, digits and inner hyphens, separated by single dots.
            var e = i + 1
            var labelStart = e
            var labels = 0
            var lastLabel = e..<e
            while e < n {
                let b = t[e]
                if ASCII.isAlnum(b) || b == UInt8(ascii: "-") {
                    e += 1
                } else if b == UInt8(ascii: "."), e > labelStart, e + 1 < n, ASCII.isAlnum(t[e + 1]) {
                    lastLabel = labelStart..<e
                    labels += 1
                    e += 1
                    labelStart = e
                } else {
                    break
                }
            }
            if e > labelStart { lastLabel = labelStart..<e; labels += 1 }
            // Trim hyphens at the end.
            while e > labelStart, t[e - 1] == UInt8(ascii: "-") { e -= 1; lastLabel = labelStart..<e }
            guard labels >= 2, e - (i + 1) <= 253, lastLabel.count >= 2, lastLabel.count <= 63,
                  lastLabel.allSatisfy({ ASCII.isAlpha(t[$0]) }), e >= n || t[e] < 0x80 else { continue }
            var labelsValid = true
            var k = i + 1
            var start = k
            while k <= e {
                if k == e || t[k] == UInt8(ascii: ".") {
                    if k - start > 63 || k == start || t[start] == UInt8(ascii: "-") || t[k - 1] == UInt8(ascii: "-") { labelsValid = false; break }
                    start = k + 1
                }
                k += 1
            }
            guard labelsValid else { continue }
            out.append(Candidate(kind: .pii, type: "EMAIL", range: s..<e, score: 1.0, priority: 60))
            i = e - 1
        }
    }
}
