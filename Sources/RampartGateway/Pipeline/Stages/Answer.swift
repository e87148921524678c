import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore

extension RequestPipeline {
    /// Stages 9 and 10 for a whole answer: its digest into the record, the record committed, then the answer sent with
    /// `Rampart-Decision-Id`.
    func answer(_ reply: Reply, draft: DecisionDraft) async -> Response {
        var draft = draft
        draft.responseSHA256 = Hex.encode(SHA256.hash(data: reply.body.readableBytesView))
        guard await commit(draft.record(status: reply.status, verdict: reply.verdict, reason: reply.reason)) else { return recordUnavailable(draft) }
        finish(draft, status: reply.status, verdict: reply.verdict, reason: reply.reason)
        if let reason = reply.reason, reply.verdict == .refused { metrics.refusal(reason: reason) }
        var headers = reply.headers
        headers[.rampartDecisionID] = draft.id
        return Response(status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: reply.body))
    }

    /// Stages 9 and 10 for a refusal: recorded (verdict `refused`, or `failed` for 5xx and a client that left) with its
    /// code as the reason, and answered in the adapter's error shape.
    func answer(_ refusal: GatewayRefusal, draft: DecisionDraft) async -> Response {
        var draft = draft
        let response = refusal.response(decisionID: draft.id)
        draft.responseSHA256 = Hex.encode(SHA256.hash(data: refusal.body().readableBytesView))
        let verdict: Verdict = refusal.isFailure ? .failed : .refused
        metrics.refusal(reason: refusal.code.rawValue)
        guard await commit(draft.record(status: Int(refusal.status.code), verdict: verdict, reason: refusal.code.rawValue)) else {
            return recordUnavailable(draft)
        }
        finish(draft, status: Int(refusal.status.code), verdict: verdict, reason: refusal.code.rawValue)
        return response
    }

    /// Metrics and the access log line (ids and outcomes only: never keys, prompts or completions).
    func finish(_ draft: DecisionDraft, status: Int, verdict: Verdict, reason: String?, countRequest: Bool = true) {
        if countRequest {
            metrics.request(route: draft.route, status: status, seconds: draft.elapsedSeconds, upstreamSeconds: draft.upstreamLatencyMs.map { $0 / 1000 })
        }
        var metadata: Logger.Metadata = [
            "decision_id": "\(draft.id)", "endpoint": "\(draft.endpoint)", "status": "\(status)", "verdict": "\(verdict.rawValue)",
            "latency_ms": "\(String(format: "%.2f", draft.elapsedSeconds * 1000))",
        ]
        if let route = draft.route { metadata["route"] = "\(route)" }
        if let tenant = draft.tenant { metadata["tenant"] = "\(tenant)" }
        if let keyID = draft.keyID { metadata["key_id"] = "\(keyID)" }
        if let reason { metadata["reason"] = "\(reason)" }
        if let usage = draft.usage { metadata["total_tokens"] = "\(usage.totalTokens)" }
        logger.debug("request", metadata: metadata)
    }
}
