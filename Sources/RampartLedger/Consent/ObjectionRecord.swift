import Crypto
import Foundation
import RampartCore
import RampartStore
import Synchronization

/// The body of a `subject.objected` event.
struct ObjectionRecord: Codable {
    var purpose: String
}
