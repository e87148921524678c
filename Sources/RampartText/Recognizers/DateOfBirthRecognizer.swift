/// Dates of birth: a calendar date (numeric `YYYY-MM-DD`, `DD.MM.YYYY`, `MM/DD/YYYY`, or with an English or
/// German month name) that a birth context word stands near. A date alone is not personal data; a date
/// someone was born on is, so the context is required.
struct DateOfBirthRecognizer: Sendable {
    static let context = ContextWords([
        "born", "birth", "dob", "d.o.b", "birthday", "birthdate", "date of birth", "geboren", "geb", "geburtsdatum", "geburtstag",
        "née", "né", "naissance", "nacimiento", "nacido", "nacida", "nascita", "nato", "nata", "geboortedatum",
    ], window: 40)

    static let months: [(name: [UInt8], month: Int)] = {
        let names: [(String, Int)] = [
            ("january", 1), ("february", 2), ("march", 3), ("april", 4), ("may", 5), ("june", 6), ("july", 7), ("august", 8),
            ("september", 9), ("october", 10), ("november", 11), ("december", 12),
            ("januar", 1), ("februar", 2), ("märz", 3), ("maerz", 3), ("mai", 5), ("juni", 6), ("juli", 7), ("oktober", 10), ("dezember", 12),
            ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("jun", 6), ("jul", 7), ("aug", 8), ("sep", 9), ("sept", 9), ("oct", 10),
            ("okt", 10), ("nov", 11), ("dec", 12), ("dez", 12),
        ]
        // Longest first, so "march" wins over "mar".
        return names.map { (Array($0.0.utf8), $0.1) }.sorted { $0.name.count > $1.name.count }
    }()

    /// The first three letters of every month name, so only words that can be months are tried.
    static let monthStarts: Set<UInt32> = Set(months.map { key($0.name, 0) })

    @inline(__always) static func key(_ t: [UInt8], _ i: Int) -> UInt32 {
        UInt32(ASCII.lower(t[i])) << 16 | UInt32(ASCII.lower(t[i + 1])) << 8 | UInt32(ASCII.lower(t[i + 2]))
    }

    let currentYear: Int

    init(currentYear: Int = 2100) { self.currentYear = currentYear }

    func recognize(_ t: [UInt8], into out: inout [Candidate]) {
        let n = t.count
        var i = 0
        while i < n {
            let b = t[i]
            // Word starts only, tested first: the month-name lookup is the costly part.
            guard i == 0 || !ASCII.isAlnum(t[i - 1]), ASCII.isDigit(b) || (ASCII.isAlpha(b) && i + 3 <= n && Self.monthStarts.contains(Self.key(t, i))) else {
                i += 1
                continue
            }
            if let end = date(t, from: i), Self.context.appears(around: i..<end, in: t) {
                out.append(Candidate(kind: .pii, type: "DATE_OF_BIRTH", range: i..<end, score: 0.85, priority: 50))
                i = end
                continue
            }
            i += 1
        }
    }

    /// The end of a valid calendar date starting at `i`.
    func date(_ t: [UInt8], from i: Int) -> Int? {
        var e = i
        func number(maxDigits: Int) -> Int? {
            let s = e
            var v = 0
            while e < t.count, e - s < maxDigits, ASCII.isDigit(t[e]) { v = v * 10 + Int(t[e] - 0x30); e += 1 }
            if e < t.count, ASCII.isDigit(t[e]) { return nil }
            return e > s ? v : nil
        }
        func skip(_ chars: String) { while e < t.count, chars.utf8.contains(t[e]) { e += 1 } }
        func monthName() -> Int? {
            for (name, month) in Self.months where e + name.count <= t.count {
                var k = 0
                while k < name.count, ASCII.lower(t[e + k]) == name[k] { k += 1 }
                if k == name.count, e + k >= t.count || !ASCII.isAlpha(t[e + k]) {
                    e += k
                    if e < t.count, t[e] == UInt8(ascii: ".") { e += 1 }
                    return month
                }
            }
            return nil
        }
        func end(_ y: Int, _ m: Int, _ d: Int) -> Int? {
            guard valid(year: y, month: m, day: d), e >= t.count || !ASCII.isAlnum(t[e]) else { return nil }
            return e
        }
        if ASCII.isAlpha(t[i]) {
            // "March 12, 1985"
            guard let m = monthName() else { return nil }
            skip(" ")
            guard let d = number(maxDigits: 2) else { return nil }
            skip("stndrh")  // 1st 2nd 3rd 4th
            skip(", .")
            guard let y = number(maxDigits: 4), y >= 1000 else { return nil }
            return end(y, m, d)
        }
        guard let first = number(maxDigits: 4) else { return nil }
        let afterFirst = e
        if e + 1 < t.count, let separator = [UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ".")].first(where: { $0 == t[e] }), ASCII.isDigit(t[e + 1]) {
            e += 1
            guard let second = number(maxDigits: 2), e < t.count, t[e] == separator else { return nil }
            e += 1
            guard let third = number(maxDigits: 4) else { return nil }
            if first >= 1000 { return end(first, second, third) }  // YYYY-MM-DD
            let year = third < 100 ? (third > (currentYear % 100) ? 1900 + third : 2000 + third) : third
            if let dayFirst = end(year, second, first) { return dayFirst }  // DD.MM.YYYY
            return end(year, first, second)  // MM/DD/YYYY
        }
        e = afterFirst
        // "12 March 1985", "12. März 1985", "12th of March 1985"
        guard first <= 31 else { return nil }
        skip("stndrh")
        skip(". ")
        if e + 3 <= t.count, ASCII.lower(t[e]) == UInt8(ascii: "o"), ASCII.lower(t[e + 1]) == UInt8(ascii: "f"), t[e + 2] == UInt8(ascii: " ") { e += 3 }
        guard let m = monthName() else { return nil }
        skip(", ")
        guard let y = number(maxDigits: 4), y >= 1000 else { return nil }
        return end(y, m, first)
    }

    func valid(year: Int, month: Int, day: Int) -> Bool {
        guard (1900...currentYear).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }
}
