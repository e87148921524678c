import Hummingbird
import RampartCore

extension RequestPipeline {
    /// Stage 9: stores `record` as `store.durability` says — committed before the answer (strict), or queued right
    /// after it (relaxed); `false` when strict and it could not be stored.
    func commit(_ record: DecisionRecord) async -> Bool {
        do {
            switch config.store.durability {
            case .strict: _ = try await decisions.append(record)
            case .relaxed: try await decisions.enqueue(record)
            }
            return true
        } catch {
            metrics.decisionWriteFailed()
            logger.error("decision record could not be stored; withholding the response", metadata: ["decision_id": "\(record.id)", "error": "\(error)"])
            return false
        }
    }

    /// Fail closed: without its record, a response is not sent (guide: traceability).
    func recordUnavailable(_ draft: DecisionDraft) -> Response {
        metrics.request(route: draft.route, status: 503, seconds: draft.elapsedSeconds, upstreamSeconds: nil)
        metrics.refusal(reason: RefusalCode.decisionRecordUnavailable.rawValue)
        return GatewayRefusal(.decisionRecordUnavailable, "the decision record could not be stored, so the response is withheld; check the store")
            .response(decisionID: draft.id)
    }
}
