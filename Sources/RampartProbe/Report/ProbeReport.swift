import Foundation

/// One report for a probe run — a single attack or a whole campaign — in the shape `report.json` documents
/// (docs/probe.md): the seed, the targets, and one result per attack and target with named metrics, curves for the
/// charts, and the thresholds CI checks.
public struct ProbeReport: Sendable, Equatable, Codable {
    public struct Target: Sendable, Equatable, Codable {
        public var name: String
        public var url: String
        /// What the target revealed: `label`, `top_K`, `rounded_D` or `probabilities`.
        public var outputKind: String?

        public init(name: String, url: String, outputKind: String? = nil) {
            self.name = name
            self.url = url
            self.outputKind = outputKind
        }

        enum CodingKeys: String, CodingKey {
            case name, url
            case outputKind = "output_kind"
        }
    }

    /// A chart's series: (x, y) points.
    public struct Curve: Sendable, Equatable, Codable {
        public var name: String
        public var x: String
        public var y: String
        public var points: [[Double]]

        public init(name: String, x: String, y: String, points: [[Double]]) {
            self.name = name
            self.x = x
            self.y = y
            self.points = points
        }
    }

    /// A small grey-scale picture (row-major, values in [0, 1]) — e.g. a class mean next to what model inversion
    /// recovered of it, when the features are the pixels of a square image.
    public struct Image: Sendable, Equatable, Codable {
        public var name: String
        public var width: Int
        public var height: Int
        public var pixels: [Double]

        public init(name: String, width: Int, height: Int, pixels: [Double]) {
            self.name = name
            self.width = width
            self.height = height
            self.pixels = pixels
        }
    }

    /// A bound on a metric ("extraction fidelity at 1 000 queries must stay below 0.5").
    public struct Threshold: Sendable, Equatable, Codable {
        public var metric: String
        public var max: Double?
        public var min: Double?
        /// nil until checked; false also when the metric is missing.
        public var passed: Bool?

        public init(metric: String, max: Double? = nil, min: Double? = nil, passed: Bool? = nil) {
            self.metric = metric
            self.max = max
            self.min = min
            self.passed = passed
        }

        public var description: String {
            [min.map { "\(metric) ≥ \(format($0))" }, max.map { "\(metric) ≤ \(format($0))" }].compactMap { $0 }.joined(separator: " and ")
        }
    }

    public struct Result: Sendable, Equatable, Codable {
        public var attack: String
        /// The guide's risk the attack measures (e.g. `evasion`, `model theft`, `membership inference`).
        public var risk: String
        public var target: String
        public var budget: Int?
        public var metrics: [String: Double]
        public var curves: [Curve]
        /// Pictures to show with the result (absent from the JSON when none).
        public var images: [Image]?
        public var thresholds: [Threshold]
        /// Set when the attack could not run against this target (e.g. scores required, labels given).
        public var error: String?
        public var seconds: Double

        public init(attack: String, risk: String, target: String, budget: Int?, metrics: [String: Double], curves: [Curve] = [],
                    images: [Image]? = nil, thresholds: [Threshold] = [], error: String? = nil, seconds: Double) {
            self.attack = attack
            self.risk = risk
            self.target = target
            self.budget = budget
            self.metrics = metrics
            self.curves = curves
            self.images = images
            self.thresholds = thresholds
            self.error = error
            self.seconds = seconds
        }

        /// Checks every threshold against the metrics.
        public mutating func check() {
            for i in thresholds.indices {
                guard let value = metrics[thresholds[i].metric] else { thresholds[i].passed = false; continue }
                thresholds[i].passed = (thresholds[i].max.map { value <= $0 } ?? true) && (thresholds[i].min.map { value >= $0 } ?? true)
            }
        }
    }

    public var rampart: String
    public var seed: UInt64
    public var created: String
    public var targets: [Target]
    public var results: [Result]

    public init(rampart: String = "0.1.0", seed: UInt64, created: Date = Date(), targets: [Target], results: [Result]) {
        self.rampart = rampart
        self.seed = seed
        let formatter = ISO8601DateFormatter()
        self.created = formatter.string(from: created)
        self.targets = targets
        self.results = results
    }

    /// Thresholds that failed, with their result.
    public var failures: [(result: Result, threshold: Threshold)] {
        results.flatMap { result in result.thresholds.filter { $0.passed == false }.map { (result, $0) } }
    }

    /// Writes `report.json`, `report.html` and `junit.xml` into `directory` (created if needed).
    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let folder = URL(fileURLWithPath: directory)
        try json().write(to: folder.appendingPathComponent("report.json"))
        try Data(html().utf8).write(to: folder.appendingPathComponent("report.html"))
        try Data(junit().utf8).write(to: folder.appendingPathComponent("junit.xml"))
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}

extension ProbeReport {
    /// A number for people, as the reports and the command line print it.
    public static func formatted(_ value: Double) -> String { format(value) }
}

/// A number for people: up to 4 significant digits, no trailing zeros.
func format(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "–" : (value > 0 ? "∞" : "−∞") }
    if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
    let text = String(format: "%.4g", value)
    return text
}
