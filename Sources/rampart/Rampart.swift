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
