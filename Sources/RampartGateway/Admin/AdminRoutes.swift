import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RampartStore

/// The admin listener: Prometheus `/metrics` and the ledger's API (consent, subjects' rights, lineage) behind an admin key
/// (`rampart keys create --admin`), plus health.
struct AdminRoutes: Sendable {
    let keys: KeyRing
    let metrics: GatewayMetrics
    let health: HealthRoutes
    let ledger: LedgerAdminRoutes

    func router() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        health.add(to: router)
        ledger.add(to: router)
        router.get("/metrics") { request, _ -> Response in
            if case .failure(let refusal) = keys.authenticate(authorization: request.headers[.authorization], scope: .admin) {
                return refusal.response(decisionID: nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        return router
    }
}
