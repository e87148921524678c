import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import RampartCore
import RampartLedger
import RampartML
import RampartStore
import ServiceLifecycle

/// `rampart serve`: the public OpenAI-compatible listener, the admin listener, the group-committing decision
/// writer, the key refresher and the ledger keeper (decision events, retention), run together under
/// swift-service-lifecycle.
///
/// On SIGTERM/SIGINT the listeners stop accepting and drain in-flight requests first; the decision writer
/// stops last, after committing every pending record.
///
/// ```swift
/// let store = try await Store.openSQLite(path: "rampart.db")
/// let gateway = try await Gateway(config: config, store: store)
/// try await gateway.run()
/// ```
public final class Gateway: Sendable {
    public let config: RampartConfig
    public let store: Store
    public let metrics: GatewayMetrics
    let keys: KeyRing
    /// Current consent per subject and purpose, from the ledger (refreshed with the keys).
    let consents: ConsentBook
    /// The ledger, for the admin API (consent and subjects' rights).
    let ledger: Ledger
    let limiter: any RateLimiter
    let writer: DecisionWriter
    let upstreams: UpstreamPool
    /// The stages every request passes, in order.
    let pipeline: RequestPipeline
    /// OpenAI's API, for the LLM routes.
    let openai: OpenAIAdapter
    /// KServe v2, for the classifier routes (`kind: model`, `kind: kserve`).
    let kserve: KServeAdapter
    let logger: Logger

    /// Builds the gateway: loads keys and today's usage from `store`.
    public init(config: RampartConfig, store: Store, logger: Logger = Logger(label: "rampart"),
                environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        self.config = config
        self.store = store
        self.logger = logger
        let metrics = GatewayMetrics()
        self.metrics = metrics
        self.keys = KeyRing()
        try await keys.refresh(from: store)
        self.consents = ConsentBook()
        try await consents.refresh(from: store)
        let signingKey = try await Self.signingKey(config, store: store, logger: logger)
        self.ledger = try await Ledger.open(store: store, origin: config.ledger.origin, signingKey: signingKey)
        if store.isPostgres {
            // Replicas on one database share one bucket per key and route.
            self.limiter = SharedRateLimiter(store: store)
        } else {
            let limiter = InMemoryRateLimiter()
            limiter.seed(try await store.decisions.usage(since: RFC3339.startOfUTCDay(Date())), day: Date())
            self.limiter = limiter
        }
        self.writer = DecisionWriter(store: store, maxBatch: config.store.maxBatch, logger: logger) { records, seconds in
            metrics.commit(records: records, seconds: seconds)
        }
        self.upstreams = try UpstreamPool(routes: config.routes, maxConnections: config.server.upstreamMaxConnections, environment: environment)
        var guards: [String: RouteGuards] = [:]
        for route in config.routes {
            guard let routeGuards = route.guards, routeGuards.isActive else { continue }
            guards[route.name] = try RouteGuards(config: routeGuards, route: route.name, environment: environment)
        }
        self.pipeline = RequestPipeline(config: config, keys: keys, limiter: limiter, decisions: writer, metrics: metrics, logger: logger,
                                        consents: consents)
        self.openai = OpenAIAdapter(routes: RouteTable(routes: config.routes), upstreams: upstreams, guards: guards,
                                    maxUpstreamResponseBytes: config.server.maxUpstreamResponseBytes, logger: logger)
        // Classifiers run on the request's task; OpenBLAS gets one thread so it does not fight the server's own.
        BLAS.setThreads(1)
        var models: [String: ServedModel] = [:]
        for route in config.routes where route.kind == .kserve {
            guard let classifier = route.classifier, let upstream = upstreams[route.name] else { continue }
            models[route.name] = ServedModel(route: route, config: classifier, upstream: upstream)
        }
        for route in config.routes where route.kind == .model {
            guard let classifier = route.classifier else { continue }
            do {
                models[route.name] = try ServedModel(route: route, config: classifier)
            } catch let error as GatewayStartError {
                throw error
            } catch {
                throw GatewayStartError(message: "route `\(route.name)`: cannot serve \(classifier.model): \(error)")
            }
        }
        for served in models.values where served.monitor.isActive {
            let (restored, skipped) = served.monitor.restore(try await store.monitors.load(route: served.route.name))
            if restored + skipped > 0 {
                logger.notice("monitor state restored", metadata: ["route": "\(served.route.name)", "states": "\(restored)", "unreadable": "\(skipped)"])
            }
        }
        self.kserve = KServeAdapter(models: models, logger: logger)
    }

    /// The ledger's signing key: the configured file, or on SQLite the default one beside the store, created on first
    /// start so checkpoints are signed out of the box (guide: consent records "protected from tampering"). On
    /// PostgreSQL without `ledger.signing_key` the log is not signed, and the log says so.
    static func signingKey(_ config: RampartConfig, store: Store, logger: Logger) async throws -> LedgerSigningKey? {
        guard let path = config.signingKeyPath else {
            logger.warning("""
                no ledger.signing_key: checkpoints are not signed, so a rewrite of a ledger entry together with its hash would go \
                undetected; create a key with `rampart ledger keygen` and set ledger.signing_key (the same file on every replica)
                """)
            return nil
        }
        guard config.signingKeyIsDefault else { return try LedgerSigningKey.load(name: config.ledger.origin, path: path) }
        // A key is made only for a ledger that has never been signed: a missing key for signed checkpoints is a lost
        // (or removed) key, and a new one would make every earlier checkpoint fail verification — or let whoever
        // removed it re-sign a rewritten log.
        if !FileManager.default.fileExists(atPath: path), !(try await store.ledger.checkpoints().isEmpty) {
            throw GatewayStartError(message: """
                the ledger has signed checkpoints but its signing key \(path) is missing; restore it from where it was kept, or \
                set ledger.signing_key to it. Rampart will not make a new key for a log signed with another.
                """)
        }
        let (key, created) = try LedgerSigningKey.loadOrCreate(name: config.ledger.origin, path: path)
        if created {
            logger.notice("created the ledger's signing key; keep a copy outside the database's backups", metadata: [
                "path": "\(path)", "verifier_key": "\(key.verifierKey)",
            ])
        }
        return key
    }

    func publicRouter() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        let (pipeline, openai) = (self.pipeline, self.openai)
        for (path, endpoint) in [("/v1/chat/completions", OpenAIAdapter.Endpoint.chatCompletions), ("/v1/embeddings", .embeddings)] {
            router.post(RouterPath(path)) { request, _ in
                await pipeline.run(request, OpenAIAdapter.Target(endpoint: endpoint, headers: request.headers), adapter: openai)
            }
        }
        router.get("/v1/models") { request, _ in await openai.listModels(request, pipeline: pipeline) }
        kserve.add(to: router, pipeline: pipeline)
        HealthRoutes(store: store).add(to: router)
        return router
    }

    func adminRouter() -> Router<GatewayRequestContext> {
        AdminRoutes(keys: keys, metrics: metrics, health: HealthRoutes(store: store),
                    ledger: LedgerAdminRoutes(keys: keys, ledger: ledger, consents: consents, store: store, purposes: config.purposes,
                                              maxBodyBytes: config.server.maxBodyBytes)).router()
    }

    /// The services to run, in start order (they stop in reverse: listeners first, decision writer last).
    ///
    /// - Parameter onListening: called with each listener's name (`public`, `admin`) and bound port.
    public func services(onListening: @escaping @Sendable (_ listener: String, _ port: Int) async -> Void = { _, _ in }) -> [any Service] {
        let idle = HTTP1Channel.Configuration(idleTimeout: .seconds(75))
        let publicApp = Application(
            router: publicRouter(), server: .http1(configuration: idle),
            configuration: .init(address: .hostname(config.server.listen.host, port: config.server.listen.port), serverName: nil),
            onServerRunning: { channel in await onListening("public", channel.localAddress?.port ?? 0) },
            logger: logger)
        let adminApp = Application(
            router: adminRouter(), server: .http1(configuration: idle),
            configuration: .init(address: .hostname(config.server.adminListen.host, port: config.server.adminListen.port), serverName: nil),
            onServerRunning: { channel in await onListening("admin", channel.localAddress?.port ?? 0) },
            logger: logger)
        let refresher = KeyRefresher(ring: keys, consents: consents, store: store, interval: .milliseconds(Int64(config.server.keyRefreshSeconds * 1000)), logger: logger)
        // The ledger keeper stops last, after the decision writer has committed, so it records every decision.
        let keeper = LedgerKeeper(ledger: ledger, store: store, config: config, logger: logger)
        var services: [any Service] = [keeper, writer, refresher]
        let monitors = kserve.models.values.filter { $0.monitor.isActive }
        if !monitors.isEmpty {
            let seconds = monitors.compactMap { $0.config.monitorPersistSeconds }.min() ?? 10
            services.append(MonitorKeeper(monitors: monitors.map(\.monitor), store: store, interval: .milliseconds(Int64(seconds * 1000)), logger: logger))
        }
        return services + [adminApp, publicApp]
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    public func run(onListening: @escaping @Sendable (_ listener: String, _ port: Int) async -> Void = { _, _ in }) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services(onListening: onListening).map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(config.server.shutdownGraceSeconds * 1000))
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
        await upstreams.shutdown()
    }

    /// Closes the upstream clients (when the services were run by a caller's own `ServiceGroup`).
    public func shutdown() async {
        await upstreams.shutdown()
    }
}
