import Foundation
import RampartCore

/// A decision record being filled in as a request moves along the gateway's path.
struct DecisionDraft: Sendable {
    let id: String
    let time: Date
    let startNanos: UInt64
    var endpoint: String
    var tenant: String?
    var keyID: String?
    var route: String?
    var model: String?
    var subject: String?
    var purpose: String?
    var stream = false
    var upstreamLatencyMs: Double?
    var usage: TokenUsage?
    var requestSHA256: String?
    var responseSHA256: String?
    var findings: [Finding] = []

    init(endpoint: String) {
        let now = Date()
        self.id = TimeOrderedID.make(at: now)
        self.time = now
        self.startNanos = DispatchTime.now().uptimeNanoseconds
        self.endpoint = endpoint
    }

    var elapsedSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - startNanos) / 1e9 }

    func record(status: Int, verdict: Verdict, reason: String?) -> DecisionRecord {
        DecisionRecord(
            id: id, time: time, tenant: tenant, keyID: keyID, route: route, model: model, endpoint: endpoint, subject: subject,
            purpose: purpose, status: status, verdict: verdict, reason: reason, stream: stream, upstreamLatencyMs: upstreamLatencyMs,
            gatewayLatencyMs: elapsedSeconds * 1000, usage: usage, requestSHA256: requestSHA256, responseSHA256: responseSHA256,
            findings: findings)
    }
}
