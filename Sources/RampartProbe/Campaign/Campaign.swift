import Foundation
import RampartCore
import RampartML
import Yams

/// A campaign (`rampart probe campaign --config campaign.yaml`, docs/probe.md): a set of attacks run against one or
/// more targets — typically the bare model and the same model behind `rampart serve` with its controls — into one
/// report, each number next to the same attack's number on the other targets: the closed loop.
public struct Campaign: Sendable, Equatable, Decodable {
    public struct DataFiles: Sendable, Equatable, Decodable {
        /// Rows the target was trained on: membership inference's members.
        public var train: String?
        /// Rows it was not: evasion samples, the extraction pool (first half) and its held-out half, non-members.
        public var test: String
        public var label: String?

        public init(train: String?, test: String, label: String?) {
            self.train = train
            self.test = test
            self.label = label
        }
    }

    public struct TargetConfig: Sendable, Equatable, Decodable {
        public var name: String
        /// A `.onnx` file (white-box, local) or a KServe v2 model URL (`http://host:port/v2/models/NAME`).
        public var url: String
        /// Environment variable holding a bearer token (e.g. a Rampart client key); never written to a report.
        public var bearerEnv: String?
        /// One such variable per attack, in order — a fresh client for each, as a real attacker would use several
        /// accounts: Rampart's monitors keep state per client, so a client one attack got flagged is refused by the
        /// next. The last is reused when there are fewer than attacks.
        public var bearerEnvs: [String]?
        /// Class count, for targets that answer top-k.
        public var classes: Int?
        /// A generic JSON API instead of KServe v2: the request template (with `"{{rows}}"` or `"{{row}}"`), the
        /// JSON paths to the labels and/or probabilities, and the number of features.
        public var template: String?
        public var labels: String?
        public var probabilities: String?
        public var features: Int?

        public init(name: String, url: String, bearerEnv: String? = nil, bearerEnvs: [String]? = nil, classes: Int? = nil) {
            self.name = name
            self.url = url
            self.bearerEnv = bearerEnv
            self.bearerEnvs = bearerEnvs
            self.classes = classes
        }

        enum CodingKeys: String, CodingKey {
            case name, url, classes, template, labels, probabilities, features
            case bearerEnv = "bearer_env"
            case bearerEnvs = "bearer_envs"
        }
    }

    public struct AttackConfig: Sendable, Equatable, Decodable {
        /// `hopskipjump`, `simba`, `square`, `fgsm`, `pgd`, `extraction`, `equation-solving`, `membership`, `inversion`
        /// or `fairness`.
        public var attack: String
        public var norm: Norm?
        public var samples: Int?
        public var budget: Int?
        public var epsilon: Float?
        public var budgets: [Int]?
        public var queries: SurrogateExtraction.Queries?
        public var shadows: Int?
        /// Membership inference over every target at once (the LiRA paper's protocol): each target is a model trained
        /// the same way on the rows whose `member_<target name>` column in data.test is 1; each is attacked with the
        /// others as its shadows, and the scores are pooled into one ROC.
        public var pooled: Bool?
        /// Inversion: `white-box` (the model file's gradients; the default for a local target) or `black-box` (scores
        /// only; the default for an endpoint), and the white-box gradient steps.
        public var access: ModelInversion.Access?
        public var steps: Int?
        /// Fairness: the sensitive column of the data, and the favourable decision (default 1).
        public var sensitive: String?
        public var favorable: Int?
        public var thresholds: [ProbeReport.Threshold]?

        public init(attack: String, norm: Norm? = nil, samples: Int? = nil, budget: Int? = nil, epsilon: Float? = nil, budgets: [Int]? = nil,
                    queries: SurrogateExtraction.Queries? = nil, shadows: Int? = nil, thresholds: [ProbeReport.Threshold]? = nil) {
            self.attack = attack
            self.norm = norm
            self.samples = samples
            self.budget = budget
            self.epsilon = epsilon
            self.budgets = budgets
            self.queries = queries
            self.shadows = shadows
            self.thresholds = thresholds
        }
    }

    public var seed: UInt64
    public var data: DataFiles
    public var targets: [TargetConfig]
    public var attacks: [AttackConfig]
    /// The folder relative paths are resolved against.
    public var folder = "."

    enum CodingKeys: String, CodingKey { case seed, data, targets, attacks }

    public init(seed: UInt64, data: DataFiles, targets: [TargetConfig], attacks: [AttackConfig]) {
        self.seed = seed
        self.data = data
        self.targets = targets
        self.attacks = attacks
    }

    public static let attackNames = ["hopskipjump", "simba", "square", "fgsm", "pgd", "extraction", "equation-solving", "membership", "inversion", "fairness"]

    /// Checks the numbers a campaign file or the command line gives: positive, and small enough to hold in memory.
    public func validate(_ where: String) throws(ProbeError) {
        for (i, attack) in attacks.enumerated() {
            let field = "\(`where`)attacks[\(i)]"
            guard Self.attackNames.contains(attack.attack) else {
                throw .unsuitableTarget("\(field).attack: \(attack.attack) is not one of \(Self.attackNames.joined(separator: ", "))")
            }
            if let budget = attack.budget, !(2...10_000_000).contains(budget) { throw .unsuitableTarget("\(field).budget must be between 2 and 10000000") }
            if let samples = attack.samples, !(1...100_000).contains(samples) { throw .unsuitableTarget("\(field).samples must be between 1 and 100000") }
            if let shadows = attack.shadows, !(2...1024).contains(shadows) { throw .unsuitableTarget("\(field).shadows must be between 2 and 1024") }
            if let budgets = attack.budgets, budgets.isEmpty || !budgets.allSatisfy({ (1...10_000_000).contains($0) }) {
                throw .unsuitableTarget("\(field).budgets must list budgets between 1 and 10000000")
            }
            if let epsilon = attack.epsilon, !(epsilon.isFinite && epsilon > 0) { throw .unsuitableTarget("\(field).epsilon must be a number above 0") }
            if let steps = attack.steps, !(1...100_000).contains(steps) { throw .unsuitableTarget("\(field).steps must be between 1 and 100000") }
            if let favorable = attack.favorable, !(0..<1_000_000).contains(favorable) { throw .unsuitableTarget("\(field).favorable must be a class from 0 to 999999") }
            if attack.attack == "fairness", (attack.sensitive ?? "").isEmpty {
                throw .unsuitableTarget("\(field): fairness needs sensitive, the data's column to compare groups by (e.g. sensitive: sex)")
            }
            if attack.pooled == true, attack.attack != "membership" {
                throw .unsuitableTarget("\(field).pooled applies to membership inference only")
            }
            if attack.attack == "membership", attack.pooled == true, targets.count < 3 {
                throw .unsuitableTarget("\(field): pooled membership inference needs at least 3 targets (each is the others' shadow)")
            }
            if attack.attack == "membership", attack.pooled != true, data.train == nil {
                throw .unsuitableTarget("\(field): membership inference needs data.train (the members)")
            }
        }
        for (i, target) in targets.enumerated() {
            if let classes = target.classes, !(2...100_000).contains(classes) { throw .unsuitableTarget("\(`where`)targets[\(i)].classes must be between 2 and 100000") }
            if let features = target.features, !(1...(1 << 24)).contains(features) { throw .unsuitableTarget("\(`where`)targets[\(i)].features must be between 1 and 16777216") }
        }
    }

    /// Reads and checks a campaign file; errors name the field.
    public static func load(path: String) throws(ProbeError) -> Campaign {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .unsuitableTarget("cannot read the campaign file \(path) (does it exist, and is it UTF-8?)")
        }
        guard text.utf8.count <= 1 << 20 else { throw .unsuitableTarget("\(path): a campaign file is at most 1 MiB") }
        var campaign: Campaign
        do {
            campaign = try YAMLDecoder().decode(Campaign.self, from: text)
        } catch let error as DecodingError {
            throw .unsuitableTarget("\(path): \(Self.describe(error))")
        } catch {
            throw .unsuitableTarget("\(path): not valid YAML: \(error)")
        }
        campaign.folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard !campaign.targets.isEmpty else { throw .unsuitableTarget("\(path): targets: list at least one target") }
        guard !campaign.attacks.isEmpty else { throw .unsuitableTarget("\(path): attacks: list at least one attack") }
        let names = campaign.targets.map(\.name)
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw .unsuitableTarget("\(path): targets: the name \(duplicate) is used twice")
        }
        try campaign.validate("\(path): ")
        return campaign
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the top level" : String(keys.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue) is missing".replacingOccurrences(of: "the top level.", with: "")
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    func resolve(_ file: String) -> String { file.hasPrefix("/") ? file : (folder as NSString).appendingPathComponent(file) }

    /// A target from its config (the token read from the environment given).
    public static func connect(_ config: TargetConfig, attack: Int = 0, folder: String = ".", environment: [String: String]) async throws(ProbeError) -> any ProbeTarget {
        if config.url.hasPrefix("http://") || config.url.hasPrefix("https://") {
            var options = HTTPOptions()
            let variables = config.bearerEnvs ?? []
            if let variable = variables.isEmpty ? config.bearerEnv : variables[Swift.min(attack, variables.count - 1)] {
                guard let token = environment[variable], !token.isEmpty else {
                    throw .unsuitableTarget("target \(config.name): the environment variable \(variable) (bearer_env) is not set")
                }
                // Named, never shown: a token with a stray newline (from a .env file) would otherwise reach an error.
                guard token.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F }) else {
                    throw .unsuitableTarget("target \(config.name): the token in \(variable) holds spaces or control characters (a trailing newline?)")
                }
                options.headers.append((name: "Authorization", value: "Bearer \(token)"))
            }
            if let template = config.template {
                guard let features = config.features else { throw .unsuitableTarget("target \(config.name): a JSON target (template) needs features") }
                return try JSONTarget(url: config.url, features: features, template: template, labels: config.labels,
                                      probabilities: config.probabilities, options: options)
            }
            return try await KServeTarget(url: config.url, options: options, classes: config.classes)
        }
        let path = config.url.hasPrefix("/") ? config.url : (folder as NSString).appendingPathComponent(config.url)
        do { return try LocalModelTarget(path: path) } catch let error as ProbeError { throw error } catch {
            throw .unsuitableTarget("target \(config.name): cannot load \(path): \(error)")
        }
    }

    /// Runs every attack against every target, in order; an attack that cannot run against a target (labels only
    /// where scores are needed, the target refusing) becomes a result with `error`, not a failed campaign.
    public func run(environment: [String: String],
                    progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(ProbeError) -> ProbeReport {
        try validate("")
        let label = data.label ?? "label"
        let test: Dataset, train: Dataset?
        do {
            // Pooled membership inference reads which rows each target trained on from member_<name> columns.
            let flags = attacks.contains { $0.attack == "membership" && $0.pooled == true } ? self.targets.map { "member_\($0.name)" } : []
            test = try Dataset.load(csv: resolve(data.test), label: label, extra: flags)
            train = try data.train.map { file throws(Dataset.LoadError) in try Dataset.load(csv: resolve(file), label: label) }
        } catch { throw .unsuitableTarget(error.description) }
        var targets: [(TargetConfig, any ProbeTarget)] = []
        for config in self.targets {
            targets.append((config, try await Self.connect(config, folder: folder, environment: environment)))
        }
        var results: [ProbeReport.Result] = []
        func record(_ produced: [ProbeReport.Result], _ attack: AttackConfig) {
            for var result in produced {
                result.thresholds = attack.thresholds ?? []
                result.check()
                results.append(result)
            }
        }
        var kinds: [String: String] = [:]
        for (i, attack) in attacks.enumerated() {
            for (t, (config, _)) in targets.enumerated() where i > 0 && (config.bearerEnvs?.count ?? 0) > i {
                targets[t].1 = try await Self.connect(config, attack: i, folder: folder, environment: environment)
            }
            if attack.attack == "membership", attack.pooled == true {
                progress("[\(i + 1)/\(attacks.count)] membership inference pooled over \(targets.count) targets")
                let started = ContinuousClock.now
                let name = "pooled (\(targets.count) models)"
                var produced: [ProbeReport.Result]
                do {
                    let membership = targets.map { config, _ in test.extra["member_\(config.name)"]!.map { $0 != 0 } }
                    let report = try await MembershipInference.pooled(targets: targets.map(\.1), data: test, membership: membership, seed: seed) { done, total in
                        progress("      membership: \(done)/\(total) models answered")
                    }
                    produced = report.results(target: name)
                } catch {
                    produced = [Self.failure(error, attack: attack, target: name, started: started)]
                }
                record(produced, attack)
                continue
            }
            for (config, target) in targets {
                progress("[\(i + 1)/\(attacks.count)] \(attack.attack) against \(config.name)")
                let started = ContinuousClock.now
                var produced: [ProbeReport.Result]
                do {
                    produced = try await run(attack, target: target, name: config.name, test: test, train: train, kinds: &kinds) { done, total, unit in
                        progress("      \(attack.attack) against \(config.name): \(done)/\(total) \(unit)")
                    }
                } catch {
                    produced = [Self.failure(error, attack: attack, target: config.name, started: started)]
                }
                record(produced, attack)
            }
        }
        return ProbeReport(seed: seed, targets: self.targets.map { ProbeReport.Target(name: $0.name, url: Self.display($0.url), outputKind: kinds[$0.name]) },
                           results: results)
    }

    /// The result of an attack that could not run against a target.
    static func failure(_ error: ProbeError, attack: AttackConfig, target: String, started: ContinuousClock.Instant) -> ProbeReport.Result {
        ProbeReport.Result(attack: attack.attack, risk: risk(attack.attack), target: target, budget: attack.budget, metrics: [:],
                           error: error.description, seconds: (ContinuousClock.now - started).seconds)
    }

    /// A URL for a report: without user info or query, where credentials sometimes travel.
    static func display(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.scheme != nil else { return url }
        if components.user != nil || components.password != nil { components.user = nil; components.password = nil }
        if components.query != nil { components.query = "…" }
        return components.string ?? url
    }

    static func risk(_ attack: String) -> String {
        switch attack {
        case "extraction", "equation-solving": "model theft"
        case "membership": "membership inference"
        case "inversion": "model inversion"
        case "fairness": "fairness"
        default: "evasion"
        }
    }

    private func run(_ attack: AttackConfig, target: any ProbeTarget, name: String, test: Dataset, train: Dataset?,
                     kinds: inout [String: String],
                     progress: @escaping @Sendable (Int, Int, String) -> Void) async throws(ProbeError) -> [ProbeReport.Result] {
        switch attack.attack {
        case "hopskipjump", "simba", "square":
            let kind: BlackBoxEvasion.Attack = switch attack.attack {
            case "hopskipjump": .hopSkipJump(HopSkipJump(norm: attack.norm ?? .l2))
            case "simba": .simba(SimBA(epsilon: attack.epsilon ?? 0.2))
            default: .square(Square(epsilon: attack.epsilon ?? 0.1))
            }
            let report = try await BlackBoxEvasion.run(kind, target: target, x: test.rows, labels: test.labels, limit: attack.samples ?? 10,
                                                       budget: attack.budget ?? 1000, seed: seed) { progress($0, $1, "rows") }
            kinds[name] = kinds[name] ?? report.outputKind
            return [report.result(target: name)]
        case "fgsm", "pgd":
            guard let local = target as? LocalModelTarget else {
                throw .unsuitableTarget("\(attack.attack) is white-box: it needs the model file (url: a .onnx path), not an endpoint")
            }
            return [try WhiteBoxEvasion.result(attack.attack, local, data: test, limit: attack.samples ?? 10, norm: attack.norm ?? .linf,
                                               epsilon: attack.epsilon ?? (attack.norm == .l2 ? 1 : 0.1), seed: seed, target: name)]
        case "extraction":
            let half = (test.count + 1) / 2
            let report = try await SurrogateExtraction.run(target: target, pool: test.slice(0..<half), evaluation: test.slice(half..<test.count),
                                                           budgets: attack.budgets ?? [50, 100, 250, 450], queries: attack.queries ?? .kcenter,
                                                           seed: seed) { progress($0, $1, "budgets") }
            kinds[name] = kinds[name] ?? report.outputKind
            return [report.result(target: name)]
        case "equation-solving":
            let oracle = Oracle(target: BatchingTarget(target), budget: attack.budget ?? (target.features + 1))
            let result = await EquationSolving.result(oracle, evaluation: test.slice(((test.count + 1) / 2)..<test.count), seed: seed, target: name)
            if let error = result.error, result.metrics.isEmpty { throw .unsuitableTarget(error) }
            return [result]
        case "inversion":
            // The class means come from the private training rows when the campaign has them; the prior from the test rows.
            let members = train ?? test
            let local = target as? LocalModelTarget
            switch attack.access ?? (local == nil ? .blackBox : .whiteBox) {
            case .whiteBox:
                guard let local else { throw .unsuitableTarget("white-box inversion needs the model file (url: a .onnx path); use access: black-box for an endpoint") }
                var options = ModelInversion.Options()
                options.steps = attack.steps ?? options.steps
                return [try await ModelInversion.whiteBox(local, auxiliary: test, members: members, options: options) { progress($0, $1, "steps") }
                    .result(target: name)]
            case .blackBox:
                let report = try await ModelInversion.blackBox(target: target, auxiliary: test, members: members, budget: attack.budget ?? 2000,
                                                               seed: seed) { progress($0, $1, "steps") }
                kinds[name] = kinds[name] ?? report.outputKind
                return [report.result(target: name)]
            }
        case "fairness":
            let report = try await FairnessAudit.run(target: target, data: test, sensitive: attack.sensitive ?? "", favorable: attack.favorable ?? 1,
                                                     limit: attack.samples) { progress($0, $1, "rows") }
            kinds[name] = kinds[name] ?? report.outputKind
            return [report.result(target: name)]
        default:
            let report = try await MembershipInference.run(target: target, members: train!, nonMembers: test, shadows: attack.shadows ?? 16,
                                                           seed: seed) { progress($0, $1, "shadow models") }
            kinds[name] = kinds[name] ?? report.outputKind
            return report.results(target: name)
        }
    }
}
