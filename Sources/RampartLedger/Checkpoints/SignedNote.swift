import Crypto
import Foundation

/// C2SP signed notes (the format of Go's `golang.org/x/mod/sumdb/note`): a text ending in a newline, a blank line,
/// then one line per signature, `— <key name> <base64(key id ‖ Ed25519 signature)>`. Checkpoints and erasure
/// receipts are signed notes, so one verifier key checks both.
public enum SignedNote {
    /// `text` (which must end with a newline) signed with `key`.
    public static func sign(_ text: String, with key: LedgerSigningKey) throws -> String {
        precondition(text.hasSuffix("\n"), "a signed note's text ends with a newline")
        let signature = try key.sign(Array(text.utf8))
        let id = key.keyID
        let blob = [UInt8(id >> 24), UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)] + signature
        return text + "\n\u{2014} \(key.name) \(Data(blob).base64EncodedString())\n"
    }

    /// The signed text of `note`, once a signature by `verifierKey` (`name+keyid+base64`) is found valid.
    public static func open(_ note: String, verifierKey: String) throws(CheckpointError) -> String {
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
                throw .badSignature("the signature by \(verifier.name) does not match the signed text")
            }
            verified = true
        }
        guard verified else { throw .badSignature("no signature by \(verifier.name) (key id \(String(format: "%08x", verifier.keyID)))") }
        return text
    }

    /// The text of a note without checking it (everything before the blank line).
    static func body(of note: String) -> String {
        guard let split = note.range(of: "\n\n", options: .backwards) else { return note }
        return String(note[..<split.lowerBound]) + "\n"
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
