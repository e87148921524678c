import Crypto
import Foundation
import RampartCore

/// A signed statement of the ledger's state: its origin (the log's name), its size, its Merkle root and the time —
/// in the C2SP `tlog-checkpoint` text format, signed as a C2SP signed note with Ed25519, the format Certificate
/// Transparency's successors (Go's checksum database, Sigstore's Rekor, transparency-dev) use:
///
/// ```
/// rampart.example/ledger
/// 1204
/// 7bUu…base64 root…=
/// time 2026-11-27T21:30:00.000Z
///
/// — rampart.example/ledger 3q2+7yjJ…base64(key id ‖ signature)…
/// ```
///
/// Anyone holding the verifier key checks it offline (`rampart ledger check-proof`, or Go's `note.Open`).
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: Int
    public var root: MerkleHash
    public var time: Date

    public init(origin: String, size: Int, root: MerkleHash, time: Date) {
        self.origin = origin
        self.size = size
        self.root = root
        self.time = time
    }

    /// The note text that is signed (ends with a newline).
    public var body: String {
        "\(origin)\n\(size)\n\(Data(root.bytes).base64EncodedString())\ntime \(RFC3339.format(time))\n"
    }

    /// The signed note: body, a blank line, one signature line.
    public func signed(with key: LedgerSigningKey) throws -> String {
        guard key.name == origin else { throw CheckpointError.wrongKey("the key is named \(key.name), the log is \(origin)") }
        return try SignedNote.sign(body, with: key)
    }

    /// Parses and verifies a signed checkpoint against a verifier key (`name+keyid+base64`).
    public static func open(_ note: String, verifierKey: String) throws(CheckpointError) -> Checkpoint {
        try parse(body: try SignedNote.open(note, verifierKey: verifierKey))
    }

    /// Checks that `verifierKey` is a well-formed Ed25519 verifier key whose id matches its name and key.
    public static func validate(verifierKey: String) throws(CheckpointError) {
        _ = try SignedNote.Verifier(verifierKey)
    }

    static func parse(body text: String) throws(CheckpointError) -> Checkpoint {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, let size = Int(lines[1]), size >= 0 else { throw .malformed("expected origin, size and root lines") }
        guard let rootData = Data(base64Encoded: String(lines[2])), let root = MerkleHash(bytes: Array(rootData)) else {
            throw .malformed("line 3 is not a base64 SHA-256 root")
        }
        var time = Date(timeIntervalSince1970: 0)
        for line in lines.dropFirst(3) where line.hasPrefix("time ") {
            guard let parsed = RFC3339.parse(String(line.dropFirst(5))) else { throw .malformed("bad time line '\(line)'") }
            time = parsed
        }
        return Checkpoint(origin: String(lines[0]), size: size, root: root, time: time)
    }
}


public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case badSignature(String)
    case badVerifierKey(String)
    case wrongKey(String)

    public var description: String {
        switch self {
        case let .malformed(why): "checkpoint is malformed: \(why)"
        case let .badSignature(why): "checkpoint signature is not valid: \(why)"
        case let .badVerifierKey(why): "verifier key is not valid: \(why)"
        case let .wrongKey(why): "cannot sign the checkpoint: \(why)"
        }
    }
}
