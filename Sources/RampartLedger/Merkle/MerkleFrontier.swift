/// A tree that keeps only what it needs to grow and to give its root: one hash per set bit of its size (RFC 9162's
/// "compact range" of the whole log). The gateway appends to this, so a long-running server's memory does not
/// grow with the log; proofs come from a `MerkleTree` built from the stored leaves.
public struct MerkleFrontier: Sendable, Equatable {
    /// Roots of the complete subtrees the leaves form, largest (leftmost) first.
    public private(set) var peaks: [MerkleHash] = []
    public private(set) var size = 0

    public init() {}

    /// The frontier of a tree of `size` leaves from its peaks (as stored with a checkpoint).
    public init(size: Int, peaks: [MerkleHash]) throws(MerkleError) {
        guard size >= 0, size.nonzeroBitCount == peaks.count else { throw .badFrontier(size: size, peaks: peaks.count) }
        self.size = size
        self.peaks = peaks
    }

    public mutating func append(_ leaf: MerkleHash) {
        var node = leaf
        var s = size
        // Each trailing 1 bit of the old size is a peak of the same height as `node`: merge them.
        while s & 1 == 1 {
            node = .node(peaks.removeLast(), node)
            s >>= 1
        }
        peaks.append(node)
        size += 1
    }

    /// MTH of all leaves: the peaks folded from the right.
    public var root: MerkleHash {
        guard var acc = peaks.last else { return .empty }
        for peak in peaks.dropLast().reversed() { acc = .node(peak, acc) }
        return acc
    }
}
