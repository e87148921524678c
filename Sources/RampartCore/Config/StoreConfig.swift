/// `store:` — where keys and decision records live.
public struct StoreConfig: Sendable, Equatable {
    /// When a decision record must be durable, relative to the response (docs/design.md, the request pipeline).
    public enum Durability: String, Sendable, Equatable, CaseIterable {
        /// The record is committed before the response (or a stream's final event) is sent. Default.
        case strict
        /// The record is queued and committed right after the response; a crash may lose the last batch.
        case relaxed
    }

    /// SQLite's `synchronous` setting for the WAL (https://www.sqlite.org/pragma.html#pragma_synchronous).
    public enum Synchronous: String, Sendable, Equatable, CaseIterable {
        /// Commits survive a crash of Rampart; a power loss may roll back the last commits. Default.
        case normal
        /// Every commit is fsynced: survives power loss, costs one fsync per group commit.
        case full
    }

    /// Path of the SQLite file, relative to the config file's folder. Default `rampart.db`. Unused when ``postgres``
    /// is set.
    public var sqlite: String
    public var durability: Durability
    public var synchronous: Synchronous
    /// Most records one group commit writes. Default 512.
    public var maxBatch: Int
    /// PostgreSQL instead of SQLite: `postgres://user@host:port/database?tlsmode=disable|prefer|require`. Several
    /// replicas on one database share keys, limits, consent and the ledger. Default none (SQLite).
    public var postgres: String?
    /// Environment variable holding the PostgreSQL password, so the config file need not contain it. Default none.
    public var postgresPasswordEnv: String?
    /// PostgreSQL schema the tables live in (created if missing). Default: none, the server's `search_path`.
    public var schema: String?
    /// Most PostgreSQL connections one process opens. Default 8.
    public var poolSize: Int
    /// Longest a decision commit or rate-limit check may take on PostgreSQL before the request fails closed, seconds.
    /// Default 5.
    public var timeoutSeconds: Double

    public init(sqlite: String = "rampart.db", durability: Durability = .strict, synchronous: Synchronous = .normal, maxBatch: Int = 512,
                postgres: String? = nil, postgresPasswordEnv: String? = nil, schema: String? = nil, poolSize: Int = 8, timeoutSeconds: Double = 5) {
        self.timeoutSeconds = timeoutSeconds
        self.sqlite = sqlite
        self.durability = durability
        self.synchronous = synchronous
        self.maxBatch = maxBatch
        self.postgres = postgres
        self.postgresPasswordEnv = postgresPasswordEnv
        self.schema = schema
        self.poolSize = poolSize
    }

    /// Whether a schema name is a plain lower-case SQL identifier (it is spliced into `search_path`).
    public static func isValidSchema(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) || first == "_" else { return false }
        return name.utf8.count <= 63 && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
