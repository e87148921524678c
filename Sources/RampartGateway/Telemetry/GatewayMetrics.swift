import Foundation
import Prometheus

/// The gateway's Prometheus metrics (served on the admin listener at `/metrics`): requests by route and status,
/// latency histograms for the gateway and the upstream, refusals by reason, and group-commit sizes.
/// Each gateway has its own registry, so several can run in one process (tests).
public final class GatewayMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    public init() {}

    func request(route: String?, status: Int, seconds: Double, upstreamSeconds: Double?) {
        let route = route ?? "none"
        registry.makeCounter(name: "rampart_requests_total", labels: [("route", route), ("status", String(status))],
                             help: "Requests answered by the gateway, by route and HTTP status.").increment()
        registry.makeValueHistogram(name: "rampart_request_duration_seconds", labels: [("route", route)], buckets: Self.latencyBuckets,
                                    help: "Time from request to response head in the gateway, including the upstream.").record(seconds)
        if let upstreamSeconds {
            registry.makeValueHistogram(name: "rampart_upstream_duration_seconds", labels: [("route", route)], buckets: Self.latencyBuckets,
                                        help: "Time the upstream took to answer (to its response head).").record(upstreamSeconds)
        }
    }

    func refusal(reason: String) {
        registry.makeCounter(name: "rampart_refusals_total", labels: [("reason", reason)],
                             help: "Requests refused or failed by the gateway, by reason.").increment()
    }

    func guardBlock(stage: String, guardName: String) {
        registry.makeCounter(name: "rampart_guard_blocks_total", labels: [("stage", stage), ("guard", guardName)],
                             help: "Requests and responses stopped by an LLM guard, by stage and guard.").increment()
    }

    func commit(records: Int, seconds: Double) {
        registry.makeValueHistogram(name: "rampart_decision_commit_size", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
                                    help: "Decision records written per group commit.").record(Double(records))
        registry.makeValueHistogram(name: "rampart_decision_commit_seconds", buckets: Self.latencyBuckets,
                                    help: "Time one group commit of decision records took.").record(seconds)
    }

    func decisionWriteFailed() {
        registry.makeCounter(name: "rampart_decision_write_failures_total", help: "Responses withheld because their decision record could not be stored.").increment()
    }

    /// The exposition text.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}
