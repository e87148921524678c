/// `limits:` of a route, applied per API key ("throttling and monitoring model access", guide §
/// "Model attacks: extraction"). Each is off when absent.
/// A classifier route (`kind: model`): the ONNX file, the value ranges its inputs accept, and what its answers reveal.
public struct ClassifierConfig: Sendable, Equatable {
    /// How much of the model's confidence an answer carries — the guide's "excluding confidence from the output"
    /// against model theft (extraction), membership inference and model inversion.
    public enum Confidence: Sendable, Equatable {
        /// Every class's probability.
        case full
        /// The `k` most probable classes, with their probabilities.
        case topK(Int)
        /// Every probability rounded to `digits` decimals.
        case round(Int)
        /// The label only: no probabilities at all.
        case label
    }

    /// What a monitor does when it raises an alert: refuse the request, or only record the alert.
    public enum MonitorAction: String, Sendable, Equatable, CaseIterable {
        case block
        case flag
    }

    /// `monitor.evasion`: stateful detection of query-based evasion (Blacklight-style query hashing), per client.
    public struct EvasionMonitor: Sendable, Equatable {
        public var action: MonitorAction = .block
        /// Quantization step as a fraction of the input's declared range (absolute when the route declares none).
        public var quantization: Double = 0.1
        public var window: Int = 20
        public var hashes: Int = 20
        public var threshold: Int = 10
        public var history: Int = 1000
        public init() {}
    }

    /// `monitor.extraction`: PRADA's test of a client's query distances, per client.
    public struct ExtractionMonitor: Sendable, Equatable {
        public var action: MonitorAction = .flag
        public var delta: Double = 0.9
        public var minimum: Int = 20
        public var perClass: Int = 200
        public var distances: Int = 500
        public init() {}
    }

    /// `smoothing`: randomized smoothing of the label (Cohen et al. 2019 PREDICT), with abstention.
    public struct Smoothing: Sendable, Equatable {
        public var sigma: Double
        public var samples: Int = 100
        public var alpha: Double = 0.001
        public init(sigma: Double, samples: Int = 100, alpha: Double = 0.001) {
            self.sigma = sigma
            self.samples = samples
            self.alpha = alpha
        }
    }

    /// The `.onnx` file (relative paths are resolved against the config file's folder); empty for `kind: kserve`.
    public var model: String
    /// `kind: kserve`: the model's name on the remote server (default: the route's name).
    public var upstreamModel: String?
    /// Declared value ranges per input tensor: a value outside is refused with 400 naming the tensor and index.
    public var inputRanges: [String: ClosedRange<Double>]
    public var confidence: Confidence
    public var evasion: EvasionMonitor?
    public var extraction: ExtractionMonitor?
    /// Clients (key and subject) whose monitor state is kept; the least recently seen are forgotten beyond it.
    public var monitorMaxClients: Int = 10_000
    /// How often monitor state is written to the store (and at shutdown), so it survives restarts.
    public var monitorPersistSeconds: Double = 10
    public var smoothing: Smoothing?

    public init(model: String, inputRanges: [String: ClosedRange<Double>] = [:], confidence: Confidence = .label) {
        self.model = model
        self.inputRanges = inputRanges
        self.confidence = confidence
    }
}
