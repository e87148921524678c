import Foundation
import Synchronization

/// NFKC of single scalars, remembered per process: non-ASCII text repeats its few hundred distinct
/// characters, and Foundation's normalization costs a string allocation per call.
enum NFKC {
    private static let cache = Mutex<[UInt32: [UInt8]]>([:])

    static func of(_ scalar: Unicode.Scalar) -> [UInt8] {
        if let hit = cache.withLock({ $0[scalar.value] }) { return hit }
        let normalized = Array(String(Character(scalar)).precomposedStringWithCompatibilityMapping.utf8)
        cache.withLock { cache in
            if cache.count < 65_536 { cache[scalar.value] = normalized }
        }
        return normalized
    }
}
