/// Person names, without an NLP model: a gazetteer of 38,311 first names (1990 US Census and an international
/// first-name dictionary of 50+ countries) and the 15,000 most common US surnames (scripts/data/names.py), read
/// with the shape of names in running text.
///
/// - a title (`Mr`, `Mrs`, `Dr`, `Prof`, `Herr`, `Frau`, …) followed by one or two capitalized words: 0.85;
/// - a known first name followed by a capitalized word — optionally a middle name or initial, then a surname, and a
///   suffix such as `Jr.`: 0.85 when the last word is a known surname, 0.65 when it is not (surnames are far more
///   varied than first names);
/// - a known first name alone: 0.35 — below the default threshold — unless a cue word stands right before it
///   (`Dear`, `Hi`, `name is`, `signed`, `Hallo`, `Liebe`, …): +0.3;
/// - other context words (`contact`, `patient`, `customer`, …) near a two-word name: +0.15.
///
/// First names that are mostly ordinary words (`Will`, `May`, `Mark`, `Grant`, `Rose`, `The`, …) score 0.25 lower before a known surname and 0.4 otherwise, and a
/// match followed by an organization or street word (`Jordan Street`, `Grant Foundation`) is dropped. Measured on
/// Faker-generated text (different name lists): see docs/text-scanners.md.
struct PersonRecognizer: Sendable {
    static let firstNames = WordSet(list: firstNameData)
    static let surnames = WordSet(list: surnameData)
    static let ambiguous = WordSet(list: ambiguousData)
    static let titles: WordSet = [
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "herr", "frau", "mme", "mlle", "madame",
        "monsieur", "señor", "señora", "senor", "senora", "sig", "signor", "signora", "dott",
    ]
    static let suffixes: WordSet = ["jr", "sr", "ii", "iii", "iv", "phd", "md", "dds", "dvm", "esq", "mba", "bsc", "msc"]
    /// Words after a name-shaped match that make it an organization or a place.
    static let notAfter: WordSet = [
        "street", "st", "avenue", "ave", "road", "rd", "lane", "ln", "drive", "boulevard", "blvd", "way", "court", "place",
        "inc", "ltd", "llc", "gmbh", "ag", "corp", "corporation", "company", "co", "group", "foundation", "university",
        "college", "school", "hospital", "bank", "institute", "center", "centre", "museum", "park", "county", "city",
        "airport", "station", "hotel", "church", "river", "lake", "mountain", "island", "bridge", "straße", "strasse",
    ]
    /// Surnames that are also everyday English words; after an ambiguous first name they make a phrase, not a name.
    static let wordSurnames = WordSet(list: """
        sale hill green brown white black young king long wood stone field lane park price rose bell page cash cook day hunt
        love may rich street wells west north south east little grant case ward bird fox wolf lake hall church moon sun snow
        frost winter summer spring march money best good gross small short strong swift sharp fair free hardy noble power rice
        salt ship star steel storm sweet bush branch ford mills parks waters banks brooks fields hills woods burns rivers holmes
        sky rain hope joy faith art mark bill jack guy miles chase rock gold silver
        """)

    /// Words right before a lone first name that make it one.
    static let cues: WordSet = [
        "dear", "hi", "hello", "hey", "is", "named", "called", "signed", "regards", "thanks", "cheers", "sincerely", "hallo",
        "liebe", "lieber", "heißt", "bonjour", "cher", "chère", "hola", "ciao", "attn", "cc", "from", "by",
    ]
    static let context = ContextWords([
        "name", "named", "called", "dear", "hi", "hello", "contact", "patient", "employee", "customer", "client", "signed",
        "sincerely", "regards", "cheers", "thanks", "author", "attn", "attention", "spoke", "met", "colleague", "manager",
        "heißt", "namens", "liebe", "lieber", "hallo", "grüße", "gruß", "kunde", "kundin", "patientin", "bonjour", "cher", "chère",
    ], window: 32)

    /// A known first name, or a hyphenated one whose parts are (`Hans-Helmut`, `Anne-Marie`).
    static func isFirstName(_ word: WordTokens.Word) -> Bool {
        if firstNames.contains(hash: word.hash) { return true }
        guard word.lower.utf8.contains(UInt8(ascii: "-")) else { return false }
        let parts = word.lower.utf8.split(separator: UInt8(ascii: "-"))
        return parts.count == 2 && parts.allSatisfy { firstNames.contains(hash: WordSet.hash($0)) }
    }

    func recognize(_ t: [UInt8], words: WordTokens, into out: inout [Candidate]) {
        let w = words.words
        var i = 0
        while i < w.count {
            let word = w[i]
            guard word.capitalized, !word.allDigits else { i += 1; continue }
            // Title + name.
            if Self.titles.contains(hash: word.hash), word.spaceAfter || word.next == UInt8(ascii: "."), i + 1 < w.count, w[i + 1].capitalized,
               !Self.titles.contains(hash: w[i + 1].hash) {
                var end = i + 1
                if w[end].spaceAfter, end + 1 < w.count, w[end + 1].capitalized, !Self.notAfter.contains(hash: w[end + 1].hash) { end += 1 }
                end = extendSuffix(w, end)
                out.append(Candidate(kind: .pii, type: "PERSON", range: w[i + 1].range.lowerBound..<w[end].range.upperBound, score: 0.85, priority: 30))
                i = end + 1
                continue
            }
            guard Self.isFirstName(word) else { i += 1; continue }
            let isAmbiguous = Self.ambiguous.contains(hash: word.hash)
            var end = i
            var score = 0.35
            // Middle initial (`John F. Kennedy`) or middle name, then the surname.
            var j = i
            if word.spaceAfter, j + 1 < w.count, w[j + 1].capitalized {
                if w[j + 1].range.count == 1, w[j + 1].next == UInt8(ascii: "."), j + 2 < w.count, w[j + 2].capitalized { j += 1 }
                else if Self.isFirstName(w[j + 1]), w[j + 1].spaceAfter, j + 2 < w.count, w[j + 2].capitalized,
                        Self.surnames.contains(hash: w[j + 2].hash) { j += 1 }
                let last = w[j + 1]
                if !Self.notAfter.contains(hash: last.hash), !Self.titles.contains(hash: last.hash), w[j].spaceAfter || w[j].next == UInt8(ascii: ".") {
                    end = j + 1
                    score = Self.surnames.contains(hash: last.hash) || last.lower.utf8.contains(UInt8(ascii: "-")) ? 0.85 : 0.65
                    // `Summer Sale`, `Will Power`: both words are ordinary words.
                    if isAmbiguous { score -= Self.wordSurnames.contains(hash: last.hash) ? 0.5 : score > 0.8 ? 0.25 : 0.4 }
                }
            }
            if end + 1 < w.count, Self.notAfter.contains(hash: w[end + 1].hash), w[end].spaceAfter {
                i = end + 2
                continue
            }
            // A lone short word (`Al`, `NI`) is too often something else.
            if end == i, word.lower.count < 3 { i += 1; continue }
            end = extendSuffix(w, end)
            let range = w[i].range.lowerBound..<w[end].range.upperBound
            if end == i {
                // A first name alone counts only right after a cue: `Dear Anna`, `Hallo Jürgen`, `my name is Ines`.
                if isAmbiguous { score -= 0.2 }
                if i > 0, Self.cues.contains(hash: w[i - 1].hash), range.lowerBound - w[i - 1].range.upperBound <= 3 { score += 0.3 }
            } else if Self.context.appears(around: range, in: t) {
                score += 0.15
            }
            out.append(Candidate(kind: .pii, type: "PERSON", range: range, score: min(1, score), priority: 30))
            i = end + 1
        }
    }

    /// `end` moved over a name suffix (`Jr.`, `III`, `PhD`) right after it.
    private func extendSuffix(_ w: [WordTokens.Word], _ end: Int) -> Int {
        guard end + 1 < w.count, w[end].spaceAfter || w[end].next == UInt8(ascii: ","), Self.suffixes.contains(hash: w[end + 1].hash) else { return end }
        return end + 1
    }
}
