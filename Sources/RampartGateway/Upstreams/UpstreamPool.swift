import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import RampartCore

/// One HTTP client per route (async-http-client, pooled keep-alive connections), configured with the route's
/// timeout as the idle-read timeout so a stalled stream is cut off.
final class UpstreamPool: Sendable {
    struct Upstream: Sendable {
        let route: RouteConfig
        let client: HTTPClient
        /// `Bearer …` from the route's `upstream_api_key_env`, read once at start; never logged.
        let authorization: String?
    }

    private let upstreams: [String: Upstream]

    init(routes: [RouteConfig], maxConnections: Int, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var upstreams: [String: Upstream] = [:]
        for route in routes {
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: .seconds(10), read: .milliseconds(Int64(route.timeoutSeconds * 1000)))
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnections)
            // A refused connection is a 502 now, not after the pool has retried until the connect timeout.
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.redirectConfiguration = .disallow
            configuration.decompression = .disabled
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let key = route.upstreamAPIKeyEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : "Bearer \($0)" }
            upstreams[route.name] = Upstream(route: route, client: client, authorization: key)
        }
        self.upstreams = upstreams
    }

    subscript(route: String) -> Upstream? { upstreams[route] }

    func shutdown() async {
        for upstream in upstreams.values { try? await upstream.client.shutdown() }
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

    /// The upstream request for `path` (relative to the route's base URL) carrying `body`.
    static func request(to upstream: Upstream, path: String, method: HTTPMethod, incoming: HTTPFields, body: ByteBuffer?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: upstream.route.upstream + path)
        request.method = method
        // Headers the client named in `Connection` are hop-by-hop too.
        let named = Set(incoming[values: .connection].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        for field in incoming where !requestHeadersDropped.contains(field.name.canonicalName) && !named.contains(field.name.canonicalName) {
            if field.name.canonicalName.hasPrefix(":") { continue }
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        if let authorization = upstream.authorization { request.headers.replaceOrAdd(name: "authorization", value: authorization) }
        if let body {
            request.headers.replaceOrAdd(name: "content-type", value: "application/json")
            request.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
            request.body = .bytes(body)
        }
        return request
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
