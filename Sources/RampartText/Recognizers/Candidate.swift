/// A recognizer's raw match, in normalized bytes; `TextScanner` resolves overlaps and maps it to scalars.
struct Candidate: Sendable {
    var kind: TextFinding.Kind
    var type: String
    var range: Range<Int>
    var score: Double
    /// Wins overlaps against lower priorities: a validated card beats the phone number its digits also form.
    var priority: Int
}
