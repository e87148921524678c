import Foundation
import RampartML

/// Why a node could not run on the values it was given (shapes that do not fit, an index out of range); the graph adds
/// the node's name.
struct KernelFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
