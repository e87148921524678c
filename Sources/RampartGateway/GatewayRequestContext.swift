import Hummingbird

/// Per-request context for the gateway's routers.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The gateway reads bodies itself, with `max_body_bytes`.
    public var maxUploadSize: Int { .max }
}
