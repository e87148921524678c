import Foundation
import RampartCore
import RampartStore
import SQLKit

/// Where a test store lives; ``open()`` gives another `Store` on the same data (a restart, or a second replica).
public struct TestStoreLocation: Sendable {
    public let config: StoreConfig
    let folder: URL?

    public func open() async throws -> Store { try await Store.open(config, environment: [:]) }

    /// The SQLite file's path (nil on PostgreSQL).
    public var sqlitePath: String? { folder == nil ? nil : config.sqlite }

    /// Deletes the SQLite folder (a PostgreSQL schema stays, in the throwaway test server).
    public func remove() {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }
}
