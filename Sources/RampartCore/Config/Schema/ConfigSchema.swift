import Foundation

/// Every key of `rampart.yaml`, declared once: its type and range, its default (the config structs' initializers),
/// its doc. ``ConfigLoader`` reads with it, `rampart config show` prints with it (``ConfigSchema/show(_:environment:)``),
/// and docs/configuration.md's reference is generated from it (``ConfigSchema/referenceMarkdown()``); a test fails
/// when the docs, the loader and the printer drift apart.
public enum ConfigSchema {
    // MARK: server

    static let server = ConfigSection<ServerConfig>([
        .value("listen", \.listen, .address, doc: "Public listener: the OpenAI-compatible and KServe v2 API. `[::1]:port` for IPv6; port 0 picks a free port (logged)."),
        .value("admin_listen", \.adminListen, .address, doc: "Admin listener: `/metrics` (admin key), the ledger's admin API, `/healthz`, `/readyz`. Must differ from `listen` (unless both use port 0)."),
        .value("max_body_bytes", \.maxBodyBytes, .int(1...(1 << 30)), doc: "Largest request body; larger ones get `413` (checked from `Content-Length` before reading, and while reading)."),
        .value("max_upstream_response_bytes", \.maxUpstreamResponseBytes, .int(1...(1 << 31)), doc: "Largest non-streamed upstream response; larger ones get `502 upstream_response_too_large`."),
        .value("key_refresh_seconds", \.keyRefreshSeconds, .double(0.05...3600), doc: "How often the gateway reloads keys (new, revoked) and consent from the store."),
        .value("upstream_max_connections", \.upstreamMaxConnections, .int(1...65536), doc: "Most idle keep-alive connections kept per upstream and event-loop thread; more are opened when load needs them."),
        .value("shutdown_grace_seconds", \.shutdownGraceSeconds, .double(0...3600), doc: "How long SIGTERM waits for in-flight requests before cancelling them."),
    ], check: { s, m throws(ConfigError) in
        if s.listen == s.adminListen && s.listen.port != 0 {
            throw m.node.error("invalid_value", "`listen` and `admin_listen` are both \(s.listen); the admin API needs its own listener")
        }
    })

    // MARK: store

    static let store = ConfigSection<StoreConfig>([
        .value("sqlite", \.sqlite, .text("path"), doc: "The SQLite file, relative to the config file's folder; created on first use (WAL). For one process, with the CLI beside it."),
        .value("durability", \.durability, .enumeration, doc: "`strict`: each decision record is committed before its response (or a stream's final event) is sent. `relaxed`: queued and committed right after; a crash may lose the last batch."),
        .value("synchronous", \.synchronous, .enumeration, doc: "(SQLite) SQLite's `synchronous` under WAL: `normal` survives a crash of Rampart, `full` also a power loss (one fsync per group commit)."),
        .value("max_batch", \.maxBatch, .int(1...10_000), doc: "Most decision records one group commit writes."),
        ConfigField(key: "postgres",
                    reference: { prefix, _ in [.row(prefix, "postgres", type: "URL `postgres://USER@HOST:PORT/DB?tlsmode=disable\\|prefer\\|require`", defaultValue: "none (SQLite)", kinds: nil,
                                                    doc: "PostgreSQL instead of SQLite: replicas on one database share keys, limits, consent and the ledger (storage.md). A password in the URL is refused: use `postgres_password_env`.")] },
                    decode: { n, s, m throws(ConfigError) in
                        guard !n.isNull else { return }
                        let url = try n.string(nonEmpty: true)
                        guard let scheme = url.split(separator: ":", maxSplits: 1).first, ["postgres", "postgresql", "postgres+tcp", "postgres+uds"].contains(scheme.lowercased()) else {
                            throw n.error("invalid_value", "`postgres` must be a URL such as postgres://rampart@127.0.0.1:5432/rampart?tlsmode=disable")
                        }
                        if let sqlite = m["sqlite"], !sqlite.isNull { throw n.error("invalid_value", "set either `sqlite` or `postgres`, not both") }
                        guard let components = URLComponents(string: url), components.host != nil || url.lowercased().hasPrefix("postgres+uds") else {
                            throw n.error("invalid_value", "`postgres` is not a URL Rampart can read; write it as postgres://USER@HOST:PORT/DATABASE?tlsmode=disable")
                        }
                        // Secrets never appear in rampart.yaml: the password comes from the environment.
                        if components.password != nil {
                            throw n.error("invalid_value", "`postgres` contains a password; remove it from the URL and name the variable that holds it in `postgres_password_env`")
                        }
                        s.postgres = url
                    },
                    show: { s, _ in ConfigEntry("postgres", s.postgres.map(ConfigValue.string) ?? .null, comment: s.postgres == nil ? "SQLite" : nil) }),
        .optional("postgres_password_env", \.postgresPasswordEnv, .environmentName, none: "none", comment: environmentComment,
                  doc: "(PostgreSQL) The environment variable holding the PostgreSQL password."),
        .optional("schema", \.schema, .checked("SQL identifier", { "schema `\($0)` must be lower-case letters, digits and `_`, starting with a letter or `_` (at most 63)" },
                                               StoreConfig.isValidSchema),
                  none: "the server's `search_path`", doc: "(PostgreSQL) The schema Rampart's tables live in, created if missing."),
        .value("pool_size", \.poolSize, .int(2...1024), doc: "(PostgreSQL) Most connections one process opens."),
        .value("timeout_seconds", \.timeoutSeconds, .double(0.1...600), doc: "(PostgreSQL) Longest a decision commit or a rate-limit check may take; past it the request fails closed with `503`."),
    ], check: { s, m throws(ConfigError) in
        if s.postgres == nil, let n = ["schema", "postgres_password_env", "pool_size", "timeout_seconds"].lazy.compactMap({ m[$0] }).first(where: { !$0.isNull }) {
            throw n.error("invalid_value", "`schema`, `postgres_password_env`, `pool_size` and `timeout_seconds` apply to PostgreSQL only: set `postgres` too")
        }
    }, visible: { s, key in
        switch key {
        case "sqlite": s.postgres == nil
        case "postgres_password_env", "schema", "pool_size", "timeout_seconds": s.postgres != nil
        default: true
        }
    })

    // MARK: ledger

    static let ledger = ConfigSection<LedgerConfig>([
        .value("origin", \.origin, .checked("log name", { "ledger origin `\($0)` must have no spaces, control characters or `+` (it names the log in signed checkpoints)" },
                                            LedgerConfig.isValidOrigin),
               doc: "The log's name: the first line of every checkpoint and the name of its signing key."),
        .optional("signing_key", \.signingKey, .text("path"), none: "SQLite: the key `rampart serve` creates beside the store; PostgreSQL: none",
                  doc: "PKCS#8 PEM Ed25519 key that signs checkpoints and erasure receipts, relative to the config file's folder; not readable by others (0600). Keep it outside the database's backups."),
        .value("record_decisions", \.recordDecisions, .bool, doc: "`rampart serve` records every decision record as a `decision` event in the ledger (the subject only as a commitment)."),
        .value("decisions_interval_seconds", \.decisionsIntervalSeconds, .double(0.01...3600), doc: "How often new decision records are recorded in the ledger."),
        .value("retention_interval_seconds", \.retentionIntervalSeconds, .double(1...(86_400 * 7)), doc: "How often `rampart serve` applies the purposes' `retention_days` (and once at start)."),
        .value("checkpoint_interval_seconds", \.checkpointIntervalSeconds, .double(0...(86_400 * 7)), doc: "How often `rampart serve` signs a checkpoint when the log has grown; `0` turns it off (then only `rampart ledger checkpoint`)."),
    ])

    // MARK: purposes

    static let purpose = ConfigSection<PurposeConfig>([
        .value("id", \.id, .checked("letters, digits, `-`, `_`, `.` (at most 64)", { "purpose id `\($0)` may use only letters, digits, `-`, `_` and `.` (at most 64)" },
                                    { $0.utf8.count <= 64 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) } }),
               defaultText: "required", doc: "What routes name in `purpose:` and consent records name."),
        .value("description", \.description, .text(nonEmpty: false), doc: "For the people who read the config and exports."),
        .value("lawful_basis", \.lawfulBasis, .enumeration, defaultText: "required",
               doc: "GDPR Art. 6(1). With `consent`, routes serving the purpose admit a subject only while their consent is current."),
        .value("data_categories", \.dataCategories, .list(.text(), type: "list of strings"), doc: "Categories of personal data the purpose uses (`contact`, `conversation`, …)."),
        .optional("retention_days", \.retentionDays, .int(1...36_500), none: "none (kept linked)",
                  doc: "How long decision records for the purpose stay linked to their subject; `rampart serve` unlinks older ones and records that it did."),
    ])

    // MARK: routes

    static let limits = ConfigSection<RouteLimits>([
        .optional("rate_per_second", \.ratePerSecond, .double(0.000_001...1_000_000), none: "off", doc: "Token-bucket refill rate, per key on this route."),
        .optional("burst", \.burst, .int(1...10_000_000), none: "`ceil(rate_per_second)`", doc: "Token-bucket capacity (needs `rate_per_second`)."),
        .optional("requests_per_day", \.requestsPerDay, .int(0...Int(Int32.max)), none: "off", doc: "Admitted requests per key per UTC day."),
        .optional("tokens_per_day", \.tokensPerDay, .int(0...Int.max / 2), none: "off",
                  doc: "Tokens per key per UTC day (from the upstream's `usage`); on a classifier route, predicted rows."),
    ], check: { l, m throws(ConfigError) in
        if l.burst != nil && l.ratePerSecond == nil {
            throw m.node.error("invalid_value", "`burst` needs `rate_per_second` (the bucket's refill rate)")
        }
    })

    static let route = ConfigSection<RouteConfig>(routeFields + classifierRouteFields)

    /// The classifier keys at a route's level; `model` and `smoothing` need the model itself, `upstream_model` a remote server.
    static let classifierRouteFields: [ConfigField<RouteConfig>] = classifier.map { field in
        let kinds: Set<RouteConfig.Kind> = switch field.key {
        case "model", "smoothing": [.model]
        case "upstream_model": [.kserve]
        default: [.model, .kserve]
        }
        return field.lifted(into: \.classifier, make: { ClassifierConfig(model: "") }, kinds: kinds)
    }

    static let routeFields: [ConfigField<RouteConfig>] = [
        .value("name", \.name, .checked("letters, digits, `-`, `_`, `.` (at most 64)", { "route name `\($0)` may use only letters, digits, `-`, `_` and `.` (at most 64)" },
                                        { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." } && $0.utf8.count <= 64 }),
               defaultText: "required", doc: "Unique. Keys are scoped to route names."),
        .value("kind", \.kind, .enumeration,
               doc: "`openai`: an OpenAI-compatible API. `model`: a classifier Rampart runs itself from an `.onnx` file, over KServe v2. `kserve`: a remote KServe v2 server's classifier behind the same controls."),
        .value("upstream", \.upstream, upstreamCodec, kinds: [.openai, .kserve], defaultText: "required",
               doc: "Base URL including the version path (`http://127.0.0.1:11434/v1`; for `kserve` the server's root)."),
        .optional("upstream_api_key_env", \.upstreamAPIKeyEnv, .environmentName, none: "none", kinds: [.openai, .kserve], comment: environmentComment,
                  doc: "The name of an environment variable whose value is sent upstream as `Authorization: Bearer …`. Read once at start, never logged; the caller's key is never forwarded."),
        ConfigField(key: "upstream_ca_file", kinds: [.openai, .kserve],
                    reference: { prefix, _ in [.row(prefix, "upstream_ca_file", type: "path", defaultValue: "none (the system's)", kinds: [.openai, .kserve],
                                                    doc: "For an `https://` upstream: PEM certificate authorities to trust instead of the system's. Certificates and host names are always verified.")] },
                    decode: { n, route, _ throws(ConfigError) in
                        guard !n.isNull else { return }
                        guard route.upstream.lowercased().hasPrefix("https://") else { throw n.error("invalid_value", "`upstream_ca_file` only applies to an https:// upstream") }
                        route.upstreamCAFile = try n.string(nonEmpty: true)
                    },
                    show: { route, _ in route.kind == .model ? nil : ConfigEntry("upstream_ca_file", route.upstreamCAFile.map(ConfigValue.string) ?? .null) }),
        .value("timeout_seconds", \.timeoutSeconds, .double(0.001...86_400),
               doc: "Longest wait for the upstream's response head, and longest silence between two streamed chunks; then `504 upstream_timeout`."),
        .value("models", \.models, .list(.text(), type: "list of names or `prefix*` patterns"), kinds: [.openai], defaultText: "`[]`: every model (one catch-all route at most)",
               doc: "Models this route serves (routing.md)."),
        .section("limits", \.limits, limits),
        .optional("purpose", \.purpose, .text("a `purposes` id"), none: "none",
                  doc: "The purpose the route serves, recorded with every decision; with a consent basis each request needs `Rampart-Subject` and that subject's current consent."),
        .value("require_subject", \.requireSubject, .bool, doc: "Refuse requests without `Rampart-Subject` (`403 subject_required`)."),
        .optionalSection("guards", \.guards, make: { GuardsConfig() }, guards, kinds: [.openai], off: "no guards"),
    ]

    /// Errors name the URL's problem; a trailing `/` is dropped.
    static let upstreamCodec = ConfigCodec<String>(type: "http(s) URL", decode: { n throws(ConfigError) in
        let upstream = try n.string(nonEmpty: true)
        guard let components = URLComponents(string: upstream), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil, components.user == nil, components.password == nil
        else {
            throw n.error("invalid_value", "`\(upstream)` is not an http:// or https:// URL such as http://127.0.0.1:11434/v1")
        }
        return upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
    }, encode: { .string($0) })

    /// `set` or `NOT SET` beside an environment variable's name (never its value).
    static let environmentComment: @Sendable (String?, [String: String]) -> String? = { name, environment in
        guard let name else { return "none" }
        return environment[name]?.isEmpty == false ? "set (value hidden)" : "NOT SET"
    }
}
