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
