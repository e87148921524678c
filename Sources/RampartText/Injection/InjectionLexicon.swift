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
    /// One slot of a pattern as parsed: exact words and prefixes (hash of the prefix, keyed by its length).
    struct Slot: Sendable {
        var words: Set<UInt64> = []
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
    /// Every distinct word and prefix of every slot is a term, numbered; per pattern, per slot, the set of its
    /// terms as a bit set (`slotTerms[pattern][slot]`), so matching a token against a slot tests a few bits.
    let slotTerms: [[TermSet]]
    /// Pattern indices by a term of their first slot.
    let patternsByFirstTerm: [[Int32]]
    /// Prefix lengths that patterns use, so each word looks up just those prefixes.
    let prefixLengths: [Int]
    /// Exact word hash → term; prefix hash (mixed with its length) → term.
    private let words: TermTable
    private let prefixes: TermTable

    struct TermSet: Sendable {
        var bits: [UInt64]
        init(count: Int) { bits = [UInt64](repeating: 0, count: (count + 63) / 64) }
        mutating func insert(_ term: Int) { bits[term >> 6] |= 1 << UInt64(term & 63) }
        @inline(__always) func contains(_ term: Int32) -> Bool { bits[Int(term) >> 6] & (1 << UInt64(term & 63)) != 0 }
    }

    /// Open addressing from 64-bit FNV hashes (already well mixed) to term numbers; 0 marks an empty slot.
    struct TermTable: Sendable {
        private var keys: [UInt64]
        private var values: [Int32]
        private let mask: Int

        init(_ entries: [UInt64: Int32]) {
            var capacity = 16
            while capacity < entries.count * 3 { capacity <<= 1 }
            keys = [UInt64](repeating: 0, count: capacity)
            values = [Int32](repeating: -1, count: capacity)
            mask = capacity - 1
            for (key, value) in entries {
                var slot = Int(truncatingIfNeeded: key >> 32) & mask
                while keys[slot] != 0 { slot = (slot + 1) & mask }
                keys[slot] = key == 0 ? 1 : key
                values[slot] = value
            }
        }

        @inline(__always) func find(_ key: UInt64) -> Int32? {
            let key = key == 0 ? 1 : key
            var slot = Int(truncatingIfNeeded: key >> 32) & mask
            while true {
                let k = keys[slot]
                if k == key { return values[slot] }
                if k == 0 { return nil }
                slot = (slot + 1) & mask
            }
        }
    }

    @inline(__always) static func prefixKey(_ hash: UInt64, length: Int) -> UInt64 {
        hash ^ (UInt64(length) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Appends the terms `word` (lower-cased, folded) matches: itself, and each of its prefixes the lexicon uses.
    func lookUp(_ word: UnsafeBufferPointer<UInt8>, into terms: inout [Int32]) {
        var h = InjectionText.fnvOffset
        var p = 0
        for index in 0..<word.count {
            h = (h ^ UInt64(word[index])) &* InjectionText.fnvPrime
            while p < prefixLengths.count, prefixLengths[p] == index + 1 {
                if let term = prefixes.find(Self.prefixKey(h, length: index + 1)) { terms.append(term) }
                p += 1
            }
        }
        if let term = words.find(h) { terms.append(term) }
    }

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
        var wordTerms: [UInt64: Int32] = [:]
        var prefixTerms: [UInt64: Int32] = [:]
        var lengths = Set<Int>()
        var count: Int32 = 0
        func term(_ table: inout [UInt64: Int32], _ key: UInt64) -> Int32 {
            if let known = table[key] { return known }
            table[key] = count
            count += 1
            return count - 1
        }
        // Number the terms, then build each slot's set once the count is known.
        var slotTermLists: [[[Int32]]] = []
        for pattern in patterns {
            var lists: [[Int32]] = []
            for slot in pattern.slots {
                var list = slot.words.map { term(&wordTerms, $0) }
                for (length, hashes) in slot.prefixes {
                    lengths.insert(length)
                    list += hashes.map { term(&prefixTerms, Self.prefixKey($0, length: length)) }
                }
                lists.append(list)
            }
            slotTermLists.append(lists)
        }
        var byFirst = [[Int32]](repeating: [], count: Int(count))
        slotTerms = slotTermLists.enumerated().map { index, lists in
            for term in lists[0] { byFirst[Int(term)].append(Int32(index)) }
            return lists.map { list in
                var set = TermSet(count: Int(count))
                for term in list { set.insert(Int(term)) }
                return set
            }
        }
        patternsByFirstTerm = byFirst
        prefixLengths = lengths.sorted()
        words = TermTable(wordTerms)
        prefixes = TermTable(prefixTerms)
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
