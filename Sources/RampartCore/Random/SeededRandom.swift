/// A small, fast, seedable generator (SplitMix64, Steele, Lea & Flood 2014) for everything Rampart randomizes
/// reproducibly: the same seed gives the same sequence, so the same seed gives the same report.
/// Not for secrets: keys come from the system generator.
///
/// ```swift
/// var rng = SeededRandom(seed: 42)
/// let pick = Int.random(in: 0..<10, using: &rng)
/// ```
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
