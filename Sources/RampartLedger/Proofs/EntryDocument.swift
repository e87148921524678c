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
