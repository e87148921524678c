import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import RampartCore
import SQLKit
import SQLiteKit
import Synchronization

/// Rampart's storage: API keys, decision records, shared rate limits and the ledger's rows, over one SQL layer
/// (SQLKit) and one set of migrations, on either backend:
///
/// - **SQLite**: one file in WAL mode, embedded, for one process (docs/design.md, storage and scale). Writes go
///   through one connection, serialized by a gate, reads through another, so readers never wait for a group commit.
/// - **PostgreSQL**: a connection pool; several `rampart serve` replicas on one database share keys, consent,
///   limits and one ledger.
///
/// ```swift
/// let store = try await Store.open(config.store)
/// try await store.keys.insert(record)
/// ```
public final class Store: Sendable {
    enum Backend: Sendable {
        case sqlite(writer: SQLiteConnection, reader: SQLiteConnection)
        case postgres(PostgresClient)
    }

    let backend: Backend
    /// Database used for every write. On SQLite one connection: go through ``write(_:)`` or ``transaction(_:)``.
    let writeDB: any SQLDatabase
    /// Database used for reads.
    let readDB: any SQLDatabase
    /// Serializes writes on SQLite's one write connection, so that a transaction never takes in another caller's
    /// statements (and a rollback never undoes them). Unused on PostgreSQL, where each write leases its own connection.
    let writeGate = SerialGate()
    private let closeAll: @Sendable () async throws -> Void
    /// Where the store is, for messages: the SQLite path, or the PostgreSQL URL without its password.
    public let location: String

    public var keys: KeyStore { KeyStore(store: self) }
    public var decisions: DecisionStore { DecisionStore(store: self) }
    public var ledger: LedgerStore { LedgerStore(store: self) }
    public var limits: LimitStore { LimitStore(store: self) }
    public var monitors: MonitorStore { MonitorStore(store: self) }

    /// The write database, for tests that change rows behind the store's back (`RampartStoreTesting`).
    public var writeDBForTesting: any SQLDatabase { writeDB }

    /// `sqlite` or `postgresql`.
    public var dialect: String { writeDB.dialect.name }
    public var isPostgres: Bool { if case .postgres = backend { true } else { false } }

    init(location: String, backend: Backend, writeDB: any SQLDatabase, readDB: any SQLDatabase, deadlineSeconds: Double = 5,
         schema: String? = nil, close: @escaping @Sendable () async throws -> Void) {
        self.deadlineSeconds = deadlineSeconds
        self.lockNamespace = Self.namespace(schema ?? "public")
        self.location = location
        self.backend = backend
        self.writeDB = writeDB
        self.readDB = readDB
        self.closeAll = close
    }

    /// Opens the store `config` names: PostgreSQL when `postgres` is set, otherwise the SQLite file.
    public static func open(_ config: StoreConfig, environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger = Logger(label: "rampart.store")) async throws -> Store {
        guard let url = config.postgres else {
            return try await openSQLite(path: config.sqlite, synchronous: config.synchronous, logger: logger)
        }
        var password: String?
        if let variable = config.postgresPasswordEnv {
            guard let value = environment[variable], !value.isEmpty else {
                throw StoreError(code: "open_failed", message: "store.postgres_password_env names \(variable), which is not set; export it or remove the key")
            }
            password = value
        }
        return try await openPostgres(url: url, password: password, schema: config.schema, poolSize: config.poolSize,
                                      deadlineSeconds: config.timeoutSeconds, logger: logger)
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
        let store = Store(location: path, backend: .sqlite(writer: writer, reader: reader), writeDB: writer.sql(queryLogLevel: nil),
                          readDB: reader.sql(queryLogLevel: nil), close: close)
        do {
            // Another process (the CLI beside `rampart serve`) may hold the write lock for a moment: wait, don't fail.
            try await store.writeDB.raw("PRAGMA busy_timeout = 5000").run()
            try await store.readDB.raw("PRAGMA busy_timeout = 5000").run()
            // WAL lets readers run beside the writer; the file must be a Rampart store (or empty). Processes opening a
            // new file at the same moment can get SQLITE_BUSY without the busy handler (while one switches the file to
            // WAL): try again for up to 10 s.
            var attempt = 0
            while true {
                do {
                    _ = try await store.writeDB.raw("PRAGMA journal_mode = WAL").all()
                    try await store.writeDB.raw("PRAGMA synchronous = \(unsafeRaw: synchronous == .full ? "FULL" : "NORMAL")").run()
                    try await store.writeDB.raw("PRAGMA foreign_keys = ON").run()
                    try await Migrator.migrate(store.writeDB)
                    break
                } catch where attempt < 100 && "\(error)".contains("database is locked") {
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        } catch {
            try? await close()
            if let error = error as? StoreError { throw error }
            throw StoreError(code: "open_failed", message: "cannot use \(path) as a Rampart store: \(error)")
        }
        return store
    }

    /// Connects to PostgreSQL at `url` (`postgres://user[:password]@host[:port]/database[?tlsmode=…]`), brings the
    /// schema up to date over one connection (under an advisory lock, so replicas starting together migrate once), then
    /// opens a pool of at most `poolSize` connections.
    ///
    /// - Parameters:
    ///   - password: overrides the URL's password (from `store.postgres_password_env`).
    ///   - schema: the schema the tables live in, created if missing (default: the server's `search_path`).
    ///   - deadlineSeconds: longest a hot-path operation may take (see ``deadlineSeconds``).
    public static func openPostgres(url: String, password: String? = nil, schema: String? = nil, poolSize: Int = 8, deadlineSeconds: Double = 5,
                                    logger: Logger = Logger(label: "rampart.store")) async throws -> Store {
        let shown = redacted(url)
        var sqlConfiguration: SQLPostgresConfiguration
        do {
            sqlConfiguration = try SQLPostgresConfiguration(url: url)
        } catch {
            throw StoreError(code: "open_failed", message: "store.postgres is not a PostgreSQL URL (\(shown)): \(error)")
        }
        if let schema, !StoreConfig.isValidSchema(schema) {
            throw StoreError(code: "open_failed", message: "schema `\(schema)` must be lower-case letters, digits and `_`")
        }
        var core = sqlConfiguration.coreConfiguration
        if let password { core.password = password }
        if let schema { core.options.additionalStartupParameters = [("search_path", schema)] }
        core.options.connectTimeout = .seconds(10)

        // Migrations: one connection, one transaction, one advisory lock.
        do {
            let connection = try await PostgresConnection.connect(configuration: core, id: 0, logger: logger)
            do {
                try await Migrator.migrate(connection.sql(queryLogLevel: nil), schema: schema)
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: "open_failed", message: "cannot connect to PostgreSQL at \(shown): \(String(reflecting: error))")
        }

        var configuration: PostgresClient.Configuration
        let tls: PostgresClient.Configuration.TLS = switch (core.tls.isEnforced, core.tls.isAllowed) {
        case (true, _): .require(core.tls.sslContext?.configuration ?? .makeClientConfiguration())
        case (_, true): .prefer(core.tls.sslContext?.configuration ?? .makeClientConfiguration())
        default: .disable
        }
        if let host = core.host, let port = core.port {
            configuration = .init(host: host, port: port, username: core.username, password: core.password, database: core.database, tls: tls)
        } else if let socket = core.unixSocketPath {
            configuration = .init(unixSocketPath: socket, username: core.username, password: core.password, database: core.database)
        } else {
            throw StoreError(code: "open_failed", message: "store.postgres names neither a host nor a socket (\(shown))")
        }
        // At least two: `exclusively` holds one connection for its lock while its work leases another.
        configuration.options.maximumConnections = max(2, poolSize)
        configuration.options.minimumConnections = 1
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = core.options.additionalStartupParameters
        // The pool logs each connection it opens or drops at info; only its warnings belong in Rampart's log.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: configuration, backgroundLogger: poolLogger)
        let running = Task { await client.run() }
        // Let the pool start before the first lease (a lease before `run()` is only queued, but logged as a warning).
        try? await Task.sleep(for: .milliseconds(20))
        let db = PostgresPoolDatabase(client: client, logger: logger)
        return Store(location: shown, backend: .postgres(client), writeDB: db, readDB: db, deadlineSeconds: deadlineSeconds, schema: schema) {
            running.cancel()
            _ = await running.value
        }
    }

    /// FNV-1a of `name`, for ``lockNamespace``.
    static func namespace(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int64(bitPattern: hash)
    }

    /// The advisory lock key for `lock` in this store's namespace.
    func lockKey(_ lock: Int64) -> Int64 { lock ^ lockNamespace }

    /// `url` with its password replaced by `***` (for messages and logs).
    static func redacted(_ url: String) -> String {
        // A URL that does not parse may still hold a password somewhere: show none of it.
        guard var components = URLComponents(string: url) else { return "postgres://***" }
        guard components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://***"
    }

    /// Longest a hot-path operation on PostgreSQL (a decision commit, a rate-limit check) may take, seconds. When the
    /// database is unreachable the pool would otherwise hold requests until its circuit breaker trips (about a
    /// minute); with the deadline they fail closed quickly (`503`).
    let deadlineSeconds: Double
    /// Mixed into every advisory lock key on PostgreSQL: advisory locks are database-wide, and two deployments in
    /// different schemas of one database must not wait on each other's locks. A hash of the schema name.
    let lockNamespace: Int64

    /// Runs `body` with the PostgreSQL deadline: throws `StoreError` `timeout` (and cancels `body`) when it is over.
    func withDeadline<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let seconds = deadlineSeconds
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                throw StoreError(code: "timeout", message: "\(what) took longer than \(seconds) s; is PostgreSQL reachable?")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw StoreError(code: "timeout", message: "\(what) did not finish") }
            return first
        }
    }

    /// Runs `body` as the only writer on SQLite (one write connection); on PostgreSQL runs it directly.
    func write<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        if isPostgres { return try await body() }
        return try await writeGate.run(body)
    }

    /// Runs `body` in one transaction: `BEGIN IMMEDIATE` on SQLite's write connection (behind the write gate), or a
    /// leased PostgreSQL connection. Commits when `body` returns, rolls back when it throws.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .postgres(let client):
            return try await client.withConnection { connection in
                try await Self.inTransaction(connection.sql(queryLogLevel: nil), begin: "BEGIN", body)
            }
        case .sqlite:
            let db = writeDB
            return try await writeGate.run { try await Self.inTransaction(db, begin: "BEGIN IMMEDIATE", body) }
        }
    }

    /// `begin`, `body`, then `COMMIT` — or `ROLLBACK` when `body` throws — on one connection.
    private static func inTransaction<T: Sendable>(_ db: any SQLDatabase, begin: SQLQueryString,
                                                   _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await db.raw(begin).run()
        do {
            let result = try await body(db)
            try await db.raw("COMMIT").run()
            return result
        } catch {
            try? await db.raw("ROLLBACK").run()
            throw error
        }
    }

    /// Runs `body` unless another process is running one under the same `lock`, and returns nil if another holds it:
    /// on PostgreSQL a session advisory lock held by a leased connection for the duration; on SQLite an `flock` on a
    /// file beside the database (`rampart.db-lock-<lock>`), so the CLI and `rampart serve` never do the same work at
    /// once.
    public func exclusively<T: Sendable>(_ lock: Int64, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        guard case .postgres(let client) = backend else {
            let fd = Glibc.open("\(location)-lock-\(String(UInt64(bitPattern: lock), radix: 16))", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw StoreError(code: "query_failed", message: "cannot create the lock file beside \(location): errno \(errno)") }
            defer { _ = Glibc.close(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return nil }
            defer { _ = flock(fd, LOCK_UN) }
            return try await body()
        }
        return try await client.withConnection { connection -> T? in
            var got = false
            let key = lockKey(lock)
            for try await taken in try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: connection.logger).decode(Bool.self) {
                got = taken
            }
            guard got else { return nil }
            do {
                let result = try await body()
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(key))", logger: connection.logger)
                return result
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(key))", logger: connection.logger)
                throw error
            }
        }
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
