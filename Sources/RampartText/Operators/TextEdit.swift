/// One replacement of a span of text, in Unicode scalar offsets.
public struct TextEdit: Sendable, Hashable {
    public var start: Int
    public var end: Int
    public var replacement: String

    public init(start: Int, end: Int, replacement: String) {
        self.start = start
        self.end = end
        self.replacement = replacement
    }

    /// `text` with `edits` applied. Overlapping edits keep the one that starts first (the longer one on a tie);
    /// edits outside the text are clamped.
    public static func apply(_ edits: [TextEdit], to text: String) -> String {
        guard !edits.isEmpty else { return text }
        let scalars = Array(text.unicodeScalars)
        let sorted = edits.sorted { ($0.start, -$0.end) < ($1.start, -$1.end) }
        var out = String.UnicodeScalarView()
        var at = 0
        for edit in sorted {
            let start = min(max(edit.start, 0), scalars.count)
            let end = min(max(edit.end, start), scalars.count)
            guard start >= at else { continue }  // overlaps an edit already applied
            out.append(contentsOf: scalars[at..<start])
            out.append(contentsOf: edit.replacement.unicodeScalars)
            at = end
        }
        out.append(contentsOf: scalars[at...])
        return String(out)
    }
}
