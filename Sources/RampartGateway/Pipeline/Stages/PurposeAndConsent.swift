import Foundation
import RampartCore

extension RequestPipeline {
    /// Stage 5, the guide's purpose specification and consent, per request: the route's purpose is recorded with the
    /// decision; a route whose purpose rests on consent (or that requires a subject) needs `Rampart-Subject`, and that
    /// subject's consent for the purpose must be current — read from the in-memory consent book — with no objection.
    func checkPurposeAndConsent(route: RouteConfig, draft: inout DecisionDraft) throws(GatewayRefusal) {
        guard let purposeID = route.purpose else {
            if route.requireSubject, draft.subject == nil { throw Self.subjectRequired(route) }
            return
        }
        if let asked = draft.purpose, asked != purposeID {
            throw GatewayRefusal(.purposeNotServed, "route `\(route.name)` serves purpose `\(purposeID)`, not `\(asked.prefix(64))` (Rampart-Purpose)")
        }
        draft.purpose = purposeID
        // One lookup per request: the subject's standing for the purpose (objection first, whatever the basis).
        let standing = draft.subject.map { consents.standing(subject: $0, purpose: purposeID, now: Date()) }
        if standing == .objected {
            throw GatewayRefusal(.objectionRecorded, "the subject has objected to processing for purpose `\(purposeID)`")
        }
        let basis = config.purpose(purposeID)?.lawfulBasis
        guard route.requireSubject || basis == .consent else { return }
        guard draft.subject != nil else { throw Self.subjectRequired(route) }
        if basis == .consent, standing != .consented {
            throw GatewayRefusal(.consentRequired,
                                 "the subject has not given consent for purpose `\(purposeID)`, or has withdrawn it; record it with `rampart ledger consent give`")
        }
    }

    private static func subjectRequired(_ route: RouteConfig) -> GatewayRefusal {
        GatewayRefusal(.subjectRequired, "route `\(route.name)` needs a Rampart-Subject header: a pseudonymous id of the person the request is about")
    }
}
