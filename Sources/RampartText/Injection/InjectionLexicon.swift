/// The phrase patterns of the prompt-injection detector, one language per file (`InjectionLexicon+en.swift`,
/// `+de.swift`): adding a language is adding data, not code.
///
/// Line format: `CATEGORY WEIGHT : slot slot …`, where a slot is words separated by `|` (`word*` matches
/// any word starting with `word`), and `~N` before a slot lets up to N other words stand in between.
/// Words are matched after NFKC, lower-casing, look-alike folding (`Confusables`) and leetspeak folding.
///
/// ```
/// INSTRUCTION_OVERRIDE 0.9 : ignore|disregard ~4 previous|prior|above ~2 instruction*|rule*
/// ```
struct InjectionLexicon: Sendable {
    struct Slot: Sendable {
        var words: Set<UInt64> = []
        /// Prefix patterns: hash of the prefix, keyed by prefix length.
        var prefixes: [Int: Set<UInt64>] = [:]
        /// Other words allowed before this slot.
        var gap = 0
    }

    struct Pattern: Sendable {
        let category: String
        let weight: Double
        let slots: [Slot]
        let source: String
    }

    let patterns: [Pattern]
    /// Pattern indices by an exact first word.
    let byFirstWord: [UInt64: [Int]]
    /// Pattern indices by a first-word prefix (length, hash).
    let byFirstPrefix: [Int: [UInt64: [Int]]]
    /// Prefix lengths that patterns use, so each token hashes just those prefixes.
    let prefixLengths: [Int]

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses lexicon lines; `name` is used in error messages.
    init(_ text: String, name: String) throws(ParseError) {
        var patterns: [Pattern] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let halves = line.split(separator: ":", maxSplits: 1)
            let head = halves.first?.split(separator: " ") ?? []
            guard halves.count == 2, head.count == 2, let weight = Double(head[1]), (0...1).contains(weight) else {
                throw ParseError(description: "\(name) line \(number + 1): expected `CATEGORY WEIGHT : slot slot …`")
            }
            var slots: [Slot] = []
            var gap = 0
            for token in halves[1].split(separator: " ") {
                if token.hasPrefix("~") {
                    guard let n = Int(token.dropFirst()), (1...12).contains(n) else { throw ParseError(description: "\(name) line \(number + 1): bad gap `\(token)`") }
                    gap = n
                    continue
                }
                var slot = Slot()
                slot.gap = gap
                gap = 0
                for word in token.split(separator: "|") {
                    let bytes = Array(word.lowercased().utf8)
                    if bytes.last == UInt8(ascii: "*") {
                        let prefix = Array(bytes.dropLast())
                        guard prefix.count >= 3 else { throw ParseError(description: "\(name) line \(number + 1): prefix `\(word)` is shorter than 3") }
                        slot.prefixes[prefix.count, default: []].insert(InjectionText.hash(prefix))
                    } else {
                        slot.words.insert(InjectionText.hash(bytes))
                    }
                }
                slots.append(slot)
            }
            guard !slots.isEmpty else { throw ParseError(description: "\(name) line \(number + 1): no words") }
            patterns.append(Pattern(category: String(head[0]), weight: weight, slots: slots, source: line))
        }
        self.init(patterns: patterns)
    }

    init(patterns: [Pattern]) {
        self.patterns = patterns
        var byFirstWord: [UInt64: [Int]] = [:]
        var byFirstPrefix: [Int: [UInt64: [Int]]] = [:]
        var lengths = Set<Int>()
        for (index, pattern) in patterns.enumerated() {
            for word in pattern.slots[0].words { byFirstWord[word, default: []].append(index) }
            for (length, hashes) in pattern.slots[0].prefixes {
                for hash in hashes { byFirstPrefix[length, default: [:]][hash, default: []].append(index) }
            }
            for slot in pattern.slots { lengths.formUnion(slot.prefixes.keys) }
        }
        self.byFirstWord = byFirstWord
        self.byFirstPrefix = byFirstPrefix
        self.prefixLengths = lengths.sorted()
    }

    /// Every language's lexicon.
    static let builtIn: InjectionLexicon = {
        do {
            let en = try InjectionLexicon(english, name: "InjectionLexicon+en")
            let de = try InjectionLexicon(german, name: "InjectionLexicon+de")
            return InjectionLexicon(patterns: en.patterns + de.patterns)
        } catch {
            fatalError("built-in injection lexicon: \(error)")
        }
    }()
}

import Foundation
