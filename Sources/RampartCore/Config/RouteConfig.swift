/// One entry of `routes:` — a named upstream with its limits.
public struct RouteConfig: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// An OpenAI-compatible chat/embeddings API (OpenAI, vLLM, llama.cpp server, Ollama).
        case openai
        /// A classifier Rampart runs itself from a local ONNX file, served over KServe v2.
        case model
        /// A remote KServe v2 / Open Inference Protocol server's classifier, behind the same controls.
        case kserve
    }

    public var name: String
    public var kind: Kind
    /// Base URL of the upstream API, including its version path (`http://127.0.0.1:11434/v1`).
    public var upstream: String
    /// Name of the environment variable holding the upstream's API key, sent as `Authorization: Bearer`.
    public var upstreamAPIKeyEnv: String?
    /// PEM file of the certificate authorities to trust for an https upstream, instead of the system's.
    public var upstreamCAFile: String?
    /// Seconds to wait for the upstream's response head, and at most between two streamed chunks. Default 60.
    public var timeoutSeconds: Double
    /// Models this route serves: exact names or prefixes ending in `*`. Empty: a catch-all route.
    public var models: [String]
    public var limits: RouteLimits
    /// LLM guards on this route's input and output; `nil` when the route has none.
    public var guards: GuardsConfig?
    /// The purpose (`purposes:` id) this route serves; recorded with every decision and, when its lawful basis is
    /// consent, enforced per subject.
    public var purpose: String?
    /// Refuse requests without a `Rampart-Subject` header (implied by a purpose whose lawful basis is consent).
    public var requireSubject: Bool = false
    /// `kind: model`: the classifier and its controls.
    public var classifier: ClassifierConfig?

    public init(
        name: String,
        kind: Kind = .openai,
        upstream: String,
        upstreamAPIKeyEnv: String? = nil,
        upstreamCAFile: String? = nil,
        timeoutSeconds: Double = 60,
        models: [String] = [],
        limits: RouteLimits = .init(),
        guards: GuardsConfig? = nil
    ) {
        self.name = name
        self.kind = kind
        self.upstream = upstream
        self.upstreamAPIKeyEnv = upstreamAPIKeyEnv
        self.upstreamCAFile = upstreamCAFile
        self.timeoutSeconds = timeoutSeconds
        self.models = models
        self.limits = limits
        self.guards = guards
    }

    /// Whether `model` is one this route lists (exact name, or a `prefix*` pattern).
    public func serves(model: String) -> Bool {
        models.contains { pattern in
            if pattern.hasSuffix("*") { return model.hasPrefix(pattern.dropLast()) }
            return pattern == model
        }
    }
}
