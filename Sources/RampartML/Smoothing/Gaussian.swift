import Foundation

/// Standard normal samples by the Box–Muller transform, from any random number generator.
public struct Gaussian {
    private var spare: Float?

    public init() {}

    public mutating func next(using rng: inout some RandomNumberGenerator) -> Float {
        if let spare {
            self.spare = nil
            return spare
        }
        var u = Double.random(in: 0..<1, using: &rng)
        while u <= 0 { u = Double.random(in: 0..<1, using: &rng) }
        let v = Double.random(in: 0..<1, using: &rng)
        let r = (-2 * Foundation.log(u)).squareRoot()
        spare = Float(r * Foundation.sin(2 * .pi * v))
        return Float(r * Foundation.cos(2 * .pi * v))
    }
}
