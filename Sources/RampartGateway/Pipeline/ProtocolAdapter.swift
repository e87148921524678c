import HTTPTypes
import Hummingbird
import NIOCore
import RampartCore

/// A protocol the gateway speaks on its public listener (OpenAI's API, KServe v2): it decodes requests into the
/// pipeline's terms, supplies the stages that depend on the route's kind (input checks, upstream, output checks) and
/// writes the answers back. Adapters never call each other; the pipeline (``RequestPipeline``) owns the order.
protocol ProtocolAdapter: Sendable {
    /// Which of the adapter's endpoints a request is for (with what its path names).
    associatedtype Target: Sendable
    /// A request decoded far enough to know its route.
    associatedtype Routed: Sendable
    /// A request decoded and validated for its route.
    associatedtype Call: Sendable

    /// The shape refusals are written in.
    var refusalShape: GatewayRefusal.Shape { get }

    /// The endpoint the decision record names.
    func endpoint(_ target: Target) -> String

    /// Stage 3: the route the request is for. Nothing here may depend on the route's configuration beyond its name.
    func route(_ target: Target, body: ByteBuffer, draft: inout DecisionDraft) async throws(GatewayRefusal) -> (RouteConfig, Routed)

    /// Stage 3, once the key may use the route: the request validated for it.
    func decode(_ routed: Routed, route: RouteConfig, draft: inout DecisionDraft) async throws(GatewayRefusal) -> Call

    /// A request that only describes the route (its metadata) is answered with this, right after stage 3.
    func description(of call: Call) -> Reply?

    /// What the request counts against the route's daily quota before it runs (rows on a classifier route; an LLM
    /// route's tokens are counted after the answer).
    func rows(of call: Call) -> Int

    /// Stages 6–8: input checks, upstream, output checks.
    func exchange(_ call: Call, route: RouteConfig, key: APIKeyRecord, draft: inout DecisionDraft, pipeline: RequestPipeline)
        async throws(GatewayRefusal) -> Exchange
}

/// An answer to send after the decision record is committed: status, headers, body, and what the record says.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: ByteBuffer
    var verdict: Verdict
    var reason: String?

    /// A JSON body, allowed.
    static func json(_ text: String) -> Reply {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Reply(status: 200, headers: headers, body: ByteBuffer(string: text), verdict: .allowed, reason: nil)
    }
}

/// How stages 6–8 ended.
enum Exchange: Sendable {
    /// A whole answer: the pipeline records it (stage 9) and sends it (stage 10), with the draft as the stages left it.
    case complete(Reply, DecisionDraft)
    /// A stream already under way, whose record the adapter commits through the pipeline when it ends.
    case streaming(Response)
}
