import RampartCore

extension RequestPipeline {
    /// Stage 7's failures, as the client is told them: the upstream did not answer in time, answered too much, not in
    /// HTTP/1.1, or not at all. The adapters run the upstream itself (`OpenAI/OpenAIAdapter+Upstream.swift`,
    /// `KServe/KServeAdapter.swift` through ``ServedModel``).
    static func upstreamFailure(_ error: any Error, route: RouteConfig) -> GatewayRefusal {
        switch (error as? UpstreamError)?.kind {
        case .timeout:
            GatewayRefusal(.upstreamTimeout, "route `\(route.name)`'s upstream did not answer within \(route.timeoutSeconds) s")
        case .tooLarge:
            GatewayRefusal(.upstreamResponseTooLarge, "the upstream's response is larger than max_upstream_response_bytes")
        case .protocolError:
            GatewayRefusal(.upstreamProtocolError, "route `\(route.name)`'s upstream did not answer in HTTP/1.1")
        default:
            GatewayRefusal(.upstreamUnreachable, "route `\(route.name)`'s upstream could not be reached or broke off the response")
        }
    }
}
