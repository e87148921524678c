import ArgumentParser
import Foundation
import RampartProbe

/// Where the target is and how to reach it.
struct TargetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A .onnx file, or a KServe v2 model URL (http://HOST:PORT/v2/models/NAME).", valueName: "file-or-url"))
    var target: String
    @Option(help: ArgumentHelp("Environment variable holding a bearer token for the target (e.g. a Rampart client key).", valueName: "name"))
    var bearerEnv: String?
    @Option(help: "Number of classes, for targets that answer top-k.") var classes: Int?
    @Option(help: ArgumentHelp(#"A generic JSON API: the request body, with "{{rows}}" (a batch per request) or "{{row}}" (a row per request)."#,
                               valueName: "json")) var template: String?
    @Option(help: ArgumentHelp("With --template: JSON path to the labels, e.g. $.predictions[*].label.", valueName: "path")) var labelsPath: String?
    @Option(help: ArgumentHelp("With --template: JSON path to the probabilities, e.g. $.predictions[*].scores.", valueName: "path"))
    var probabilitiesPath: String?
    @Option(help: "With --template: features per row.") var features: Int?

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") || path.hasPrefix("http") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    }

    func campaign(test: String, label: String, attack: Campaign.AttackConfig, seed: UInt64) -> Campaign {
        var campaign = Campaign(seed: seed, data: .init(train: nil, test: Self.absolute(test), label: label),
                                targets: [target(Self.absolute(target))], attacks: [attack])
        campaign.folder = FileManager.default.currentDirectoryPath
        return campaign
    }

    private func target(_ url: String) -> Campaign.TargetConfig {
        var config = Campaign.TargetConfig(name: "target", url: url, bearerEnv: bearerEnv, classes: classes)
        config.template = template
        config.labels = labelsPath
        config.probabilities = probabilitiesPath
        config.features = features
        return config
    }
}

/// `--seed`, `--format`, `--output`, and running a campaign into them.
struct ReportOptions: ParsableArguments {
    @Option(help: "Seed for every random choice: the same seed gives the same report (default 0; a campaign's own seed unless given).")
    var seed: UInt64?
    @Option(help: "Output format on standard output: text or json (report.json's content).") var format: OutputFormat = .text
    @Option(help: ArgumentHelp("Folder to write report.html, report.json and junit.xml into.", valueName: "dir")) var output: String?

    /// - Parameter strict: exit 65 when the attack could not run (single-attack commands; a campaign reports it).
    func run(_ campaign: Campaign, strict: Bool = true) async throws {
        var campaign = campaign
        if let seed { campaign.seed = seed }
        let started = ContinuousClock.now
        let report: ProbeReport
        do {
            report = try await campaign.run(environment: ProcessInfo.processInfo.environment) { line in
                FileHandle.standardError.write(Data("rampart probe: \(line)\n".utf8))
            }
        } catch {
            if case .targetFailed = error { CLI.fail(error.description, code: Exit.unavailable) }
            CLI.fail(error.description, code: Exit.dataError)
        }
        if let output {
            do { try report.write(to: output) } catch { CLI.fail("cannot write the report into \(output): \(error)", code: Exit.noInput) }
        }
        if format == .json {
            print(String(decoding: (try? report.json()) ?? Data(), as: UTF8.self))
        } else {
            for result in report.results {
                if let error = result.error {
                    print("\(result.attack) against \(result.target): could not run — \(error)")
                    continue
                }
                let keys = ["success_rate", "verified_success_rate", "refused_rate", "median_l2", "median_linf", "median_queries_to_success",
                            "fidelity", "accuracy", "auc", "tpr_at_1pct_fpr", "tpr_at_0.1pct_fpr", "similarity", "identification_rate", "confidence",
                            "demographic_parity_difference", "disparate_impact", "equalized_odds_difference", "fpr_parity_difference",
                            "fnr_parity_difference", "counterfactual_flip_rate"]
                let shown = keys.compactMap { key in result.metrics[key].map { "\(key) \(ProbeReport.formatted($0))" } }
                print("\(result.attack) against \(result.target)\(result.budget.map { " (budget \($0))" } ?? ""): " + shown.joined(separator: ", "))
                for threshold in result.thresholds {
                    print("  \(threshold.passed == true ? "passed" : "FAILED"): \(threshold.description)")
                }
            }
            let seconds = (ContinuousClock.now - started)
            print("seed \(report.seed); \(report.results.count) results in \(seconds.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))"
                  + (output.map { "; report in \($0)/report.html" } ?? ""))
        }
        if strict, let error = report.results.first(where: { $0.error != nil })?.error { CLI.fail(error, code: Exit.dataError) }
        if !report.failures.isEmpty { throw ExitCode(Exit.notFound.rawValue) }
    }

}
