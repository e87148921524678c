/// Two-sided context words: a word from `words` within `window` bytes before or after a match raises its
/// score (as Presidio's context enhancer does, but in both directions and without an NLP pipeline).
struct ContextWords: Sendable {
    let words: [[UInt8]]
    let window: Int
    /// Word indices by their first byte, so a window is read once rather than once per word.
    private let byFirstByte: [[Int]]

    init(_ words: [String], window: Int = 48) {
        self.words = words.map { Array($0.lowercased().utf8) }
        self.window = window
        var table = [[Int]](repeating: [], count: 256)
        for (index, word) in self.words.enumerated() { table[Int(word[0])].append(index) }
        byFirstByte = table
    }

    func appears(around range: Range<Int>, in text: [UInt8]) -> Bool {
        appears(in: text, from: max(0, range.lowerBound - window), to: range.lowerBound)
            || appears(in: text, from: range.upperBound, to: min(text.count, range.upperBound + window))
    }

    private func appears(in text: [UInt8], from: Int, to: Int) -> Bool {
        var i = from
        while i < to {
            let first = ASCII.lower(text[i])
            // Whole words only: "ssn" in "lessness" is no context.
            guard i == 0 || !ASCII.isAlpha(text[i - 1]) else { i += 1; continue }
            for index in byFirstByte[Int(first)] {
                let word = words[index]
                guard i + word.count <= to else { continue }
                var j = 1
                while j < word.count, ASCII.lower(text[i + j]) == word[j] { j += 1 }
                if j == word.count, i + j >= text.count || !ASCII.isAlpha(text[i + j]) || !ASCII.isAlpha(word[word.count - 1]) {
                    return true
                }
            }
            i += 1
        }
        return false
    }
}
