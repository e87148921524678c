import Foundation
import RampartML

/// A perturbation norm.
public enum Norm: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
    case l2
    case linf

    public var description: String { self == .l2 ? "L2" : "L∞" }
}

enum Norms {
    static func distances(_ a: [Float], _ b: [Float]) -> (l2: Float, linf: Float) {
        var sum: Float = 0, top: Float = 0
        for i in a.indices {
            let delta = abs(a[i] - b[i])
            sum += delta * delta
            top = Swift.max(top, delta)
        }
        return (sum.squareRoot(), top)
    }

    static func distance(_ a: [Float], _ b: [Float], _ norm: Norm) -> Float {
        let (l2, linf) = distances(a, b)
        return norm == .l2 ? l2 : linf
    }
}
