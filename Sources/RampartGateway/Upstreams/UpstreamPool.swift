import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import RampartCore

/// The upstream client of every route, and the header rules for crossing the gateway.
final class UpstreamPool: Sendable {
    struct Upstream: Sendable {
        let route: RouteConfig
        let client: UpstreamClient
        /// `Bearer …` from the route's `upstream_api_key_env`, read once at start; never logged.
        let authorization: String?

        var timeout: TimeAmount { .milliseconds(Int64(route.timeoutSeconds * 1000)) }
    }

    private let upstreams: [String: Upstream]

    init(routes: [RouteConfig], maxConnections: Int, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var upstreams: [String: Upstream] = [:]
        for route in routes where route.kind != .model {
            guard let target = UpstreamClient.Target(url: route.upstream) else {
                throw GatewayStartError(message: "route `\(route.name)`: `\(route.upstream)` is not an http(s) URL with a host")
            }
            if let caFile = route.upstreamCAFile, !FileManager.default.isReadableFile(atPath: caFile) {
                throw GatewayStartError(message: "route `\(route.name)`: upstream_ca_file \(caFile) cannot be read")
            }
            let client: UpstreamClient
            do {
                client = try UpstreamClient(target: target, maxConnections: maxConnections, caFile: route.upstreamCAFile)
            } catch {
                throw GatewayStartError(message: "route `\(route.name)`: cannot set up TLS: \(error)")
            }
            let key = route.upstreamAPIKeyEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : "Bearer \($0)" }
            upstreams[route.name] = Upstream(route: route, client: client, authorization: key)
        }
        self.upstreams = upstreams
    }

    subscript(route: String) -> Upstream? { upstreams[route] }

    func shutdown() async {
        for upstream in upstreams.values { await upstream.client.shutdown() }
    }

    /// Headers never forwarded in either direction: hop-by-hop (RFC 9110 §7.6.1), framing that the gateway
    /// redoes, the caller's credentials, and Rampart's own headers (the subject id is personal data the upstream
    /// does not need — guide, "data minimization").
    static let requestHeadersDropped: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "proxy-authorization",
        "proxy-authenticate", "host", "content-length", "authorization", "expect", "accept-encoding",
        "rampart-subject", "rampart-purpose", "cookie",
    ]
    static let responseHeadersDropped: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "proxy-authenticate",
        "content-length", "date", "server", "set-cookie",
    ]

    /// The headers to send upstream for a client request carrying `incoming`.
    static func forwardHeaders(_ incoming: HTTPFields, upstream: Upstream, hasBody: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        // Headers the client named in `Connection` are hop-by-hop too.
        let named = Set(incoming[values: .connection].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        for field in incoming {
            let name = field.name.canonicalName
            if name.hasPrefix(":") || requestHeadersDropped.contains(name) || named.contains(name) { continue }
            headers.add(name: field.name.rawName, value: field.value)
        }
        if let authorization = upstream.authorization { headers.replaceOrAdd(name: "authorization", value: authorization) }
        if hasBody { headers.replaceOrAdd(name: "content-type", value: "application/json") }
        return headers
    }

    /// The upstream's response headers that go back to the client.
    static func responseHeaders(_ headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers where !responseHeadersDropped.contains(name.lowercased()) {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return fields
    }
}
