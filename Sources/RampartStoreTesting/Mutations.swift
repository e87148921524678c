import RampartCore

/// Seeded mutation fuzzing for the parsers of untrusted input: mutants of a valid input made by byte flips, insertions
/// from `alphabet` (the punctuation of the format), deletions, truncation and duplication. The same seed gives the
/// same mutants, so a failure reproduces.
public enum Mutations {
    public static let jsonAlphabet = Array("{}[]\":,\\0123456789truefalsenull \n\u{0}".utf8)
    public static let yamlAlphabet = Array(":-[]{}&*!|>'\"#%@`,?\n\t \\u{0}\u{FEFF}é0123456789".utf8)

    /// One mutant of `seed`.
    public static func mutate(_ seed: [UInt8], alphabet: [UInt8] = jsonAlphabet, rng: inout SeededRandom) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            guard !bytes.isEmpty else { break }
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: i)
            case 2: bytes.removeSubrange(i..<min(bytes.count, i + Int.random(in: 1...8, using: &rng)))
            case 3: bytes = Array(bytes[..<i])
            default: bytes.insert(contentsOf: bytes[i..<min(bytes.count, i + 20)], at: i)
            }
        }
        return bytes
    }

    /// `count` mutants of `seed`, as text.
    public static func of(_ seed: String, count: Int, alphabet: [UInt8] = jsonAlphabet, rng: inout SeededRandom) -> [String] {
        (0..<count).map { _ in String(decoding: mutate(Array(seed.utf8), alphabet: alphabet, rng: &rng), as: UTF8.self) }
    }
}
