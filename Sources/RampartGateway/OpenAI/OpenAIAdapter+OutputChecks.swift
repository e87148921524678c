import HTTPTypes
import NIOCore
import RampartCore

extension OpenAIAdapter {
    /// Stage 8 on an LLM route, for a whole answer: the output guards — personal data, secrets, the system-prompt
    /// canary, data-carrying links — redact or withhold it (``StreamRelay`` does the same chunk by chunk). Error
    /// bodies from the upstream pass as they are. The answer's tokens count against the daily quota either way.
    func outputChecks(_ buffer: ByteBuffer, status: Int, headers: HTTPFields, call: Call, route: RouteConfig, requestGuard: RequestGuard?,
                      draft: inout DecisionDraft, pipeline: RequestPipeline) async throws(GatewayRefusal) -> Exchange
    {
        var buffer = buffer
        var headers = headers
        let succeeded = (200..<300).contains(status)
        if succeeded, var state = requestGuard {
            do throws(RequestGuard.Blocked) {
                if let guarded = try state.guardCompletion(buffer) {
                    buffer = guarded
                    headers[.contentLength] = nil
                }
                draft.findings = RouteGuards.capped(state.findings)
            } catch {
                draft.findings = RouteGuards.capped(state.findings)
                let usage = ResponseUsage.of(buffer, promptCharacters: call.promptCharacters)
                draft.usage = usage
                await pipeline.recordUsage(route: route.name, keyID: draft.keyID, tokens: usage.totalTokens)
                return .complete(try blocked(error.block, draft: draft, guards: state.guards.config, stream: false, pipeline: pipeline), draft)
            }
        }
        if succeeded {
            let usage = ResponseUsage.of(buffer, promptCharacters: call.promptCharacters)
            draft.usage = usage
            await pipeline.recordUsage(route: route.name, keyID: draft.keyID, tokens: usage.totalTokens)
        }
        let reason = succeeded ? nil : RefusalCode.upstreamStatus(status).rawValue
        return .complete(Reply(status: status, headers: headers, body: buffer, verdict: .allowed, reason: reason), draft)
    }
}
