/// A Merkle tree over a log's leaf hashes (RFC 9162 §2.1): its root at any size, inclusion proofs and consistency
/// proofs.
///
/// The tree keeps every complete, aligned subtree: `levels[h][i]` is the hash of leaves `i·2^h ..< (i+1)·2^h`.
/// Appending is amortized one node hash per leaf; the hash of any range the RFC's recursion asks for is a complete
/// subtree (one lookup) or splits into at most log₂ n of them, so roots and proofs for any earlier size cost
/// O(log² n) hashes and never rehash the leaves. Memory: about 64 bytes per leaf (32 MB per million).
///
/// ```swift
/// var tree = MerkleTree()
/// for entry in entries { tree.append(MerkleHash.leaf(entry)) }
/// let proof = try tree.inclusionProof(leaf: 3, size: tree.size)
/// try MerkleProof.verifyInclusion(leaf: MerkleHash.leaf(entries[3]), index: 3, size: tree.size, proof: proof, root: tree.root)
/// ```
public struct MerkleTree: Sendable {
    /// `levels[0]` are the leaf hashes.
    private var levels: [[MerkleHash]] = [[]]

    public init() {}

    public init(leaves: some Sequence<MerkleHash>) {
        for leaf in leaves { append(leaf) }
    }

    /// Number of leaves.
    public var size: Int { levels[0].count }

    /// The hash of leaf `index`.
    public func leaf(_ index: Int) -> MerkleHash { levels[0][index] }

    public mutating func append(_ leaf: MerkleHash) {
        levels[0].append(leaf)
        var h = 0
        // A node is complete when its level holds an even number of hashes: hash the last pair one level up.
        while levels[h].count % 2 == 0 {
            let pair = levels[h].count
            let parent = MerkleHash.node(levels[h][pair - 2], levels[h][pair - 1])
            if levels.count == h + 1 { levels.append([]) }
            levels[h + 1].append(parent)
            h += 1
        }
    }

    /// The root of the whole tree.
    public var root: MerkleHash { hash(0, size) }

    /// The root the tree had when it held `size` leaves.
    public func root(size: Int) throws(MerkleError) -> MerkleHash {
        guard size >= 0, size <= self.size else { throw .sizeBeyondTree(size: size, treeSize: self.size) }
        return hash(0, size)
    }

    /// MTH(D[from ..< to]) (RFC 9162 §2.1.1).
    func hash(_ from: Int, _ to: Int) -> MerkleHash {
        let n = to - from
        if n == 0 { return .empty }
        // A complete, aligned subtree is stored.
        if n & (n - 1) == 0 {
            let h = n.trailingZeroBitCount
            if from % n == 0, h < levels.count, from >> h < levels[h].count { return levels[h][from >> h] }
        }
        let k = Self.split(n)
        return .node(hash(from, from + k), hash(from + k, to))
    }

    /// The largest power of two smaller than `n` (n ≥ 2).
    static func split(_ n: Int) -> Int {
        1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }

    /// The audit path of leaf `leaf` in the tree of the first `size` leaves (RFC 9162 §2.1.3.1), leaf side first.
    public func inclusionProof(leaf: Int, size: Int) throws(MerkleError) -> [MerkleHash] {
        guard size <= self.size else { throw .sizeBeyondTree(size: size, treeSize: self.size) }
        guard leaf >= 0, leaf < size else { throw .leafBeyondSize(leaf: leaf, size: size) }
        var proof: [MerkleHash] = []
        path(leaf, 0, size, into: &proof)
        return proof
    }

    private func path(_ m: Int, _ from: Int, _ to: Int, into proof: inout [MerkleHash]) {
        let n = to - from
        guard n > 1 else { return }
        let k = Self.split(n)
        if m < k {
            path(m, from, from + k, into: &proof)
            proof.append(hash(from + k, to))
        } else {
            path(m - k, from + k, to, into: &proof)
            proof.append(hash(from, from + k))
        }
    }

    /// The proof that the tree of `oldSize` leaves is a prefix of the tree of `newSize` (RFC 9162 §2.1.4.1).
    public func consistencyProof(from oldSize: Int, to newSize: Int) throws(MerkleError) -> [MerkleHash] {
        guard newSize <= size else { throw .sizeBeyondTree(size: newSize, treeSize: size) }
        guard oldSize >= 0, oldSize <= newSize else { throw .sizesOutOfOrder(old: oldSize, new: newSize) }
        guard oldSize > 0, oldSize < newSize else { return [] }
        var proof: [MerkleHash] = []
        subproof(oldSize, 0, newSize, complete: true, into: &proof)
        return proof
    }

    private func subproof(_ m: Int, _ from: Int, _ to: Int, complete: Bool, into proof: inout [MerkleHash]) {
        let n = to - from
        if m == n {
            if !complete { proof.append(hash(from, to)) }
            return
        }
        let k = Self.split(n)
        if m <= k {
            subproof(m, from, from + k, complete: complete, into: &proof)
            proof.append(hash(from + k, to))
        } else {
            subproof(m - k, from + k, to, complete: false, into: &proof)
            proof.append(hash(from, from + k))
        }
    }
}
