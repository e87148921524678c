import RampartCore

/// Picks the route for a request's `model` (docs/routing.md):
/// 1. `ROUTE/NAME` where ROUTE is a route's name: that route, and `NAME` is sent upstream as the model;
/// 2. else the first route (in config order) whose `models:` lists the model, exactly or as a `prefix*` pattern;
/// 3. else the catch-all route (the one route without `models:`), if there is one;
/// 4. else `404 model_not_found`.
///
/// Routing never depends on the caller's key: a key that may not use the chosen route gets `403`, so a
/// misconfiguration shows as an error, not as a silent detour to another upstream.
struct RouteTable: Sendable {
    let routes: [RouteConfig]
    private let catchAll: RouteConfig?

    init(routes: [RouteConfig]) {
        self.routes = routes.filter { $0.kind == .openai }
        self.catchAll = self.routes.first { $0.models.isEmpty }
    }

    /// The route and the model name to send upstream.
    func select(model: String) -> (route: RouteConfig, upstreamModel: String)? {
        if let slash = model.firstIndex(of: "/") {
            let name = model[..<slash]
            let rest = model[model.index(after: slash)...]
            if !rest.isEmpty, let route = routes.first(where: { $0.name == name }) { return (route, String(rest)) }
        }
        if let route = routes.first(where: { $0.serves(model: model) }) { return (route, model) }
        if let catchAll { return (catchAll, model) }
        return nil
    }
}
