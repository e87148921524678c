import Crypto
import RampartCore

/// A SHA-256 value of the ledger's Merkle tree, held as four words so trees of millions of leaves are flat arrays
/// with no allocation per hash.
///
/// Hashing follows RFC 6962 §2.1 (RFC 9162 §2.1.1): a leaf is `SHA-256(0x00 ‖ entry)`, an inner node
/// `SHA-256(0x01 ‖ left ‖ right)`, the empty tree `SHA-256("")` — the domain separation that keeps a leaf from
/// passing for an inner node (the second-preimage attack on plain Merkle trees).
public struct MerkleHash: Hashable, Sendable, CustomStringConvertible {
    var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// The 32 bytes, in order.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: (w0, w1, w2, w3)) { Array($0) }
    }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        (w0, w1, w2, w3) = words
    }

    init(_ digest: SHA256.Digest) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            digest.withUnsafeBytes { raw.copyMemory(from: $0) }
        }
        (w0, w1, w2, w3) = words
    }

    /// Lower-case hex, 64 characters.
    public var hex: String { Hex.encode(bytes) }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    public var description: String { hex }

    /// The root of the empty tree: `SHA-256("")`.
    public static let empty = MerkleHash(SHA256.hash(data: [UInt8]()))

    /// The hash of a leaf whose entry is `data`: `SHA-256(0x00 ‖ data)`.
    public static func leaf(_ data: some Collection<UInt8>) -> MerkleHash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        // Arrays hash in place; other collections are copied once.
        let hashed = data.withContiguousStorageIfAvailable { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) } != nil
        if !hashed { hasher.update(data: Array(data)) }
        return MerkleHash(hasher.finalize())
    }

    /// The hash of an inner node: `SHA-256(0x01 ‖ left ‖ right)`, from one 65-byte buffer on the stack.
    public static func node(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buffer in
            buffer[0] = 0x01
            withUnsafeBytes(of: left) { UnsafeMutableRawBufferPointer(rebasing: buffer[1..<33]).copyMemory(from: $0) }
            withUnsafeBytes(of: right) { UnsafeMutableRawBufferPointer(rebasing: buffer[33..<65]).copyMemory(from: $0) }
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            return MerkleHash(hasher.finalize())
        }
    }
}
