// Rampart's configuration: `rampart.yaml` decoded into plain `Sendable` values.
// Every default below is documented in docs/configuration.md; keep the two in step.

/// The whole of `rampart.yaml`.
public struct RampartConfig: Sendable, Equatable {
    public var server: ServerConfig
    public var store: StoreConfig
    public var ledger: LedgerConfig
    /// Why personal data is processed, each with its lawful basis (guide: use limitation and purpose specification).
    public var purposes: [PurposeConfig]
    public var routes: [RouteConfig]

    public init(server: ServerConfig = .init(), store: StoreConfig = .init(), ledger: LedgerConfig = .init(), purposes: [PurposeConfig] = [],
                routes: [RouteConfig] = []) {
        self.server = server
        self.store = store
        self.ledger = ledger
        self.purposes = purposes
        self.routes = routes
    }

    /// The purpose called `id`, if declared.
    public func purpose(_ id: String) -> PurposeConfig? {
        purposes.first { $0.id == id }
    }

    /// The route called `name`, if any.
    public func route(named name: String) -> RouteConfig? {
        routes.first { $0.name == name }
    }
}

/// A `host:port` pair a listener binds to.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `"127.0.0.1:8080"`, `"[::1]:8080"` or `"localhost:0"` (port 0 picks a free port).
    public init?(parsing text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { return nil }  // bare IPv6 must be bracketed
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (0...65535).contains(port) else { return nil }
        self.host = String(hostPart)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// `server:` — the listeners and request limits.
public struct ServerConfig: Sendable, Equatable {
    /// Public listener (OpenAI-compatible API). Default `127.0.0.1:8080`.
    public var listen: ListenAddress
    /// Admin listener (metrics, health, admin API). Default `127.0.0.1:8081`. Must differ from `listen`.
    public var adminListen: ListenAddress
    /// Largest request body accepted, in bytes; larger bodies get `413`. Default 1 MiB.
    public var maxBodyBytes: Int
    /// Largest upstream response body buffered for a non-streamed call, in bytes; larger ones get `502`. Default 16 MiB.
    public var maxUpstreamResponseBytes: Int
    /// How often the gateway re-reads API keys from the store, so that `rampart keys revoke`
    /// run elsewhere takes effect. Default 1 second.
    public var keyRefreshSeconds: Double
    /// Most idle keep-alive connections kept per upstream and event loop (more are opened as load needs). Default 256.
    public var upstreamMaxConnections: Int
    /// How long graceful shutdown waits for in-flight requests before giving up. Default 30 seconds.
    public var shutdownGraceSeconds: Double

    public init(
        listen: ListenAddress = .init(host: "127.0.0.1", port: 8080),
        adminListen: ListenAddress = .init(host: "127.0.0.1", port: 8081),
        maxBodyBytes: Int = 1_048_576,
        maxUpstreamResponseBytes: Int = 16_777_216,
        keyRefreshSeconds: Double = 1,
        upstreamMaxConnections: Int = 256,
        shutdownGraceSeconds: Double = 30
    ) {
        self.listen = listen
        self.adminListen = adminListen
        self.maxBodyBytes = maxBodyBytes
        self.maxUpstreamResponseBytes = maxUpstreamResponseBytes
        self.keyRefreshSeconds = keyRefreshSeconds
        self.upstreamMaxConnections = upstreamMaxConnections
        self.shutdownGraceSeconds = shutdownGraceSeconds
    }
}

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

/// `ledger:` — the tamper-evident log (docs/ledger.md).
public struct LedgerConfig: Sendable, Equatable {
    /// The log's name, first line of every checkpoint and the signing key's name (C2SP signed note: no spaces,
    /// no `+`). Default `rampart/ledger`.
    public var origin: String
    /// PKCS#8 PEM Ed25519 private key that signs checkpoints, relative to the config file's folder; kept outside the
    /// database. Default none: the ledger appends and verifies but cannot sign.
    public var signingKey: String?
    /// Whether `rampart serve` records every decision record as a ledger event. Default true.
    public var recordDecisions: Bool
    /// How often `rampart serve` appends the new decision records to the ledger, seconds. Default 1.
    public var decisionsIntervalSeconds: Double
    /// How often `rampart serve` applies the purposes' `retention_days`, seconds. Default 3600 (and once at start).
    public var retentionIntervalSeconds: Double
    /// How often `rampart serve` signs a checkpoint when the log has grown (needs `signing_key`), seconds. Default 300;
    /// 0 turns it off.
    public var checkpointIntervalSeconds: Double

    public init(origin: String = "rampart/ledger", signingKey: String? = nil, recordDecisions: Bool = true, decisionsIntervalSeconds: Double = 1,
                retentionIntervalSeconds: Double = 3600, checkpointIntervalSeconds: Double = 300) {
        self.checkpointIntervalSeconds = checkpointIntervalSeconds
        self.origin = origin
        self.signingKey = signingKey
        self.recordDecisions = recordDecisions
        self.decisionsIntervalSeconds = decisionsIntervalSeconds
        self.retentionIntervalSeconds = retentionIntervalSeconds
    }

    /// A log name a signed note accepts: non-empty, printable, no whitespace, no `+`.
    public static func isValidOrigin(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && $0 != "+" && !$0.properties.isWhitespace }
    }
}

/// One entry of `purposes:` — a purpose of processing, declared before any data is used for it (GDPR Art. 5(1)(b),
/// the guide's "use limitation and purpose specification").
public struct PurposeConfig: Sendable, Equatable {
    /// The six lawful bases of GDPR Art. 6(1).
    public enum LawfulBasis: String, Sendable, Equatable, CaseIterable {
        case consent
        case contract
        case legalObligation = "legal_obligation"
        case vitalInterests = "vital_interests"
        case publicTask = "public_task"
        case legitimateInterests = "legitimate_interests"
    }

    public var id: String
    public var description: String
    public var lawfulBasis: LawfulBasis
    /// Categories of personal data the purpose uses (`contact`, `conversation`, `health`, …).
    public var dataCategories: [String]
    /// How long events for this purpose are kept; `nil` keeps them.
    public var retentionDays: Int?

    public init(id: String, description: String = "", lawfulBasis: LawfulBasis, dataCategories: [String] = [], retentionDays: Int? = nil) {
        self.id = id
        self.description = description
        self.lawfulBasis = lawfulBasis
        self.dataCategories = dataCategories
        self.retentionDays = retentionDays
    }
}

/// One entry of `routes:` — a named upstream with its limits.
public struct RouteConfig: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// An OpenAI-compatible chat/embeddings API (OpenAI, vLLM, llama.cpp server, Ollama).
        case openai
        /// A classifier Rampart runs itself from a local ONNX file, served over KServe v2.
        case model
        /// A remote KServe v2 / Open Inference Protocol server's classifier, behind the same controls.
        case kserve
    }

    public var name: String
    public var kind: Kind
    /// Base URL of the upstream API, including its version path (`http://127.0.0.1:11434/v1`).
    public var upstream: String
    /// Name of the environment variable holding the upstream's API key, sent as `Authorization: Bearer`.
    public var upstreamAPIKeyEnv: String?
    /// PEM file of the certificate authorities to trust for an https upstream, instead of the system's.
    public var upstreamCAFile: String?
    /// Seconds to wait for the upstream's response head, and at most between two streamed chunks. Default 60.
    public var timeoutSeconds: Double
    /// Models this route serves: exact names or prefixes ending in `*`. Empty: a catch-all route.
    public var models: [String]
    public var limits: RouteLimits
    /// LLM guards on this route's input and output; `nil` when the route has none.
    public var guards: GuardsConfig?
    /// The purpose (`purposes:` id) this route serves; recorded with every decision and, when its lawful basis is
    /// consent, enforced per subject.
    public var purpose: String?
    /// Refuse requests without a `Rampart-Subject` header (implied by a purpose whose lawful basis is consent).
    public var requireSubject: Bool = false
    /// `kind: model`: the classifier and its controls.
    public var classifier: ClassifierConfig?

    public init(
        name: String,
        kind: Kind = .openai,
        upstream: String,
        upstreamAPIKeyEnv: String? = nil,
        upstreamCAFile: String? = nil,
        timeoutSeconds: Double = 60,
        models: [String] = [],
        limits: RouteLimits = .init(),
        guards: GuardsConfig? = nil
    ) {
        self.name = name
        self.kind = kind
        self.upstream = upstream
        self.upstreamAPIKeyEnv = upstreamAPIKeyEnv
        self.upstreamCAFile = upstreamCAFile
        self.timeoutSeconds = timeoutSeconds
        self.models = models
        self.limits = limits
        self.guards = guards
    }

    /// Whether `model` is one this route lists (exact name, or a `prefix*` pattern).
    public func serves(model: String) -> Bool {
        models.contains { pattern in
            if pattern.hasSuffix("*") { return model.hasPrefix(pattern.dropLast()) }
            return pattern == model
        }
    }
}

/// `limits:` of a route, applied per API key ("throttling and monitoring model access", guide §
/// "Model attacks: extraction"). Each is off when absent.
/// A classifier route (`kind: model`): the ONNX file, the value ranges its inputs accept, and what its answers reveal.
public struct ClassifierConfig: Sendable, Equatable {
    /// How much of the model's confidence an answer carries — the guide's "excluding confidence from the output"
    /// against model theft (extraction), membership inference and model inversion.
    public enum Confidence: Sendable, Equatable {
        /// Every class's probability.
        case full
        /// The `k` most probable classes, with their probabilities.
        case topK(Int)
        /// Every probability rounded to `digits` decimals.
        case round(Int)
        /// The label only: no probabilities at all.
        case label
    }

    /// What a monitor does when it raises an alert: refuse the request, or only record the alert.
    public enum MonitorAction: String, Sendable, Equatable, CaseIterable {
        case block
        case flag
    }

    /// `monitor.evasion`: stateful detection of query-based evasion (Blacklight-style query hashing), per client.
    public struct EvasionMonitor: Sendable, Equatable {
        public var action: MonitorAction = .block
        /// Quantization step as a fraction of the input's declared range (absolute when the route declares none).
        public var quantization: Double = 0.1
        public var window: Int = 20
        public var hashes: Int = 20
        public var threshold: Int = 10
        public var history: Int = 1000
        public init() {}
    }

    /// `monitor.extraction`: PRADA's test of a client's query distances, per client.
    public struct ExtractionMonitor: Sendable, Equatable {
        public var action: MonitorAction = .flag
        public var delta: Double = 0.9
        public var minimum: Int = 20
        public var perClass: Int = 200
        public var distances: Int = 500
        public init() {}
    }

    /// `smoothing`: randomized smoothing of the label (Cohen et al. 2019 PREDICT), with abstention.
    public struct Smoothing: Sendable, Equatable {
        public var sigma: Double
        public var samples: Int = 100
        public var alpha: Double = 0.001
        public init(sigma: Double, samples: Int = 100, alpha: Double = 0.001) {
            self.sigma = sigma
            self.samples = samples
            self.alpha = alpha
        }
    }

    /// The `.onnx` file (relative paths are resolved against the config file's folder); empty for `kind: kserve`.
    public var model: String
    /// `kind: kserve`: the model's name on the remote server (default: the route's name).
    public var upstreamModel: String?
    /// Declared value ranges per input tensor: a value outside is refused with 400 naming the tensor and index.
    public var inputRanges: [String: ClosedRange<Double>]
    public var confidence: Confidence
    public var evasion: EvasionMonitor?
    public var extraction: ExtractionMonitor?
    /// Clients (key and subject) whose monitor state is kept; the least recently seen are forgotten beyond it.
    public var monitorMaxClients: Int = 10_000
    /// How often monitor state is written to the store (and at shutdown), so it survives restarts.
    public var monitorPersistSeconds: Double = 10
    public var smoothing: Smoothing?

    public init(model: String, inputRanges: [String: ClosedRange<Double>] = [:], confidence: Confidence = .label) {
        self.model = model
        self.inputRanges = inputRanges
        self.confidence = confidence
    }
}

public struct RouteLimits: Sendable, Equatable {
    /// Token-bucket refill rate, requests per second.
    public var ratePerSecond: Double?
    /// Token-bucket capacity. Defaults to `max(1, ceil(rate_per_second))` when only a rate is given.
    public var burst: Int?
    /// Requests admitted per key per UTC day.
    public var requestsPerDay: Int?
    /// Tokens (prompt + completion, from the upstream's `usage`) per key per UTC day.
    public var tokensPerDay: Int?

    public init(ratePerSecond: Double? = nil, burst: Int? = nil, requestsPerDay: Int? = nil, tokensPerDay: Int? = nil) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.requestsPerDay = requestsPerDay
        self.tokensPerDay = tokensPerDay
    }

    public var isUnlimited: Bool { ratePerSecond == nil && requestsPerDay == nil && tokensPerDay == nil }
}
