import Foundation
import RampartStore

/// An entry as proof documents carry it: enough to recompute its leaf hash.
public struct EntryDocument: Sendable, Codable, Equatable {
    public var seq: Int64
    public var timeMs: Int64
    public var kind: String
    public var subjectRef: String?
    public var body: String

    init(_ entry: LedgerEntry) {
        seq = entry.seq
        timeMs = Millis.from(entry.time)
        kind = entry.kind
        subjectRef = entry.subjectRef
        body = entry.body
    }

    var entry: LedgerEntry { LedgerEntry(seq: seq, time: Millis.date(timeMs), kind: kind, subjectRef: subjectRef, body: body) }

    enum CodingKeys: String, CodingKey {
        case seq, kind, body
        case timeMs = "time_ms"
        case subjectRef = "subject_ref"
    }
}

/// `rampart ledger prove --entry N`: the entry, its audit path and the signed checkpoint it leads to. Checked
/// offline by `rampart ledger check-proof` (or any RFC 9162 verifier: the leaf is `SHA-256(0x00 ‖ leaf data)`, see
/// `LedgerEntry.leafData`).
public struct InclusionProofDocument: Sendable, Codable, Equatable {
    public var type = "inclusion"
    public var origin: String
    public var index: Int64
    public var size: Int64
    public var entry: EntryDocument
    public var leafHash: String
    public var proof: [String]
    public var checkpoint: String

    enum CodingKeys: String, CodingKey {
        case type, origin, index, size, entry, proof, checkpoint
        case leafHash = "leaf_hash"
    }
}

/// `rampart ledger consistency --from N --to M`: the proof that the log of the first checkpoint is a prefix of the
/// log of the second, with both signed checkpoints.
public struct ConsistencyProofDocument: Sendable, Codable, Equatable {
    public var type = "consistency"
    public var origin: String
    public var from: Int64
    public var to: Int64
    public var proof: [String]
    public var oldCheckpoint: String
    public var newCheckpoint: String

    enum CodingKeys: String, CodingKey {
        case type, origin, from, to, proof
        case oldCheckpoint = "old_checkpoint"
        case newCheckpoint = "new_checkpoint"
    }
}

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
