import Foundation
import Yams

/// The entries of a YAML mapping, by key.
struct ConfigMapping {
    let node: ConfigNode
    let entries: [String: ConfigNode]
    subscript(key: String) -> ConfigNode? { entries[key] }
}
