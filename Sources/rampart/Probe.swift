import ArgumentParser
import Foundation
import RampartProbe

extension Rampart {
    struct Probe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attack a classifier — a local .onnx file or a KServe v2 endpoint — and measure how far an attacker gets.",
            discussion: """
                The red team for the guide's model attacks (docs/probe.md): evasion (HopSkipJump, SimBA, Square, FGSM,
                PGD), model theft (surrogate training, equation-solving), membership inference (threshold, LiRA) and model
                inversion — and a fairness audit of the model's decisions. Point a
                campaign at the bare model and at the same model behind `rampart serve` to see each control's effect
                in one report:
                  rampart probe campaign --config examples/probe/campaign.yaml --output probe-report
                Every run is reproducible from its --seed. Budgets count rows (model evaluations).
                Exit codes: 0 done, every threshold met · 1 a threshold failed · 64 bad command line ·
                65 invalid campaign, data or target (e.g. scores needed, labels given) · 69 target unreachable or failing.
                """,
            subcommands: [CampaignCommand.self, Evasion.self, Extraction.self, Membership.self, Inversion.self, Fairness.self])

        struct CampaignCommand: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "campaign",
                abstract: "Run the attacks of a campaign file against each of its targets, into one report.",
                discussion: "Example: rampart probe campaign --config examples/probe/campaign.yaml --output probe-report")

            @Option(help: ArgumentHelp("The campaign file (YAML).", valueName: "file")) var config: String
            @OptionGroup var output: ReportOptions

            func run() async throws {
                let campaign: Campaign
                do { campaign = try Campaign.load(path: config) } catch { CLI.fail(error.description, code: Exit.dataError) }
                try await output.run(campaign, strict: false)
            }
        }

        struct Evasion: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Evasion: find small changes that flip the target's decision (HopSkipJump needs labels only; SimBA and Square scores; FGSM and PGD the model file).",
                discussion: """
                    Attacks the first --samples rows of --data the target classifies correctly, each with its own budget.
                    Example: rampart probe evasion --target examples/models/digits_mlp.onnx --data examples/data/digits_test.csv --attack hopskipjump --budget 1000
                    """)

            @OptionGroup var target: TargetOptions
            @Option(help: ArgumentHelp("CSV with a header, feature columns and a label column.", valueName: "file")) var data: String
            @Option(help: "The label column.") var label = "label"
            @Option(help: "hopskipjump, simba, square, or (white-box, on a .onnx target) fgsm or pgd.") var attack = "hopskipjump"
            @Option(help: "Norm of HopSkipJump (default l2), FGSM and PGD (default linf): l2 or linf.") var norm: Norm?
            @Option(help: "Step (SimBA, default 0.2), L∞ radius (Square, default 0.1) or ε-ball (FGSM/PGD, default 0.1 in L∞, 1 in L2).")
            var epsilon: Float?
            @Option(help: "Rows to attack.") var samples = 10
            @Option(help: "Queries per attacked row.") var budget = 1000
            @OptionGroup var output: ReportOptions

            func run() async throws {
                guard ["hopskipjump", "simba", "square", "fgsm", "pgd"].contains(attack) else {
                    throw ValidationError("--attack must be hopskipjump, simba, square, fgsm or pgd")
                }
                let attack = Campaign.AttackConfig(attack: attack, norm: norm, samples: samples, budget: budget, epsilon: epsilon)
                try await output.run(target.campaign(test: data, label: label, attack: attack, seed: output.seed ?? 0))
            }
        }

        struct Extraction: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Model theft: copy the target from its answers (surrogate training, or equation-solving for linear models).",
                discussion: """
                    The first half of --data is the thief's pool, the second half measures fidelity (agreement with the target).
                    Example: rampart probe extraction --target examples/models/digits_mlp.onnx --data examples/data/digits_test.csv --budgets 50,100,250,450
                    """)

            @OptionGroup var target: TargetOptions
            @Option(help: ArgumentHelp("CSV with a header, feature columns and a label column.", valueName: "file")) var data: String
            @Option(help: "The label column.") var label = "label"
            @Option(help: "surrogate or equation-solving.") var method = "surrogate"
            @Option(help: ArgumentHelp("Query budgets to measure, comma-separated.", valueName: "n,n,…")) var budgets = "50,100,250,450"
            @Option(help: "Surrogate queries: kcenter (pool rows, farthest-first), natural (pool rows, random order) or uniform (noise).")
            var queries: SurrogateExtraction.Queries = .kcenter
            @OptionGroup var output: ReportOptions

            func run() async throws {
                let list = budgets.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !list.isEmpty, list.allSatisfy({ ($0 ?? 0) > 0 }) else { throw ValidationError("--budgets must be positive integers, e.g. 50,100,250") }
                guard ["surrogate", "equation-solving"].contains(method) else { throw ValidationError("--method must be surrogate or equation-solving") }
                let attack = Campaign.AttackConfig(attack: method == "surrogate" ? "extraction" : "equation-solving", budgets: list.compactMap { $0 }, queries: queries)
                try await output.run(target.campaign(test: data, label: label, attack: attack, seed: output.seed ?? 0))
            }
        }

        struct Membership: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Membership inference: tell the target's training rows from others (threshold, LiRA offline and online).",
                discussion: """
                    --members are rows the target was trained on, --non-members rows it was not: the ground truth the ROC is measured against.
                    Example: rampart probe membership --target examples/models/digits_mlp.onnx --members examples/data/digits_train.csv --non-members examples/data/digits_test.csv
                    """)

            @OptionGroup var target: TargetOptions
            @Option(help: ArgumentHelp("CSV of training rows.", valueName: "file")) var members: String
            @Option(help: ArgumentHelp("CSV of rows not trained on.", valueName: "file")) var nonMembers: String
            @Option(help: "The label column.") var label = "label"
            @Option(help: "Shadow models LiRA trains.") var shadows = 16
            @OptionGroup var output: ReportOptions

            func run() async throws {
                guard shadows >= 2 else { throw ValidationError("--shadows must be at least 2") }
                var campaign = target.campaign(test: nonMembers, label: label, attack: Campaign.AttackConfig(attack: "membership", shadows: shadows), seed: output.seed ?? 0)
                campaign.data.train = members
                try await output.run(campaign)
            }
        }

        struct Inversion: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Model inversion: reconstruct what each class's training data looks like, from the model (white-box) or its scores (black-box).",
                discussion: """
                    Starts every class from the mean of --data (what inputs look like in general) and climbs the target's
                    probability of the class. Scored by similarity to the class means of --members (the private rows; --data
                    when not given): 1 is the class mean itself, 0 no information. A .onnx target is attacked white-box
                    unless --access black-box; an endpoint needs scores (a label-only endpoint stops the attack).
                    Example: rampart probe inversion --target examples/models/digits_mlp.onnx --data examples/data/digits_test.csv --members examples/data/digits_train.csv --output inversion-report
                    """)

            @OptionGroup var target: TargetOptions
            @Option(help: ArgumentHelp("The attacker's CSV: its mean is the starting point.", valueName: "file")) var data: String
            @Option(help: ArgumentHelp("CSV of the training rows whose class means measure the reconstructions (default: --data).", valueName: "file"))
            var members: String?
            @Option(help: "The label column.") var label = "label"
            @Option(help: "white-box (needs a .onnx target; its default) or black-box (an endpoint's default).") var access: ModelInversion.Access?
            @Option(help: "Black-box queries per class.") var budget = 2000
            @Option(help: "White-box gradient steps per class.") var steps = 300
            @OptionGroup var output: ReportOptions

            func run() async throws {
                var attack = Campaign.AttackConfig(attack: "inversion", budget: budget)
                attack.access = access
                attack.steps = steps
                var campaign = target.campaign(test: data, label: label, attack: attack, seed: output.seed ?? 0)
                campaign.data.train = members.map { TargetOptions.absolute($0) }
                try await output.run(campaign)
            }
        }

        struct Fairness: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Fairness: compare the target's decisions across the groups of a sensitive column (parity, equalized odds, counterfactual flips).",
                discussion: """
                    --data is labelled and has the --sensitive column, either as one of the model's inputs (then every row
                    is asked again with only that value changed, and decision changes are counted) or as one column more
                    than the model takes (set aside before asking). Labels suffice: it works through the gateway too.
                    Example: rampart probe fairness --target examples/models/diabetes_logreg.onnx --data examples/data/diabetes_test.csv --sensitive sex
                    """)

            @OptionGroup var target: TargetOptions
            @Option(help: ArgumentHelp("CSV with a header, feature columns, the sensitive column and a label column.", valueName: "file")) var data: String
            @Option(help: "The label column.") var label = "label"
            @Option(help: ArgumentHelp("The sensitive column (e.g. sex).", valueName: "column")) var sensitive: String
            @Option(help: "The favourable decision's class.") var favorable = 1
            @Option(help: "Audit at most this many rows (default: all).") var samples: Int?
            @OptionGroup var output: ReportOptions

            func run() async throws {
                var attack = Campaign.AttackConfig(attack: "fairness", samples: samples)
                attack.sensitive = sensitive
                attack.favorable = favorable
                try await output.run(target.campaign(test: data, label: label, attack: attack, seed: output.seed ?? 0))
            }
        }
    }
}

extension Norm: ExpressibleByArgument {}
extension SurrogateExtraction.Queries: ExpressibleByArgument {}
extension ModelInversion.Access: ExpressibleByArgument {}
