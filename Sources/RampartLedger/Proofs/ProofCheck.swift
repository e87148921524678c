import Foundation
import RampartStore

/// Offline checks of proof documents against a verifier key: nothing from the log is needed.
public enum ProofCheck {
    public struct Result: Sendable, Codable, Equatable {
        public var type: String
        public var valid: Bool
        public var message: String
    }

    /// Checks a proof document (JSON, either type).
    public static func check(json: Data, verifierKey: String) -> Result {
        struct Head: Decodable { var type: String }
        guard let head = try? JSONDecoder().decode(Head.self, from: json) else {
            return Result(type: "unknown", valid: false, message: "not a proof document: expected JSON with \"type\": \"inclusion\" or \"consistency\"")
        }
        do {
            switch head.type {
            case "inclusion":
                let doc = try JSONDecoder().decode(InclusionProofDocument.self, from: json)
                let checkpoint = try Checkpoint.open(doc.checkpoint, verifierKey: verifierKey)
                guard Int64(checkpoint.size) == doc.size, checkpoint.origin == doc.origin else {
                    return Result(type: head.type, valid: false, message: "the proof is for size \(doc.size) of \(doc.origin), the checkpoint for \(checkpoint.size) of \(checkpoint.origin)")
                }
                let leaf = doc.entry.entry.leafHash
                guard doc.entry.seq == doc.index, leaf.hex == doc.leafHash else {
                    return Result(type: head.type, valid: false, message: "the entry does not hash to the proof's leaf hash")
                }
                let proof = try hashes(doc.proof)
                try MerkleProof.verifyInclusion(leaf: leaf, index: Int(doc.index), size: Int(doc.size), proof: proof, root: checkpoint.root)
                return Result(type: head.type, valid: true,
                              message: "entry \(doc.index) (\(doc.entry.kind)) is in \(doc.origin) as signed at size \(doc.size), root \(checkpoint.root.hex)")
            case "consistency":
                let doc = try JSONDecoder().decode(ConsistencyProofDocument.self, from: json)
                let old = try Checkpoint.open(doc.oldCheckpoint, verifierKey: verifierKey)
                let new = try Checkpoint.open(doc.newCheckpoint, verifierKey: verifierKey)
                guard Int64(old.size) == doc.from, Int64(new.size) == doc.to, old.origin == doc.origin, new.origin == doc.origin else {
                    return Result(type: head.type, valid: false, message: "the checkpoints are not for sizes \(doc.from) and \(doc.to) of \(doc.origin)")
                }
                try MerkleProof.verifyConsistency(oldSize: old.size, newSize: new.size, oldRoot: old.root, newRoot: new.root, proof: try hashes(doc.proof))
                return Result(type: head.type, valid: true, message: "the log of \(doc.from) entries is a prefix of the log of \(doc.to) entries (\(doc.origin))")
            default:
                return Result(type: head.type, valid: false, message: "unknown proof type \"\(head.type)\": expected inclusion or consistency")
            }
        } catch {
            return Result(type: head.type, valid: false, message: "\(error)")
        }
    }

    static func hashes(_ hex: [String]) throws(MerkleError) -> [MerkleHash] {
        try hex.map { text throws(MerkleError) in
            guard let hash = MerkleHash(hex: text) else { throw .proofFailed("'\(text.prefix(70))' is not a 64-digit hex hash") }
            return hash
        }
    }
}
