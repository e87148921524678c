import Foundation
import RampartStore

/// One event of the ledger: what happened (`kind`: `decision`, `consent.given`, `consent.withdrawn`, …), when, about
/// whom (a pseudonymous subject reference, never the subject's own identifier) and its details (`body`, JSON text,
/// kept byte for byte as written — it is what the leaf hash commits to).
public struct LedgerEntry: Sendable, Equatable {
    /// Position in the log, from 0: the Merkle leaf index.
    public var seq: Int64
    public var time: Date
    public var kind: String
    public var subjectRef: String?
    public var body: String

    public init(seq: Int64, time: Date, kind: String, subjectRef: String? = nil, body: String) {
        self.seq = seq
        self.time = time
        self.kind = kind
        self.subjectRef = subjectRef
        self.body = body
    }

    /// The bytes the leaf hash is taken over — unambiguous, so no two different entries share them:
    /// `"rampart-ledger-v1"`, then `seq` and the time in milliseconds as 8-byte big-endian integers, then `kind`,
    /// the subject reference (a 0 byte when absent, else 1 and the text) and `body`, each text as a 4-byte
    /// big-endian length and its UTF-8. The position is part of the leaf, so moving a row changes its hash.
    public var leafData: [UInt8] {
        Self.leafData(seq: seq, timeMs: Millis.from(time), kind: kind, subjectRef: subjectRef, body: body)
    }

    static let leafTag = Array("rampart-ledger-v1".utf8)

    /// The leaf bytes from a row's columns (what `verify` recomputes for every entry).
    static func leafData(seq: Int64, timeMs: Int64, kind: String, subjectRef: String?, body: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(leafTag.count + 16 + 13 + kind.utf8.count + (subjectRef?.utf8.count ?? 0) + body.utf8.count)
        out += leafTag
        withUnsafeBytes(of: UInt64(bitPattern: seq).bigEndian) { out += $0 }
        withUnsafeBytes(of: UInt64(bitPattern: timeMs).bigEndian) { out += $0 }
        func text(_ s: String) {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: s.utf8.count).bigEndian) { out += $0 }
            out += s.utf8
        }
        text(kind)
        if let subjectRef {
            out.append(1)
            text(subjectRef)
        } else {
            out.append(0)
        }
        text(body)
        return out
    }

    public var leafHash: MerkleHash { .leaf(leafData) }

    init(row: LedgerStore.Row) {
        self.init(seq: row.seq, time: Millis.date(row.timeMs), kind: row.kind, subjectRef: row.subjectRef, body: row.body)
    }
}
