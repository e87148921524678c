import Foundation
import RampartCore
import RampartStore

/// The body of a `lineage.recorded` event.
struct LineageRecord: Codable {
    var model: String
    var dataset: String
    var purpose: String?
    var subjectRefs: [String]

    enum CodingKeys: String, CodingKey {
        case model, dataset, purpose
        case subjectRefs = "subject_refs"
    }
}
