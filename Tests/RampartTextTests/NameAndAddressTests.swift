import Testing
@testable import RampartText

@Suite struct NameAndAddressTests {
    static let pii = TextScanner.Options(kinds: [.pii], types: ["PERSON", "STREET_ADDRESS"], currentYear: 2026)

    func found(_ text: String) -> [(String, String)] {
        scan(text, Self.pii).map { ($0.type, cut(text, $0)) }
    }

    /// The gazetteers are sets of 64-bit word hashes: every listed name is in, and no surname, title or common word
    /// that is not a listed first name collides with one.
    @Test func wordSetsHoldExactlyTheirWords() {
        let firstNames = Set(PersonRecognizer.firstNameData.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        let surnames = Set(PersonRecognizer.surnameData.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        #expect(firstNames.count > 38_000 && surnames.count == 15_000)
        #expect(firstNames.allSatisfy { PersonRecognizer.firstNames.contains($0) })
        #expect(surnames.allSatisfy { PersonRecognizer.surnames.contains($0) })
        let others = surnames.subtracting(firstNames).union(["", "the", "street", "ignore", "müller", "ab-cd"]).subtracting(firstNames)
        #expect(others.filter { PersonRecognizer.firstNames.contains($0) }.isEmpty)
        let states: WordSet = ["il", "ny"]
        #expect(states.contains("il") && !states.contains("IL") && !states.contains("ca"))
    }

    @Test(arguments: [
        ("Please forward this to John Smith today.", "John Smith"),
        ("Meeting with Dr. Maria Schneider on Monday.", "Maria Schneider"),
        ("Mr Scott Hardy called.", "Scott Hardy"),
        ("Signed, Anne-Marie O'Brien", "Anne-Marie O'Brien"),
        ("Ticket opened by Hans-Helmut Hahn.", "Hans-Helmut Hahn"),
        ("Frau Müller hat angerufen.", "Müller"),
        ("We spoke to John F. Kennedy Jr. yesterday.", "John F. Kennedy Jr"),
        ("Dear Priya, thanks for the report.", "Priya"),
        ("Hallo Jürgen, wie geht's?", "Jürgen"),
        ("the patient Fatima Zahra was discharged", "Fatima Zahra"),
    ])
    func names(text: String, name: String) {
        #expect(found(text).map(\.1) == [name], "\(text)")
    }

    @Test(arguments: [
        "Will you send the Quarterly Report by Friday?",
        "The Apple Watch ships in New York.",
        "Mark the Summer Sale in the calendar.",
        "Grant Street is closed for repairs.",
        "Read Chapter 12 Section 4 again.",
        "JOHN SMITH",
        "Anna",
        "Main Street Bank approved it.",
        "We met at 14:30 Uhr. Grand Central Station was busy.",
    ])
    func notNames(text: String) {
        #expect(found(text).isEmpty, "\(text): \(found(text))")
    }

    @Test(arguments: [
        ("Ship to 743 Rachel Burgs\nNorth Debratown, FM 50466 please.", "743 Rachel Burgs\nNorth Debratown, FM 50466"),
        ("Our office: 083 Crosby Plaza Apt. 533, Farleytown, MT 73436-1234.", "083 Crosby Plaza Apt. 533, Farleytown, MT 73436-1234"),
        ("She lives at 12 Main Street.", "12 Main Street"),
        ("Lieferadresse: Hauptstraße 5, 10115 Berlin.", "Hauptstraße 5, 10115 Berlin"),
        ("Anschrift: Oderwaldstr. 8533\n06812 Coburg", "Oderwaldstr. 8533\n06812 Coburg"),
        ("Bitte an Am Markt 3 liefern.", "Am Markt 3"),
        ("Studio 07\nAtkinson Forks\nWest Roberttown\nB6 6AW", "Studio 07\nAtkinson Forks\nWest Roberttown\nB6 6AW"),
        ("Send it to USS Walsh\nFPO AP 81758 please", "USS Walsh\nFPO AP 81758"),
        ("10 Downing Street, London SW1A 2AA", "10 Downing Street, London SW1A 2AA"),
    ])
    func addresses(text: String, address: String) {
        #expect(found(text).filter { $0.0 == "STREET_ADDRESS" }.map(\.1) == [address], "\(text): \(found(text))")
    }

    @Test(arguments: [
        "We sold 12 Big Apples yesterday.",
        "Version 3 Release Notes",
        "3 Main points to discuss",
        "Call 555 1234 Park",
    ])
    func notAddresses(text: String) {
        #expect(found(text).filter { $0.0 == "STREET_ADDRESS" }.isEmpty, "\(text): \(found(text))")
    }

    /// A right single quote where a word would start crashed the word splitter (found by garak through the gateway).
    @Test func quotesWhereWordsStart() {
        for text in ["\u{2019}Tis John Smith\u{2019}s", "rock \u{2019}n\u{2019} roll", "\u{2019}", "a \u{2019}\u{2019}\u{2019} b", "O\u{2019}Brien"] {
            _ = found(text)
        }
        #expect(found("\u{2019}Tis John Smith\u{2019}s car").map(\.1) == ["John Smith"])
    }

    @Test func addressWinsOverTheNameInIt() {
        let text = "Ship to 12 Jordan Lane, Springfield, IL 62704."
        #expect(found(text).map(\.0) == ["STREET_ADDRESS"])
    }
}
