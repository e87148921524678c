import Foundation
import Testing
@testable import RampartLedger

/// The tree, its proofs and their verifiers against an independent implementation of RFC 6962 §2.1
/// (`scripts/ledger/rfc6962_vectors.py`, whose roots for the eight Certificate Transparency test leaves match the
/// published ones), then against each other for every size and index up to 70, then against tampering.
@Suite struct MerkleTests {
    struct Vectors: Decodable {
        struct Inclusion: Decodable { var index: Int; var size: Int; var path: [String] }
        struct Consistency: Decodable { var old: Int; var new: Int; var proof: [String] }
        var leaves: [String]
        var roots: [String]
        var inclusion: [Inclusion]
        var consistency: [Consistency]
    }

    static let vectors: Vectors = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/ledger/rfc6962-vectors.json")
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }()

    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
    }

    static let tree = MerkleTree(leaves: vectors.leaves.map { MerkleHash.leaf(bytes($0)) })

    @Test func hashesFollowRFC6962() {
        #expect(MerkleHash.empty.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // Certificate Transparency's published roots for its eight test leaves.
        #expect(try! Self.tree.root(size: 1).hex == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        #expect(try! Self.tree.root(size: 8).hex == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
        #expect(MerkleHash(hex: MerkleHash.empty.hex) == .empty && MerkleHash(hex: "zz") == nil)
    }

    @Test func rootsAtEverySizeMatchTheReference() throws {
        for (size, root) in Self.vectors.roots.enumerated() {
            #expect(try Self.tree.root(size: size).hex == root, "size \(size)")
        }
        #expect(Self.tree.root.hex == Self.vectors.roots.last)
    }

    @Test func proofsMatchTheReferenceAndVerify() throws {
        for v in Self.vectors.inclusion {
            let proof = try Self.tree.inclusionProof(leaf: v.index, size: v.size)
            #expect(proof.map(\.hex) == v.path, "inclusion \(v.index) in \(v.size)")
            try MerkleProof.verifyInclusion(leaf: Self.tree.leaf(v.index), index: v.index, size: v.size, proof: proof,
                                            root: try Self.tree.root(size: v.size))
        }
        for v in Self.vectors.consistency {
            let proof = try Self.tree.consistencyProof(from: v.old, to: v.new)
            #expect(proof.map(\.hex) == v.proof, "consistency \(v.old) → \(v.new)")
            try MerkleProof.verifyConsistency(oldSize: v.old, newSize: v.new, oldRoot: try Self.tree.root(size: v.old),
                                              newRoot: try Self.tree.root(size: v.new), proof: proof)
        }
    }

    /// Every proof of a 70-leaf tree verifies, and every single-hash change, dropped or added hash, wrong index or
    /// wrong size makes it fail.
    @Test func tamperedProofsFail() throws {
        let tree = MerkleTree(leaves: (0..<70).map { MerkleHash.leaf(Array("leaf \($0)".utf8)) })
        let flip = { (h: MerkleHash) -> MerkleHash in var b = h.bytes; b[7] ^= 1; return MerkleHash(bytes: b)! }
        for size in 1...70 {
            let root = try tree.root(size: size)
            for index in 0..<size {
                let proof = try tree.inclusionProof(leaf: index, size: size)
                let leaf = tree.leaf(index)
                try MerkleProof.verifyInclusion(leaf: leaf, index: index, size: size, proof: proof, root: root)
                #expect(throws: MerkleError.self) { try MerkleProof.verifyInclusion(leaf: flip(leaf), index: index, size: size, proof: proof, root: root) }
                for k in proof.indices {
                    var bad = proof
                    bad[k] = flip(bad[k])
                    #expect(throws: MerkleError.self) { try MerkleProof.verifyInclusion(leaf: leaf, index: index, size: size, proof: bad, root: root) }
                }
                if !proof.isEmpty {
                    #expect(throws: MerkleError.self) { try MerkleProof.verifyInclusion(leaf: leaf, index: index, size: size, proof: proof.dropLast(), root: root) }
                }
                #expect(throws: MerkleError.self) { try MerkleProof.verifyInclusion(leaf: leaf, index: index, size: size, proof: proof + [root], root: root) }
                if size > 1 {
                    #expect(throws: MerkleError.self) {
                        try MerkleProof.verifyInclusion(leaf: leaf, index: (index + 1) % size, size: size, proof: proof, root: root)
                    }
                }
            }
            for old in 0...size {
                let proof = try tree.consistencyProof(from: old, to: size)
                let oldRoot = try tree.root(size: old)
                try MerkleProof.verifyConsistency(oldSize: old, newSize: size, oldRoot: oldRoot, newRoot: root, proof: proof)
                guard old > 0, old < size else { continue }
                #expect(throws: MerkleError.self) { try MerkleProof.verifyConsistency(oldSize: old, newSize: size, oldRoot: flip(oldRoot), newRoot: root, proof: proof) }
                #expect(throws: MerkleError.self) { try MerkleProof.verifyConsistency(oldSize: old, newSize: size, oldRoot: oldRoot, newRoot: flip(root), proof: proof) }
                for k in proof.indices {
                    var bad = proof
                    bad[k] = flip(bad[k])
                    #expect(throws: MerkleError.self) { try MerkleProof.verifyConsistency(oldSize: old, newSize: size, oldRoot: oldRoot, newRoot: root, proof: bad) }
                }
                #expect(throws: MerkleError.self) { try MerkleProof.verifyConsistency(oldSize: old, newSize: size, oldRoot: oldRoot, newRoot: root, proof: proof.dropLast()) }
                #expect(throws: MerkleError.self) { try MerkleProof.verifyConsistency(oldSize: old, newSize: size, oldRoot: oldRoot, newRoot: root, proof: proof + [root]) }
            }
        }
    }

    @Test func badArgumentsAreErrorsNotCrashes() {
        #expect(throws: MerkleError.sizeBeyondTree(size: 21, treeSize: 20)) { try Self.tree.root(size: 21) }
        #expect(throws: MerkleError.leafBeyondSize(leaf: 5, size: 5)) { try Self.tree.inclusionProof(leaf: 5, size: 5) }
        #expect(throws: MerkleError.leafBeyondSize(leaf: -1, size: 5)) { try Self.tree.inclusionProof(leaf: -1, size: 5) }
        #expect(throws: MerkleError.sizesOutOfOrder(old: 6, new: 5)) { try Self.tree.consistencyProof(from: 6, to: 5) }
        #expect(throws: MerkleError.self) { try MerkleProof.verifyInclusion(leaf: .empty, index: 0, size: 0, proof: [], root: .empty) }
        #expect(throws: MerkleError.self) {
            try MerkleProof.verifyConsistency(oldSize: 3, newSize: 3, oldRoot: .empty, newRoot: MerkleHash.leaf([1]), proof: [])
        }
    }

    /// The frontier a server keeps gives the same root as the full tree at every size, and round-trips its peaks.
    @Test func frontierMatchesTheTree() throws {
        var frontier = MerkleFrontier()
        #expect(frontier.root == .empty)
        var tree = MerkleTree()
        for i in 0..<300 {
            let leaf = MerkleHash.leaf(Array("event \(i)".utf8))
            frontier.append(leaf)
            tree.append(leaf)
            #expect(frontier.root == tree.root, "size \(i + 1)")
            #expect(frontier.peaks.count == frontier.size.nonzeroBitCount)
        }
        #expect(try MerkleFrontier(size: frontier.size, peaks: frontier.peaks) == frontier)
        #expect(throws: MerkleError.self) { try MerkleFrontier(size: 300, peaks: []) }
    }
}
