import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RampartCore

@main
enum RampartMain {
    static func main() async {
        // The gateway runs Swift Concurrency on NIO's event-loop threads, so a request is not handed back and
        // forth between two thread pools on every await (measured: see README, Performance). Must happen first.
        if CommandLine.arguments.dropFirst().first == "serve" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await Rampart.main()
    }
}

struct Rampart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rampart",
        abstract: "The OWASP AI Security and Privacy Guide, put into practice.",
        discussion: """
            Rampart sits in front of AI models and enforces the guide's runtime controls, keeping a decision record of
            every request. Start with `rampart serve --config examples/rampart.yaml`, then create a key with
            `rampart keys create --tenant demo --routes chat`.

            Exit codes: 0 success · 1 not found or refused · 64 bad command line · 65 invalid config or input ·
            66 config file missing or unreadable · 69 store unavailable · 70 internal error.
            """,
        version: "0.1.0",
        subcommands: [Serve.self, ConfigCommand.self, Keys.self, Decisions.self, Ledger.self, Scan.self, Model.self, Probe.self]
    )
}

/// Documented exit codes (sysexits.h where one fits).
enum Exit {
    static let notFound = ExitCode(1)
    static let usage = ExitCode(64)
    static let dataError = ExitCode(65)
    static let noInput = ExitCode(66)
    static let unavailable = ExitCode(69)
    static let software = ExitCode(70)
}

/// Options every command that reads `rampart.yaml` shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Path of rampart.yaml.", valueName: "file"))
    var config: String = ProcessInfo.processInfo.environment["RAMPART_CONFIG"] ?? "rampart.yaml"

    /// The validated config; prints the problem and exits 65/66 (or `errorCode`, for commands whose exit codes are
    /// fixed otherwise) when it is not usable.
    func load(errorCode: ExitCode? = nil) throws -> RampartConfig {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: config)
            if let size = attributes[.size] as? Int, size > ConfigLoader.maxBytes {
                CLI.fail("\(config): the config is larger than \(ConfigLoader.maxBytes) bytes", code: errorCode ?? Exit.dataError)
            }
            data = try Data(contentsOf: URL(fileURLWithPath: config))
        } catch {
            CLI.fail("cannot read the config file \(config): \(Self.reason(error)). Pass --config FILE (or set RAMPART_CONFIG); examples/rampart.yaml is a starting point.",
                     code: errorCode ?? Exit.noInput)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            CLI.fail("\(config): the config is not UTF-8 text", code: errorCode ?? Exit.dataError)
        }
        do {
            var loaded = try ConfigLoader.load(yaml: text, file: config)
            // The SQLite path is relative to the config file's folder, so the same config works from anywhere.
            let folder = URL(fileURLWithPath: config).deletingLastPathComponent().path
            func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path) }
            loaded.store.sqlite = resolve(loaded.store.sqlite)
            loaded.ledger.signingKey = loaded.ledger.signingKey.map(resolve)
            for index in loaded.routes.indices {
                loaded.routes[index].upstreamCAFile = loaded.routes[index].upstreamCAFile.map(resolve)
                if let model = loaded.routes[index].classifier?.model { loaded.routes[index].classifier?.model = resolve(model) }
            }
            return loaded
        } catch {
            CLI.fail(error.description, code: errorCode ?? Exit.dataError)
        }
    }

    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.code == NSFileReadNoSuchFileError || nsError.code == NSFileNoSuchFileError { return "no such file" }
        if nsError.code == NSFileReadNoPermissionError { return "permission denied" }
        return nsError.localizedDescription
    }
}

/// `--format text|json`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

enum CLI {
    /// Prints `message` to standard error as `rampart: error: …` and exits with `code`.
    static func fail(_ message: String, code: ExitCode) -> Never {
        FileHandle.standardError.write(Data("rampart: error: \(message)\n".utf8))
        Foundation.exit(code.rawValue)
    }

    static func printJSON<T: Encodable>(_ value: T) {
        let data = (try? JSONOutput.encode(value)) ?? Data("null".utf8)
        print(String(decoding: data, as: UTF8.self))
    }
}
