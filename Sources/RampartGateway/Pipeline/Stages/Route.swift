import RampartCore

extension RequestPipeline {
    /// Stage 3, between the adapter's two halves: the key must be allowed to use the route the request picked
    /// (routing never depends on the key, so a misconfiguration shows as this error, not as a detour).
    func allow(_ key: APIKeyRecord, on route: RouteConfig, draft: inout DecisionDraft) throws(GatewayRefusal) {
        draft.route = route.name
        guard key.mayUse(route: route.name) else {
            throw GatewayRefusal(.routeNotAllowed, "this API key may not use route `\(route.name)`; create a key with `--routes \(route.name)`")
        }
    }
}
