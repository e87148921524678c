/// Offline verification of the tree's proofs, exactly as RFC 9162 §2.1.3.2 and §2.1.4.2 give it: nothing but the
/// proof, the sizes and the hashes — no access to the log. `rampart ledger check-proof` runs these.
public enum MerkleProof {
    /// The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or why it cannot lead anywhere.
    public static func rootFromInclusion(leaf: MerkleHash, index: Int, size: Int, proof: [MerkleHash]) throws(MerkleError) -> MerkleHash {
        guard index >= 0, index < size else { throw .leafBeyondSize(leaf: index, size: size) }
        var fn = index
        var sn = size - 1
        var r = leaf
        for p in proof {
            guard sn != 0 else { throw .proofFailed("the proof has \(proof.count) hashes, more than a tree of \(size) needs") }
            if fn & 1 == 1 || fn == sn {
                r = .node(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0, fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = .node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .proofFailed("the proof has \(proof.count) hashes, fewer than a tree of \(size) needs") }
        return r
    }

    /// Checks that `leaf` is entry `index` of the tree of `size` entries whose root is `root`.
    public static func verifyInclusion(leaf: MerkleHash, index: Int, size: Int, proof: [MerkleHash], root: MerkleHash) throws(MerkleError) {
        let computed = try rootFromInclusion(leaf: leaf, index: index, size: size, proof: proof)
        guard computed == root else { throw .proofFailed("it leads to root \(computed.hex), not \(root.hex)") }
    }

    /// Checks that the tree of `oldSize` entries with root `oldRoot` is a prefix of the tree of `newSize` entries
    /// with root `newRoot` (RFC 9162 §2.1.4.2).
    public static func verifyConsistency(oldSize: Int, newSize: Int, oldRoot: MerkleHash, newRoot: MerkleHash,
                                         proof: [MerkleHash]) throws(MerkleError) {
        guard oldSize >= 0, oldSize <= newSize else { throw .sizesOutOfOrder(old: oldSize, new: newSize) }
        if oldSize == newSize {
            guard proof.isEmpty else { throw .proofFailed("trees of one size need an empty proof") }
            guard oldRoot == newRoot else { throw .proofFailed("two different roots for \(oldSize) entries") }
            return
        }
        if oldSize == 0 {
            // Every tree extends the empty one.
            guard proof.isEmpty else { throw .proofFailed("the empty tree needs an empty proof") }
            return
        }
        guard !proof.isEmpty else { throw .proofFailed("the proof is empty") }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { throw .proofFailed("the proof has more hashes than the sizes need") }
            if fn & 1 == 1 || fn == sn {
                fr = .node(c, fr)
                sr = .node(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0, fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = .node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .proofFailed("the proof has fewer hashes than the sizes need") }
        guard fr == oldRoot else { throw .proofFailed("it leads to old root \(fr.hex), not \(oldRoot.hex)") }
        guard sr == newRoot else { throw .proofFailed("it leads to new root \(sr.hex), not \(newRoot.hex)") }
    }
}
