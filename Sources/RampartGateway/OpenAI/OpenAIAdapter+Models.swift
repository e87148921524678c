import Crypto
import HTTPTypes
import Hummingbird
import NIOCore
import RampartCore

extension OpenAIAdapter {
    /// `GET /v1/models`: the models the key may use — each route's `models:`, and what a catch-all route's upstream
    /// lists — as OpenAI's model list. It describes routes and runs no model, so after authentication it goes straight
    /// to the decision record and the answer.
    func listModels(_ request: Request, pipeline: RequestPipeline) async -> Response {
        var draft = DecisionDraft(endpoint: "/v1/models")
        do {
            let key = try pipeline.authenticate(request.headers, draft: &draft)
            var entries: [(id: String, owner: String)] = []
            var seen = Set<String>()
            for route in routes.routes where key.mayUse(route: route.name) {
                var names = route.models.filter { !$0.hasSuffix("*") }
                if route.models.isEmpty || route.models.contains(where: { $0.hasSuffix("*") }) {
                    names += await upstreamModels(route)
                }
                for name in names {
                    // List a name as-is when it routes here, else in its explicit `route/name` form.
                    let id = routes.select(model: name)?.route.name == route.name ? name : "\(route.name)/\(name)"
                    if seen.insert(id).inserted { entries.append((id, route.name)) }
                }
            }
            var json = #"{"object":"list","data":["#
            json += entries.map { #"{"id":"# + JSONValue.quote($0.id) + #","object":"model","created":0,"owned_by":"# + JSONValue.quote($0.owner) + "}" }
                .joined(separator: ",")
            json += "]}"
            return await pipeline.answer(.json(json), draft: draft)
        } catch {
            return await pipeline.answer(error, draft: draft)
        }
    }

    /// Model ids a catch-all route's upstream lists at `GET …/models`; empty when it cannot say.
    private func upstreamModels(_ route: RouteConfig) async -> [String] {
        guard let upstream = upstreams[route.name] else { return [] }
        do {
            let response = try await upstream.client.execute(
                method: .GET, path: "/models", headers: UpstreamPool.forwardHeaders([:], upstream: upstream, hasBody: false), body: nil,
                mode: .collect(maxBytes: 4 << 20), headTimeout: .seconds(5), idleTimeout: .seconds(5))
            guard response.status == 200, case .complete(let body) = response.body else { return [] }
            return (try JSONValue.parse(body.readableBytesView))["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        } catch {
            logger.warning("could not list the upstream's models", metadata: ["route": "\(route.name)", "error": "\(type(of: error))"])
            return []
        }
    }
}
