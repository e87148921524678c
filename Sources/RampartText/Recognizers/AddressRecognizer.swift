/// Street addresses (US, UK, German forms), without an NLP model: a street line found by its shape, joined with the
/// postal line that follows it.
///
/// - street line, US/UK: a house number, one to four capitalized words and a street suffix from the USPS list
///   (`Street`, `Ave`, `Plaza`, `Crossing`, …, and British `Mews`, `Close`, `Gardens`), then an optional unit
///   (`Apt. 4`, `Suite 200`); or a British flat first (`Flat 8`, `Studio 54P`) then the street: 0.7;
/// - street line, German: a street name ending in `straße`, `str.`, `weg`, `platz`, `allee`, `gasse`, `ring`, `damm`,
///   … (or `Am`/`An der`/`Zum` + name), then a house number (`12`, `12a`, `18-86`): 0.75;
/// - the postal line after it (same line or next): US `City, ST 12345(-6789)` (state codes checked), UK postcode
///   (`SW1A 1AA`), German `12345 City`: 0.95 for the whole address;
/// - a US or UK postal line without a street line: the lines above it that look like address lines (capitalized
///   words and numbers, at most two) are taken with it: 0.85; alone it is not reported;
/// - a context word (`address`, `lives at`, `ship to`, `Anschrift`, `wohnhaft`, …) adds 0.15.
struct AddressRecognizer: Sendable {
    static let suffixes: WordSet = [
        "alley", "aly", "annex", "arcade", "avenue", "ave", "bayou", "beach", "bend", "bluff", "bluffs", "bottom", "boulevard",
        "blvd", "branch", "bridge", "brook", "brooks", "burg", "burgs", "bypass", "camp", "canyon", "cape", "causeway", "center",
        "centre", "centers", "circle", "cir", "circles", "cliff", "cliffs", "club", "common", "commons", "corner", "corners",
        "course", "court", "ct", "courts", "cove", "coves", "creek", "crescent", "cres", "crest", "crossing", "crossroad",
        "curve", "dale", "dam", "divide", "drive", "dr", "drives", "estate", "estates", "expressway", "extension", "extensions",
        "fall", "falls", "ferry", "field", "fields", "flat", "flats", "ford", "fords", "forest", "forge", "forges", "fork",
        "forks", "fort", "freeway", "garden", "gardens", "gateway", "glen", "glens", "green", "greens", "grove", "groves",
        "harbor", "harbors", "haven", "heights", "highway", "hwy", "hill", "hills", "hollow", "inlet", "island", "islands",
        "isle", "junction", "junctions", "key", "keys", "knoll", "knolls", "lake", "lakes", "land", "landing", "lane", "ln",
        "light", "lights", "loaf", "lock", "locks", "lodge", "loop", "mall", "manor", "manors", "meadow", "meadows", "mews",
        "mill", "mills", "mission", "motorway", "mount", "mountain", "mountains", "neck", "orchard", "oval", "overpass", "park",
        "parks", "parkway", "pkwy", "parkways", "pass", "passage", "path", "pike", "pine", "pines", "place", "pl", "plain",
        "plains", "plaza", "point", "points", "port", "ports", "prairie", "radial", "ramp", "ranch", "rapid", "rapids", "rest",
        "ridge", "ridges", "river", "road", "rd", "roads", "route", "row", "rue", "run", "shoal", "shoals", "shore", "shores",
        "skyway", "spring", "springs", "spur", "spurs", "square", "sq", "squares", "station", "stravenue", "stream", "street",
        "st", "streets", "summit", "terrace", "ter", "throughway", "trace", "track", "trafficway", "trail", "trl", "trailer",
        "tunnel", "turnpike", "underpass", "union", "unions", "valley", "valleys", "via", "viaduct", "view", "views", "village",
        "villages", "ville", "vista", "walk", "walks", "wall", "way", "ways", "well", "wells", "close", "grange", "wharf", "yard",
    ]
    static let germanEndings: [[UInt8]] = [
        "straße", "strasse", "str", "weg", "platz", "allee", "gasse", "ring", "damm", "ufer", "chaussee", "pfad", "steig",
        "markt", "promenade", "stieg", "twiete", "zeile", "graben", "kamp",
    ].map { Array($0.utf8) }
    static let germanArticles: WordSet = ["der", "dem", "den"]
    /// Military post lines: `APO AP 25384`.
    static let militaryPost: WordSet = ["apo", "fpo", "dpo"]
    static let germanPrefixes: WordSet = ["am", "an", "auf", "im", "in", "zum", "zur", "unter", "hinter", "alte", "neue", "große", "kleine", "hohe", "lange"]
    static let units: WordSet = ["apt", "apartment", "suite", "ste", "unit", "flat", "room", "rm", "floor", "fl", "studio", "building", "bldg", "no"]
    /// US state and territory codes, lower-cased as words are looked up.
    static let states = WordSet(["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME",
        "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI",
        "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI", "FM", "MH", "PW", "AA",
        "AE", "AP"].map { $0.lowercased() })
    static let context = ContextWords([
        "address", "addresses", "lives", "live", "living", "located", "ship", "shipping", "deliver", "delivery", "mail", "visit",
        "resides", "residence", "home", "anschrift", "adresse", "wohnhaft", "wohnt", "lieferadresse", "domicile",
    ], window: 40)

    private struct Span {
        var range: Range<Int>
        var score: Double
    }

    func recognize(_ t: [UInt8], words: WordTokens, into out: inout [Candidate]) {
        let w = words.words
        guard w.count >= 2 else { return }
        var streets: [(first: Int, last: Int)] = []
        var i = 0
        while i < w.count {
            if let end = usStreet(w, i) ?? germanStreet(w, i) {
                streets.append((i, end))
                i = end + 1
            } else {
                i += 1
            }
        }
        var used = [Bool](repeating: false, count: w.count)  // word indices already part of an address
        var spans: [Span] = []
        for (first, last) in streets {
            var span = Span(range: w[first].range.lowerBound..<w[last].range.upperBound, score: first < w.count && w[first].allDigits ? 0.7 : 0.75)
            if let tail = postalLine(t, w, after: last) {
                span.range = span.range.lowerBound..<w[tail].range.upperBound
                span.score = 0.95
                for k in first...tail { used[k] = true }
            } else {
                for k in first...last { used[k] = true }
            }
            spans.append(span)
        }
        // Postal lines with no street line before them: take up to two address-like lines above.
        var k = 0
        while k < w.count {
            guard !used[k], let (start, end) = usOrUKPostal(t, w, k) else { k += 1; continue }
            var first = start
            var lines = 0
            while lines < 2, let above = addressLineAbove(t, w, before: first), !used[above] {
                first = above
                lines += 1
            }
            if lines > 0 {
                spans.append(Span(range: w[first].range.lowerBound..<w[end].range.upperBound, score: 0.85))
            }
            k = end + 1
        }
        for span in spans {
            let score = Self.context.appears(around: span.range, in: t) ? min(1, span.score + 0.15) : span.score
            out.append(Candidate(kind: .pii, type: "STREET_ADDRESS", range: span.range, score: score, priority: 35))
        }
    }

    /// `12 Main Street`, `083 Crosby Plaza Apt. 533`: the index of the street line's last word.
    private func usStreet(_ w: [WordTokens.Word], _ i: Int) -> Int? {
        let number = w[i]
        guard number.range.count <= 6, let firstByte = number.lower.utf8.first, ASCII.isDigit(firstByte), number.spaceAfter else {
            return unitFirst(w, i)
        }
        // Not the end of a time, a decimal or a range (`14:30 Uhr`, `1.5 Main`).
        if i > 0, w[i - 1].range.upperBound == number.range.lowerBound - 1 {
            let sep = w[i - 1].next
            if sep == UInt8(ascii: ":") || sep == UInt8(ascii: ".") || sep == UInt8(ascii: ",") || sep == UInt8(ascii: "/") { return nil }
        }
        var j = i + 1
        var names = 0
        while j < w.count, names < 5 {
            let word = w[j]
            guard word.capitalized || (word.lower.utf8.first.map(ASCII.isDigit) == true && Self.isOrdinal(word.lower)) else { return nil }
            if names >= 1, Self.suffixes.contains(hash: word.hash) {
                return unit(w, after: j) ?? j
            }
            guard word.spaceAfter || (word.next == UInt8(ascii: ".") && word.range.count <= 2) else { return nil }
            names += 1
            j += 1
        }
        return nil
    }

    /// British flats first: `Flat 8\nAllen Prairie`, `Studio 54P, Dominic Oval` — the street line's last word.
    private func unitFirst(_ w: [WordTokens.Word], _ i: Int) -> Int? {
        guard Self.units.contains(hash: w[i].hash), w[i].capitalized, i + 3 < w.count, w[i].spaceAfter,
              w[i + 1].lower.utf8.first.map(ASCII.isDigit) == true else { return nil }
        var j = i + 2
        var names = 0
        while j < w.count, names < 4, w[j].capitalized {
            if names >= 1, Self.suffixes.contains(hash: w[j].hash) { return j }
            guard w[j].spaceAfter else { return nil }
            names += 1
            j += 1
        }
        return nil
    }

    /// `Apt. 533`, `Suite 625`, `#12` after the street's last word: the unit's last word.
    private func unit(_ w: [WordTokens.Word], after j: Int) -> Int? {
        guard j + 2 < w.count || (j + 1 < w.count && w[j + 1].allDigits) else { return nil }
        let sep = w[j].next
        guard w[j].spaceAfter || sep == UInt8(ascii: ".") || sep == UInt8(ascii: ",") else { return nil }
        if Self.units.contains(hash: w[j + 1].hash), j + 2 < w.count, w[j + 2].lower.utf8.first.map(ASCII.isDigit) == true,
           w[j + 2].range.lowerBound - w[j + 1].range.upperBound <= 3 {
            return j + 2
        }
        return nil
    }

    /// `Hauptstraße 5`, `Oderwaldstr. 8533`, `Am Markt 3`: the index of the house number.
    private func germanStreet(_ w: [WordTokens.Word], _ i: Int) -> Int? {
        let word = w[i]
        guard word.capitalized, i + 1 < w.count else { return nil }
        var j = i
        if Self.germanPrefixes.contains(hash: word.hash) {
            // `Am Markt 3`, `An der Kirche 12`
            var k = i + 1
            if k < w.count, Self.germanArticles.contains(hash: w[k].hash) { k += 1 }
            guard k + 1 < w.count, w[k].capitalized, w[k].spaceAfter else { return nil }
            j = k
        } else {
            guard Self.hasGermanEnding(word.lower) else { return nil }
        }
        let number = w[j + 1]
        guard w[j].spaceAfter || w[j].next == UInt8(ascii: "."), let first = number.lower.utf8.first, ASCII.isDigit(first), number.range.count <= 9,
              number.range.lowerBound - w[j].range.upperBound <= 3 else { return nil }
        return j + 1
    }

    /// The postal line right after the street line (same line after `,` or on the next line): its last word index.
    private func postalLine(_ t: [UInt8], _ w: [WordTokens.Word], after last: Int) -> Int? {
        let k = last + 1
        guard k < w.count, gapIsAddressBreak(t, from: w[last].range.upperBound, to: w[k].range.lowerBound) else { return nil }
        if let (start, end) = usOrUKPostal(t, w, k), start == k { return end }
        // German: 12345 City (one to three capitalized words on the same line).
        if w[k].allDigits, w[k].range.count == 5, k + 1 < w.count, w[k + 1].capitalized, w[k].spaceAfter {
            var end = k + 1
            while end + 1 < w.count, w[end].spaceAfter, w[end + 1].capitalized, end - k < 3 { end += 1 }
            return end
        }
        // UK: town line(s) then the postcode.
        var j = k
        var hops = 0
        while j < w.count, hops < 6 {
            if let end = isUKPostcode(t, w, j) { return end }
            guard w[j].capitalized || w[j].allDigits else { return nil }
            j += 1
            hops += 1
        }
        return nil
    }

    /// A US `City, ST 12345` line or a UK postcode starting at or after word `k` (for US: the city starts at `k`).
    private func usOrUKPostal(_ t: [UInt8], _ w: [WordTokens.Word], _ k: Int) -> (Int, Int)? {
        // US: 1–3 capitalized words, a comma, a state code, a ZIP (+4).
        var j = k
        while j < w.count, j - k < 3, w[j].capitalized || (w[j].range.count == 3 && Self.militaryPost.contains(hash: w[j].hash)) {
            if w[j].next == UInt8(ascii: ","), j + 2 < w.count {
                let state = w[j + 1]
                let zip = w[j + 2]
                if state.range.count == 2, Self.states.contains(hash: state.hash), Self.isZIP(zip.lower) {
                    return (k, j + 2)
                }
                return nil
            }
            // APO/FPO military lines: `APO AP 25384`.
            if w[j].range.count == 3, Self.militaryPost.contains(hash: w[j].hash), j + 2 < w.count, Self.states.contains(hash: w[j + 1].hash), Self.isZIP(w[j + 2].lower) {
                return (j, j + 2)
            }
            guard w[j].spaceAfter else { return nil }
            j += 1
        }
        if let end = isUKPostcode(t, w, k) { return (k, end) }
        return nil
    }

    /// `21st`, `2nd`, `3rd`, `4th` (lower-cased).
    static func isOrdinal(_ lower: String) -> Bool {
        let b = lower.utf8
        guard b.count >= 3 else { return false }
        let last = b[b.index(before: b.endIndex)]
        let before = b[b.index(b.endIndex, offsetBy: -2)]
        switch (before, last) {
        case (UInt8(ascii: "s"), UInt8(ascii: "t")), (UInt8(ascii: "n"), UInt8(ascii: "d")), (UInt8(ascii: "r"), UInt8(ascii: "d")),
             (UInt8(ascii: "t"), UInt8(ascii: "h")): return true
        default: return false
        }
    }

    /// A German street name: ends in a street word (`…straße`, `…weg`) and is longer than 4 characters or hyphenated.
    static func hasGermanEnding(_ lower: String) -> Bool {
        let b = lower.utf8
        let count = b.count
        guard (count > 4 && (count > 8 || lower.count > 4)) || b.contains(UInt8(ascii: "-")) else { return false }
        return germanEndings.contains { ending in
            ending.count <= count && zip(b.suffix(ending.count), ending).allSatisfy { $0 == $1 }
        }
    }

    /// `12345` or `12345-6789`.
    static func isZIP(_ word: String) -> Bool {
        let b = Array(word.utf8)
        guard b.count == 5 || (b.count == 10 && b[5] == UInt8(ascii: "-")) else { return false }
        return b.enumerated().allSatisfy { $0.offset == 5 || ASCII.isDigit($0.element) }
    }

    /// A UK postcode (`SW1A 1AA`, `B6 6AW`, upper-case) at word `k`: the index of its second half.
    private func isUKPostcode(_ t: [UInt8], _ w: [WordTokens.Word], _ k: Int) -> Int? {
        guard k + 1 < w.count, w[k].spaceAfter, (2...4).contains(w[k].range.count), w[k + 1].range.count == 3 else { return nil }
        let outward = t[w[k].range]
        let inward = t[w[k + 1].range]
        let upper = { (b: UInt8) in ASCII.isDigit(b) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) }
        guard (2...4).contains(outward.count), inward.count == 3, outward.allSatisfy(upper), inward.allSatisfy(upper),
              !ASCII.isDigit(outward.first!), outward.contains(where: ASCII.isDigit), ASCII.isDigit(inward.first!),
              !ASCII.isDigit(inward[inward.startIndex + 1]), !ASCII.isDigit(inward[inward.startIndex + 2]) else { return nil }
        return k + 1
    }

    /// The first word of the line above word `k`, when that line looks like an address line (capitalized words,
    /// numbers, `,` `.` `#`; at most 8 words).
    private func addressLineAbove(_ t: [UInt8], _ w: [WordTokens.Word], before k: Int) -> Int? {
        guard k > 0 else { return nil }
        // The previous word must end the previous line.
        let gapStart = w[k - 1].range.upperBound
        guard t[gapStart..<w[k].range.lowerBound].contains(UInt8(ascii: "\n")) else { return nil }
        var j = k - 1
        var count = 0
        while j >= 0, count < 8 {
            let word = w[j]
            // Text before the address on the same line (`Ship it to USS Walsh`) ends the line at the last address word.
            guard word.upperInitial || word.lower.utf8.first.map(ASCII.isDigit) == true || Self.units.contains(hash: word.hash) else {
                return count > 0 ? j + 1 : nil
            }
            count += 1
            if j == 0 || t[w[j - 1].range.upperBound..<word.range.lowerBound].contains(UInt8(ascii: "\n")) { return j }
            guard t[w[j - 1].range.upperBound..<word.range.lowerBound].allSatisfy({ $0 == 32 || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "#") }) else {
                return j
            }
            j -= 1
        }
        return nil
    }

    /// `, ` or a line break (with spaces) between a street line and its postal line.
    private func gapIsAddressBreak(_ t: [UInt8], from: Int, to: Int) -> Bool {
        guard to > from, to - from <= 4 else { return false }
        return t[from..<to].allSatisfy { $0 == 32 || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: ".") }
    }
}
