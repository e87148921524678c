import Foundation
import RampartCore
import RampartStore

/// Everything the ledger and the decision records hold about one subject (guide: the right of access and
/// portability), with the sealed fields opened.
public struct SubjectExport: Sendable, Encodable {
    public struct Event: Sendable, Encodable {
        public var seq: Int64
        public var time: String
        public var kind: String
        public var body: JSONValue
        /// The subject's fields sealed in the event, opened.
        public var personal: JSONValue?
        /// The `subject.rectified` event that corrects this one, if any.
        public var supersededBy: Int64?

        enum CodingKeys: String, CodingKey {
            case seq, time, kind, body, personal
            case supersededBy = "superseded_by"
        }
    }

    public var subject: String
    public var subjectRef: String?
    public var exportedAt: String
    public var consents: [String: String]
    public var objections: [String]
    public var purposes: [JSONValue]
    public var events: [Event]
    public var decisions: [DecisionRecord]
    public var models: [String]

    enum CodingKeys: String, CodingKey {
        case subject, consents, objections, purposes, events, decisions, models
        case subjectRef = "subject_ref"
        case exportedAt = "exported_at"
    }
}
