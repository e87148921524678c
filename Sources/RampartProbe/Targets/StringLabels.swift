import Foundation
import NIOCore
import RampartCore
import RampartML

/// Class ids for string labels, in the order they are first seen (deterministic for a deterministic attack).
final class StringLabels: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String: Int] = [:]

    func id(_ label: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if let id = ids[label] { return id }
        ids[label] = ids.count
        return ids.count - 1
    }
}
