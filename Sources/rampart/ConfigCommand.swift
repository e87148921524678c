import ArgumentParser
import Foundation
import RampartCore
import RampartLedger

extension Rampart {
    struct ConfigCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config",
            abstract: "Check or print rampart.yaml.",
            subcommands: [Check.self, Show.self, Reference.self])
    }
}

extension Rampart.ConfigCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate rampart.yaml without serving.",
            discussion: "Exits 0 when the config is valid and the files it names (the store's folder, the ledger's key, CA files, model files) are usable; otherwise prints the key path, line and column of the first problem and exits 65 (66 when the config file cannot be read).")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() throws {
            let config = try options.load()
            // What the file alone cannot tell: the files it names must be usable on this machine.
            let folder = (config.store.sqlite as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            if config.store.postgres == nil, !folder.isEmpty, !(FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue) {
                CLI.fail("\(options.config): store.sqlite: folder \(folder) does not exist", code: Exit.dataError)
            }
            // The configured key must load; the default one is checked once `rampart serve` has made it.
            if let key = config.signingKeyPath, !config.signingKeyIsDefault || FileManager.default.fileExists(atPath: key) {
                do { _ = try LedgerSigningKey.load(name: config.ledger.origin, path: key) } catch {
                    CLI.fail("\(options.config): ledger.signing_key: \(error)", code: Exit.dataError)
                }
            }
            for (index, route) in config.routes.enumerated() {
                if let ca = route.upstreamCAFile, !FileManager.default.isReadableFile(atPath: ca) {
                    CLI.fail("\(options.config): routes[\(index)].upstream_ca_file: \(ca) cannot be read", code: Exit.dataError)
                }
                if route.kind == .model, let model = route.classifier?.model, !FileManager.default.isReadableFile(atPath: model) {
                    CLI.fail("\(options.config): routes[\(index)].model: \(model) cannot be read", code: Exit.dataError)
                }
            }
            switch format {
            case .text:
                print("\(options.config): ok — \(config.routes.count) route(s): \(config.routes.map(\.name).joined(separator: ", "))")
            case .json:
                struct Output: Encodable {
                    let ok: Bool
                    let file: String
                    let routes: [String]
                }
                CLI.printJSON(Output(ok: true, file: options.config, routes: config.routes.map(\.name)))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective config: every key, with its default where the file does not set it.",
            discussion: """
                The output is YAML that loads back to the same config (paths are shown resolved against the config file's
                folder). Secrets never appear in rampart.yaml, only the names of the environment variables that hold them;
                whether each variable is set is shown, never its value. Keys that do not apply to a route's kind are left out.
                """)

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let config = try options.load()
            print(ConfigSchema.show(config, environment: ProcessInfo.processInfo.environment), terminator: "")
        }
    }

    struct Reference: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the reference of every rampart.yaml key (Markdown): type, default, route kinds, meaning.",
            discussion: "docs/configuration.md holds this output between its `BEGIN generated` and `END generated` markers.")

        func run() throws {
            print(ConfigSchema.referenceMarkdown(), terminator: "")
        }
    }
}
