import Foundation
import Synchronization

/// PRADA (Juuti et al., EuroS&P 2019): detection of model extraction. For each client it keeps a growing set of
/// queries per predicted class and the distance from each new query to the nearest earlier one of its class. Natural
/// queries give distances that look normally distributed; the synthetic queries of extraction attacks (Jacobian-based
/// augmentation, and the tiny steps of query-based evasion) do not. An alarm is a Shapiro–Wilk W below `delta`.
///
/// Memory per client is bounded: at most `perClass` samples per class and the last `distances` distances.
public struct PRADADetector: Sendable {
    public struct Parameters: Sendable, Equatable, Codable {
        /// Alarm when W falls below this (the paper tunes 0.87–0.96 per model; 0.9 gives no false alarm on the
        /// bundled digits' benign streams).
        public var delta: Double
        /// Distances collected before the first test (W is unstable on few values).
        public var minimum: Int
        /// Samples kept per class in the growing set.
        public var perClass: Int
        /// Distances kept (the most recent).
        public var distances: Int

        public init(delta: Double = 0.9, minimum: Int = 20, perClass: Int = 200, distances: Int = 500) {
            self.delta = delta
            self.minimum = minimum
            self.perClass = perClass
            self.distances = distances
        }
    }

    public let parameters: Parameters

    public init(_ parameters: Parameters) { self.parameters = parameters }

    /// Shapiro–Wilk coefficients by sample size, computed once per size.
    private static let coefficientCache = Mutex<[Int: [Double]]>([:])

    static func coefficients(_ n: Int) -> [Double] {
        if let cached = coefficientCache.withLock({ $0[n] }) { return cached }
        let a = ShapiroWilk.coefficients(n)
        coefficientCache.withLock { $0[n] = a }
        return a
    }

    /// One client's state.
    public struct State: Sendable, Codable, Equatable {
        /// Class → the growing set's samples.
        var growing: [Int: [[Float]]] = [:]
        /// Class → distances of the samples added to its growing set (for the admission threshold).
        var added: [Int: [Float]] = [:]
        /// Minimum distances, oldest first, and the same sorted.
        var distances: [Double] = []
        var sorted: [Double] = []
        /// The last W computed.
        public private(set) var w: Double?

        public init() {}

        /// Whether a decoded state is one `observe` could have produced (a stored row may not be).
        public var isConsistent: Bool {
            guard distances.count == sorted.count, distances.allSatisfy(\.isFinite) else { return false }
            guard zip(sorted, sorted.dropFirst()).allSatisfy({ $0 <= $1 }) else { return false }
            return added.allSatisfy { label, distances in distances.count <= (growing[label]?.count ?? 0) }
        }

        /// Observes one query and its predicted class; returns W when enough distances were collected to test.
        public mutating func observe(_ x: ArraySlice<Float>, label: Int, parameters: Parameters) -> Double? {
            guard var samples = growing[label], !samples.isEmpty else {
                growing[label] = [Array(x)]
                return w
            }
            var nearest = Double.infinity
            for sample in samples {
                var d: Double = 0
                for (a, b) in zip(sample, x) { d += Double(a - b) * Double(a - b) }
                nearest = Swift.min(nearest, d)
            }
            // Distances in Double: a query of huge values must not turn W into NaN (and so silence the alarm).
            guard nearest.isFinite, nearest <= Double(Float.greatestFiniteMagnitude) else { return w }
            let distance = Float(nearest.squareRoot())
            var classDistances = added[label] ?? []
            let threshold: Float
            if classDistances.isEmpty {
                threshold = 0
            } else {
                let mean = classDistances.reduce(0, +) / Float(classDistances.count)
                let variance = classDistances.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(classDistances.count)
                threshold = Swift.max(0, mean - variance.squareRoot())
            }
            if distance > threshold {
                samples.append(Array(x))
                classDistances.append(distance)
                if samples.count > parameters.perClass {
                    samples.removeFirst()
                    classDistances.removeFirst()
                }
                growing[label] = samples
                added[label] = classDistances
            }
            let value = Double(distance)
            distances.append(value)
            sorted.insert(value, at: Self.position(of: value, in: sorted))
            if distances.count > parameters.distances {
                let old = distances.removeFirst()
                sorted.remove(at: Self.position(of: old, in: sorted))
            }
            guard distances.count >= Swift.max(3, parameters.minimum) else { return w }
            w = ShapiroWilk.w(sorted: sorted, coefficients: PRADADetector.coefficients(sorted.count))
            return w
        }

        /// The first index whose value is ≥ `value` (binary search).
        static func position(of value: Double, in sorted: [Double]) -> Int {
            var low = 0, high = sorted.count
            while low < high {
                let mid = (low + high) / 2
                if sorted[mid] < value { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }
}
