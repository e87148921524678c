import Foundation
import RampartCore
import RampartStore
import SQLKit

/// The backends a test suite runs against: SQLite always, PostgreSQL when `RAMPART_TEST_POSTGRES` names a server
/// (`scripts/test.sh` starts one on loopback and sets it, so the whole suite runs on both).
public enum TestBackend: String, Sendable, CustomStringConvertible, CaseIterable {
    case sqlite
    case postgres

    public static let postgresURL: String? = {
        let url = ProcessInfo.processInfo.environment["RAMPART_TEST_POSTGRES"] ?? ""
        return url.isEmpty ? nil : url
    }()

    /// SQLite, and PostgreSQL when a test server is configured.
    public static var available: [TestBackend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    public var description: String { rawValue }

    /// A fresh, empty place for a store: a SQLite file in a new temporary folder, or a new PostgreSQL schema.
    public func makeLocation() throws -> TestStoreLocation {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return TestStoreLocation(config: StoreConfig(sqlite: folder.appendingPathComponent("rampart.db").path), folder: folder)
        case .postgres:
            guard let url = Self.postgresURL else { throw StoreError(code: "open_failed", message: "RAMPART_TEST_POSTGRES is not set") }
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            return TestStoreLocation(config: StoreConfig(postgres: url, schema: String(schema), poolSize: 4), folder: nil)
        }
    }

    /// Runs `body` with a store in a fresh location, then closes it and removes the location.
    public func withStore<T>(_ body: (Store, TestStoreLocation) async throws -> T) async throws -> T {
        let location = try makeLocation()
        defer { location.remove() }
        let store = try await location.open()
        do {
            let result = try await body(store, location)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}
