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
        let text = body
        let signature = try key.sign(Array(text.utf8))
        let id = key.keyID
        let blob = [UInt8(id >> 24), UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)] + signature
        return text + "\n\u{2014} \(key.name) \(Data(blob).base64EncodedString())\n"
    }

    /// Parses and verifies a signed checkpoint against a verifier key (`name+keyid+base64`).
    public static func open(_ note: String, verifierKey: String) throws(CheckpointError) -> Checkpoint {
        let verifier = try Verifier(verifierKey)
        guard let split = note.range(of: "\n\n", options: .backwards) else { throw .malformed("no blank line before the signatures") }
        let text = String(note[..<split.lowerBound]) + "\n"
        let signatureLines = note[split.upperBound...].split(separator: "\n", omittingEmptySubsequences: true)
        var verified = false
        for line in signatureLines {
            guard line.hasPrefix("\u{2014} ") else { throw .malformed("signature line does not start with '— '") }
            let parts = line.dropFirst(2).split(separator: " ")
            guard parts.count == 2, let blob = Data(base64Encoded: String(parts[1])), blob.count == 68 else {
                throw .malformed("signature line is not '— <name> <base64>'")
            }
            let bytes = Array(blob)
            let id = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
            guard String(parts[0]) == verifier.name, id == verifier.keyID else { continue }
            guard verifier.key.isValidSignature(Data(bytes[4...]), for: Data(text.utf8)) else {
                throw .badSignature("the signature by \(verifier.name) does not match the checkpoint text")
            }
            verified = true
        }
        guard verified else { throw .badSignature("no signature by \(verifier.name) (key id \(String(format: "%08x", verifier.keyID)))") }
        return try parse(body: text)
    }

    /// Checks that `verifierKey` is a well-formed Ed25519 verifier key whose id matches its name and key.
    public static func validate(verifierKey: String) throws(CheckpointError) {
        _ = try Verifier(verifierKey)
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

    struct Verifier {
        let name: String
        let keyID: UInt32
        let key: Curve25519.Signing.PublicKey

        init(_ text: String) throws(CheckpointError) {
            let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)  // base64 may hold "+"
            guard parts.count == 3, let id = UInt32(parts[1], radix: 16), parts[1].count == 8,
                  let blob = Data(base64Encoded: String(parts[2])), blob.count == 33, blob.first == 0x01,
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: blob.dropFirst()) else {
                throw .badVerifierKey("expected '<name>+<8 hex digits>+<base64 of 0x01 and a 32-byte Ed25519 key>'")
            }
            guard LedgerSigningKey.keyID(name: String(parts[0]), publicKey: key) == id else {
                throw .badVerifierKey("its key id does not match its name and key")
            }
            name = String(parts[0])
            keyID = id
            self.key = key
        }
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
