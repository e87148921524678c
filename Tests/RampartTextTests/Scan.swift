@testable import RampartText

/// Test helpers: scan with defaults and pick out findings.
func scan(_ text: String, _ options: TextScanner.Options = .init(currentYear: 2026)) -> [TextFinding] {
    TextScanner(options: options).scan(text)
}

func types(_ text: String, _ options: TextScanner.Options = .init(currentYear: 2026)) -> [String] {
    scan(text, options).map(\.type)
}

/// The text a finding covers, cut by scalar offsets (as a Python caller would: `text[start:end]`).
func cut(_ text: String, _ finding: TextFinding) -> String {
    let scalars = Array(text.unicodeScalars)
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars[finding.start..<finding.end])
    return String(view)
}

/// Deterministic pseudo-random numbers for generated test inputs (SplitMix64).
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
