import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import RampartCore
import RampartGateway
import RampartStore
import RampartStoreTesting
import RampartTesting
import ServiceLifecycle
import Synchronization

/// Runs a real gateway on loopback in front of the mock OpenAI upstream, with a real SQLite file or PostgreSQL server.
struct GatewayHarness {
    let gatewayPort: Int
    let adminPort: Int
    let upstreamPort: Int
    let mock: MockOpenAIUpstream
    let store: Store
    let client: HTTPClient
    let clientKey: String
    let clientKeyID: String
    let adminKey: String
    let logs: LogCapture

    var base: String { "http://127.0.0.1:\(gatewayPort)" }

    static let upstreamSecret = "sk-upstream-test-secret"

    /// Starts mock upstream and gateway, runs `body`, then shuts both down gracefully.
    static func run(
        routes: [RouteConfig]? = nil,
        keyRoutes: [String] = ["chat"],
        configure: (inout RampartConfig) -> Void = { _ in },
        backend: TestBackend = .sqlite,
        location: TestStoreLocation? = nil,
        _ body: (GatewayHarness) async throws -> Void
    ) async throws {
        let mock = MockOpenAIUpstream()
        let portBox = PortBox()
        let upstreamApp = Application(router: mock.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                      onServerRunning: { channel in await portBox.set("upstream", channel.localAddress?.port ?? 0) })
        let upstreamGroup = ServiceGroup(configuration: .init(services: [upstreamApp], logger: Logger(label: "mock")))
        let upstreamTask = Task { try await upstreamGroup.run() }
        let upstreamPort = try await portBox.wait("upstream")

        let place = try location ?? backend.makeLocation()
        var config = RampartConfig(
            server: .init(listen: .init(host: "127.0.0.1", port: 0), adminListen: .init(host: "127.0.0.1", port: 0), keyRefreshSeconds: 0.1),
            store: place.config,
            routes: routes ?? [RouteConfig(name: "chat", upstream: "http://127.0.0.1:\(upstreamPort)/v1", upstreamAPIKeyEnv: "TEST_UPSTREAM_KEY", timeoutSeconds: 5)])
        config.routes = config.routes.map { route in
            var route = route
            route.upstream = route.upstream.replacingOccurrences(of: "UPSTREAM_PORT", with: String(upstreamPort))
            return route
        }
        configure(&config)

        let store = try await place.open()
        let (clientKey, clientRecord) = APIKeyFormat.generate(tenant: "acme", routes: keyRoutes, scope: .client)
        try await store.keys.insert(clientRecord)
        let (adminKey, adminRecord) = APIKeyFormat.generate(tenant: "ops", routes: [], scope: .admin)
        try await store.keys.insert(adminRecord)

        let logs = LogCapture()
        var logger = Logger(label: "rampart") { label in JSONLogHandler(label: label, level: .debug, sink: { logs.append($0) }) }
        logger.logLevel = .debug
        let gateway = try await Gateway(config: config, store: store, logger: logger, environment: ["TEST_UPSTREAM_KEY": upstreamSecret])
        let gatewayGroup = ServiceGroup(configuration: .init(
            services: gateway.services { name, port in await portBox.set(name, port) }, logger: logger))
        let gatewayTask = Task { try await gatewayGroup.run() }
        let gatewayPort = try await portBox.wait("public")
        let adminPort = try await portBox.wait("admin")

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let harness = GatewayHarness(gatewayPort: gatewayPort, adminPort: adminPort, upstreamPort: upstreamPort, mock: mock, store: store,
                                     client: client, clientKey: clientKey, clientKeyID: clientRecord.id, adminKey: adminKey, logs: logs)
        var failure: (any Error)?
        do {
            try await body(harness)
        } catch {
            failure = error
        }
        try? await client.shutdown()
        await gatewayGroup.triggerGracefulShutdown()
        try? await gatewayTask.value
        await gateway.shutdown()
        await upstreamGroup.triggerGracefulShutdown()
        try? await upstreamTask.value
        await store.close()
        if location == nil { place.remove() }
        if let failure { throw failure }
    }

    struct Reply {
        let status: Int
        let headers: HTTPHeaders
        let body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorParam: String? { (json["error"] as? [String: Any])?["param"] as? String }
        var decisionID: String? { headers.first(name: "rampart-decision-id") }
    }

    /// One request to the gateway (or `port`), with the client key unless `key` says otherwise.
    func send(_ method: HTTPMethod = .POST, _ path: String, body: String? = nil, key: String?? = nil, headers: [(String, String)] = [],
              port: Int? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port ?? gatewayPort)\(path)")
        request.method = method
        let presented: String? = key ?? clientKey
        if let presented { request.headers.add(name: "Authorization", value: "Bearer \(presented)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
    }

    /// A streamed chat request to the gateway, with extra (mock-steering) headers.
    func streamRequest(_ headers: [(String, String)]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "\(base)/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(clientKey)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: Self.chatBody(stream: true)))
        return request
    }

    static func chatBody(model: String = "mock-small", content: String = "hello there", stream: Bool = false, extra: String = "") -> String {
        #"{"model":"\#(model)","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"\#(content)"}]\#(stream ? #","stream":true"# : "")\#(extra)}"#
    }

    /// The decision record for `id`, waiting briefly for relaxed writes.
    func record(_ id: String?) async throws -> DecisionRecord? {
        guard let id else { return nil }
        for _ in 0..<50 {
            if let record = try await store.decisions.find(id: id) { return record }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

/// Collects log lines for assertions.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: String { lines.withLock { $0.joined() } }
}

/// Hands bound ports from `onServerRunning` to the test.
actor PortBox {
    private var ports: [String: Int] = [:]
    private var waiters: [String: [CheckedContinuation<Int, Never>]] = [:]

    func set(_ name: String, _ port: Int) {
        ports[name] = port
        for waiter in waiters.removeValue(forKey: name) ?? [] { waiter.resume(returning: port) }
    }

    func wait(_ name: String) async throws -> Int {
        if let port = ports[name] { return port }
        return await withCheckedContinuation { waiters[name, default: []].append($0) }
    }
}
