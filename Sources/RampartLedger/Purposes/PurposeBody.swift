import Foundation
import RampartCore
import RampartStore

/// What the ledger records about a declared purpose.
struct PurposeBody: Encodable, Equatable {
    var id: String
    var description: String
    var lawful_basis: String
    var data_categories: [String]
    var retention_days: Int?

    init(_ purpose: PurposeConfig) {
        id = purpose.id
        description = purpose.description
        lawful_basis = purpose.lawfulBasis.rawValue
        data_categories = purpose.dataCategories
        retention_days = purpose.retentionDays
    }
}
