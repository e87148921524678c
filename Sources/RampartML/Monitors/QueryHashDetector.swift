import Foundation
import Synchronization

/// Stateful detection of black-box query attacks (input manipulation), after Blacklight (Li et al., USENIX Security
/// 2022): each query is quantized, cut into overlapping windows, and the windows are hashed; a query whose
/// `threshold` of `hashes` most significant hashes were already seen from the same client is a near-copy of an earlier
/// query — what HopSkipJump, Square and SimBA send by the thousand, and benign traffic almost never does.
///
/// Memory per client is bounded: the signatures of the last `history` queries (`hashes` × 8 bytes each).
public struct QueryHashDetector: Sendable {
    public struct Parameters: Sendable, Equatable, Codable {
        /// Quantization step in input units (values in one step fall into one bin).
        public var step: Float
        /// Consecutive features per window (capped at the input's size).
        public var window: Int
        /// Hashes kept per query: the largest distinct ones (Blacklight's "top-N").
        public var hashes: Int
        /// Matching hashes that make a query a near-copy.
        public var threshold: Int
        /// Queries remembered per client.
        public var history: Int

        public init(step: Float = 0.1, window: Int = 20, hashes: Int = 20, threshold: Int = 10, history: Int = 1000) {
            self.step = step
            self.window = window
            self.hashes = hashes
            self.threshold = threshold
            self.history = history
        }
    }

    public let parameters: Parameters

    public init(_ parameters: Parameters) { self.parameters = parameters }

    /// A query's signature: its largest distinct window hashes. Windows whose bins are all equal (flat background)
    /// carry no information and are skipped. One pass: a polynomial rolling hash over the bins (mod 2⁶⁴), and a running
    /// count of bin changes to tell flat windows, so the cost is linear in the input's size whatever the window.
    public func signature(_ row: ArraySlice<Float>) -> [UInt64] {
        let n = row.count
        guard n > 0 else { return [] }
        let w = Swift.max(1, Swift.min(parameters.window, n))
        let inverseStep = 1 / parameters.step
        var bins = [UInt64](repeating: 0, count: n)
        var changes = [Int32](repeating: 0, count: n)   // changes[i]: bin changes among positions 1...i
        var previous: Int64 = 0
        for (i, value) in row.enumerated() {
            let scaled = (value * inverseStep).rounded(.down)
            let bin = scaled.isFinite ? Int64(Swift.max(-1e15, Swift.min(1e15, scaled))) : 0
            bins[i] = UInt64(bitPattern: bin) &+ 0x9e37_79b9
            changes[i] = (i > 0 ? changes[i - 1] : 0) + (i > 0 && bin != previous ? 1 : 0)
            previous = bin
        }
        let base: UInt64 = 0x100_0000_01b3
        var top: UInt64 = 1                              // base^(w-1)
        for _ in 1..<w { top = top &* base }
        var h: UInt64 = 0
        for i in 0..<w { h = h &* base &+ bins[i] }
        var hashes: [UInt64] = []
        hashes.reserveCapacity(n - w + 1)
        for start in 0...(n - w) {
            if start > 0 { h = (h &- bins[start - 1] &* top) &* base &+ bins[start + w - 1] }
            let flat = changes[start + w - 1] - changes[start] == 0
            if !flat || w == n { hashes.append(Self.mix(h ^ UInt64(w))) }
        }
        hashes.sort(by: >)
        var out: [UInt64] = []
        out.reserveCapacity(parameters.hashes)
        for h in hashes where out.last != h {
            out.append(h)
            if out.count == parameters.hashes { break }
        }
        return out
    }

    /// SplitMix64's finalizer: spreads FNV-1a's bits so "largest hashes" is a fair sample of windows.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// One client's remembered queries.
    public struct History: Sendable, Codable, Equatable {
        /// Signatures of the last queries, oldest first.
        public private(set) var recent: [[UInt64]] = []
        private var counts: [UInt64: Int32] = [:]

        public init() {}

        enum CodingKeys: String, CodingKey { case recent }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            recent = try container.decode([[UInt64]].self, forKey: .recent)
            for signature in recent { for h in signature { counts[h, default: 0] += 1 } }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(recent, forKey: .recent)
        }

        /// How many of `signature`'s hashes this client sent before; then remembers it (forgetting the oldest query
        /// beyond `history`).
        public mutating func observe(_ signature: [UInt64], history: Int) -> Int {
            let matches = signature.reduce(0) { $0 + (counts[$1] != nil ? 1 : 0) }
            recent.append(signature)
            for h in signature { counts[h, default: 0] += 1 }
            while recent.count > Swift.max(1, history) {
                for h in recent.removeFirst() {
                    if let c = counts[h], c > 1 { counts[h] = c - 1 } else { counts[h] = nil }
                }
            }
            return matches
        }
    }
}
