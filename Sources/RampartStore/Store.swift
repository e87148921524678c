import Foundation
import Logging
import NIOCore
import NIOPosix
import RampartCore
import SQLKit
import SQLiteKit

/// Rampart's storage: API keys, decision records and the ledger's rows, over one SQL layer (SQLKit).
///
/// Today the backend is one SQLite file in WAL mode (DESIGN.md, "storage and scale"); PostgreSQL follows with the
/// same schema and the same tests. Writes go through one connection, reads through another, so that readers
/// never wait for a group commit.
///
/// ```swift
/// let store = try await Store.openSQLite(path: "rampart.db")
/// try await store.keys.insert(record)
/// ```
public final class Store: Sendable {
    /// Connection used for every write (serialized by its callers: the ``DecisionWriter`` and the CLI).
    let writeDB: any SQLDatabase
    /// Connection used for reads.
    let readDB: any SQLDatabase
    /// The SQLite write connection itself, for the decision writer's one-round-trip insert.
    let sqliteWriter: SQLiteConnection
    /// The SQLite read connection itself, for bulk reads that bypass SQLKit's row decoding (the ledger's verify).
    let sqliteReader: SQLiteConnection
    private let closeAll: @Sendable () async throws -> Void
    public let path: String

    public var keys: KeyStore { KeyStore(store: self) }
    public var decisions: DecisionStore { DecisionStore(store: self) }
    public var ledger: LedgerStore { LedgerStore(store: self) }

    init(path: String, writeDB: any SQLDatabase, readDB: any SQLDatabase, sqliteWriter: SQLiteConnection, sqliteReader: SQLiteConnection,
         close: @escaping @Sendable () async throws -> Void) {
        self.path = path
        self.writeDB = writeDB
        self.readDB = readDB
        self.sqliteWriter = sqliteWriter
        self.sqliteReader = sqliteReader
        self.closeAll = close
    }

    /// Opens (creating if needed) the SQLite file at `path` and brings its schema up to date.
    ///
    /// - Parameters:
    ///   - synchronous: SQLite's `synchronous` pragma under WAL. `normal` (default) keeps every commit across a
    ///     crash of the process; `full` also across power loss. <https://www.sqlite.org/wal.html>
    public static func openSQLite(path: String, synchronous: StoreConfig.Synchronous = .normal, logger: Logger = Logger(label: "rampart.store")) async throws -> Store {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw StoreError(code: "open_failed", message: "cannot open the store at \(path): folder \(directory) does not exist")
            }
        }
        let writer: SQLiteConnection
        let reader: SQLiteConnection
        do {
            writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            throw StoreError(code: "open_failed", message: "cannot open the SQLite store at \(path): \(error)")
        }
        let close: @Sendable () async throws -> Void = {
            try? await reader.close()
            try? await writer.close()
        }
        let store = Store(path: path, writeDB: writer.sql(queryLogLevel: nil), readDB: reader.sql(queryLogLevel: nil), sqliteWriter: writer,
                          sqliteReader: reader, close: close)
        do {
            // WAL lets readers run beside the writer; the file must be a Rampart store (or empty).
            _ = try await store.writeDB.raw("PRAGMA journal_mode = WAL").all()
            try await store.writeDB.raw("PRAGMA synchronous = \(unsafeRaw: synchronous == .full ? "FULL" : "NORMAL")").run()
            try await store.writeDB.raw("PRAGMA foreign_keys = ON").run()
            try await Migrator.migrate(store.writeDB)
        } catch {
            try? await close()
            if let error = error as? StoreError { throw error }
            throw StoreError(code: "open_failed", message: "cannot use \(path) as a Rampart store: \(error)")
        }
        return store
    }

    /// Whether the store answers a trivial query (for `/readyz`).
    public func ping() async -> Bool {
        do {
            _ = try await readDB.raw("SELECT 1 AS one").first()
            return true
        } catch {
            return false
        }
    }

    public func close() async {
        try? await closeAll()
    }
}
