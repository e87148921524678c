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
