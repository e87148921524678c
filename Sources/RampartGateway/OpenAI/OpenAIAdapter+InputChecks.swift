import NIOCore
import RampartCore

extension OpenAIAdapter {
    /// Stage 6 on an LLM route: the input guards — prompt injection (direct, and indirect in `tool` messages), personal
    /// data, secrets, invisible characters — block, redact, strip or flag (docs/guards.md).
    /// A rewritten request replaces the body; a blocked one is answered as `block_response` says (the returned reply).
    func inputChecks(_ call: inout Call, requestGuard: inout RequestGuard?, draft: inout DecisionDraft, pipeline: RequestPipeline)
        throws(GatewayRefusal) -> Reply?
    {
        var guarded = false
        if var state = requestGuard {
            do throws(RequestGuard.Blocked) {
                var rewritten: JSONValue?
                if let chat = call.chat { rewritten = try state.guardChat(chat) }
                if let embeddings = call.embeddings { rewritten = try state.guardEmbeddings(embeddings) }
                if let rewritten {
                    call.json = rewritten
                    guarded = true
                }
                requestGuard = state
            } catch {
                draft.findings = RouteGuards.capped(state.findings)
                return try blocked(error.block, draft: draft, guards: state.guards.config, stream: call.stream, pipeline: pipeline)
            }
            draft.findings = RouteGuards.capped(state.findings)
        }
        if call.upstreamModel != call.model || call.injectUsage || guarded {
            call.body = Self.rewrite(call.json, model: call.upstreamModel != call.model ? call.upstreamModel : nil, includeUsage: call.injectUsage)
        }
        return nil
    }
}
