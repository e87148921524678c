import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RampartStore

/// Health for load balancers and orchestrators: `/healthz` (the process serves) and `/readyz` (the store answers).
/// Served on both listeners, without authentication.
struct HealthRoutes: Sendable {
    let store: Store

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/healthz") { _, _ in
            Self.json(.ok, #"{"status":"ok"}"#)
        }
        router.get("/readyz") { _, _ in
            await store.ping() ? Self.json(.ok, #"{"status":"ready"}"#) : Self.json(.serviceUnavailable, #"{"status":"store unreachable"}"#)
        }
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
