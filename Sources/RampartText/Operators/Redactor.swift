/// Turns findings into edits with the chosen operators.
public struct Redactor: Sendable {
    /// A keyed one-way function for ``RedactionOperator/pseudonym`` (type, value) → short hex; `nil` falls back to placeholders.
    public var pseudonym: (@Sendable (_ type: String, _ value: String) -> String)?

    public init(pseudonym: (@Sendable (_ type: String, _ value: String) -> String)? = nil) {
        self.pseudonym = pseudonym
    }

    /// The replacement for `finding` (whose text in the input is `value`) under `op`, recording restorable ones in `vault`.
    public func replacement(for finding: TextFinding, value: String, operator op: RedactionOperator, vault: inout RedactionVault) -> String {
        switch op {
        case .mask:
            return String(String.UnicodeScalarView(value.unicodeScalars.map { $0.properties.isAlphabetic || $0.properties.numericType != nil ? "*" : $0 }))
        case .placeholder:
            return vault.placeholder(type: finding.type, value: value)
        case .pseudonym:
            guard let pseudonym else { return vault.placeholder(type: finding.type, value: value) }
            let replacement = "<\(finding.type)_\(pseudonym(finding.type, value))>"
            vault.remember(replacement, for: value)
            return replacement
        case .generalize:
            if finding.decodedBy == nil, let general = Self.generalize(type: finding.type, value: value) { return general }
            return vault.placeholder(type: finding.type, value: value)
        }
    }

    /// Edits replacing each finding by its operator's output; findings whose operator is `nil` are left in place.
    public func edits(for findings: [TextFinding], in text: String, vault: inout RedactionVault,
                      operator op: (TextFinding) -> RedactionOperator?) -> [TextEdit] {
        guard !findings.isEmpty else { return [] }
        let scalars = Array(text.unicodeScalars)
        var edits: [TextEdit] = []
        for finding in findings {
            guard let chosen = op(finding) else { continue }
            let start = min(max(finding.start, 0), scalars.count)
            let end = min(max(finding.end, start), scalars.count)
            let value = String(String.UnicodeScalarView(scalars[start..<end]))
            edits.append(TextEdit(start: start, end: end, replacement: replacement(for: finding, value: value, operator: chosen, vault: &vault)))
        }
        return edits
    }

    /// The coarse form of an IP address or a date, or `nil` when there is none.
    public static func generalize(type: String, value: String) -> String? {
        switch type {
        case "IP_ADDRESS":
            if let v4 = IPv4(value) { return "\(v4[0]).\(v4[1]).\(v4[2]).0/24" }
            if let v6 = IPv6(value) { return v6[0..<3].map { String($0, radix: 16) }.joined(separator: ":") + "::/48" }
            return nil
        case "DATE_OF_BIRTH":
            guard let (year, month) = yearMonth(value) else { return nil }
            return "\(year)-" + (month < 10 ? "0" : "") + "\(month)"
        default:
            return nil
        }
    }

    static func IPv4(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let octets = parts.compactMap { Int($0) }.filter { (0...255).contains($0) }
        return octets.count == 4 ? octets : nil
    }

    static func IPv6(_ text: String) -> [Int]? {
        var text = Substring(text)
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }  // zone id
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String) -> [Int]? {
            guard !s.isEmpty else { return [] }
            var out: [Int] = []
            for part in s.split(separator: ":", omittingEmptySubsequences: false) {
                if part.contains(".") {  // embedded IPv4
                    guard let v4 = IPv4(String(part)) else { return nil }
                    out += [v4[0] << 8 | v4[1], v4[2] << 8 | v4[3]]
                } else {
                    guard (1...4).contains(part.count), let g = Int(part, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        return head.count == 8 ? head : nil
    }

    /// Year and month of a date written as `YYYY-MM-DD`, `DD.MM.YYYY`, `MM/DD/YYYY`, or with a month name.
    static func yearMonth(_ text: String) -> (Int, Int)? {
        let bytes = Array(text.utf8)
        var numbers: [(value: Int, digits: Int)] = []
        var words: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            if ASCII.isDigit(bytes[i]) {
                var v = 0, d = 0
                while i < bytes.count, ASCII.isDigit(bytes[i]), d < 5 { v = v * 10 + Int(bytes[i] - 48); d += 1; i += 1 }
                numbers.append((v, d))
            } else if ASCII.isAlpha(bytes[i]) || bytes[i] >= 0x80 {
                var w: [UInt8] = []
                while i < bytes.count, ASCII.isAlpha(bytes[i]) || bytes[i] >= 0x80 { w.append(ASCII.lower(bytes[i])); i += 1 }
                words.append(w)
            } else {
                i += 1
            }
        }
        guard let year = numbers.first(where: { $0.digits == 4 })?.value else { return nil }
        if let month = words.lazy.compactMap({ w in DateOfBirthRecognizer.months.first { $0.name == w }?.month }).first {
            return (year, month)
        }
        let others = numbers.filter { $0.digits <= 2 }.map(\.value)
        guard others.count == 2 else { return nil }
        let month: Int
        if numbers[0].digits == 4 { month = others[0] }  // YYYY-MM-DD
        else if text.contains("/") { month = others[0] }  // MM/DD/YYYY
        else { month = others[1] }  // DD.MM.YYYY
        return (1...12).contains(month) ? (year, month) : nil
    }
}
