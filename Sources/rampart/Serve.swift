import ArgumentParser
import Foundation
import Logging
import RampartCore
import RampartGateway
import RampartStore

extension Rampart {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the gateway in front of the routes in rampart.yaml.",
            discussion: """
                Serves the OpenAI-compatible API (POST /v1/chat/completions, POST /v1/embeddings, GET /v1/models) on
                `server.listen`, and /metrics, /healthz and /readyz on `server.admin_listen`. Every request gets a
                decision record in the store. Logs are JSON lines on standard error; they never contain keys, prompts
                or completions. SIGTERM or SIGINT drains in-flight requests and commits pending records, then exits 0.
                """)

        @OptionGroup var options: ConfigOptions

        @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
        var logLevel: String = ProcessInfo.processInfo.environment["RAMPART_LOG_LEVEL"] ?? "info"

        func validate() throws {
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level `\(logLevel)` is not one of: trace, debug, info, notice, warning, error, critical")
            }
        }

        func run() async throws {
            let config = try options.load()
            let level = Logger.Level(rawValue: logLevel) ?? .info
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
            let logger = Logger(label: "rampart")
            let store: Store
            do {
                store = try await Store.open(config.store, logger: logger)
            } catch {
                CLI.fail("\(error)", code: Exit.unavailable)
            }
            // A listener that cannot bind is refused here, before any service starts: failing inside the running
            // service group cancels the others mid-start, and swift-async-algorithms' merge can deadlock in that
            // cancellation (seen as `rampart serve` hanging instead of exiting 69 on a taken port).
            for (name, address) in [("server.listen", config.server.listen), ("server.admin_listen", config.server.adminListen)] {
                if let problem = ListenProbe.problem(address) {
                    await store.close()
                    CLI.fail("cannot listen on \(address) (\(name)): \(problem); another process may be using it — stop it or choose another address",
                             code: Exit.unavailable)
                }
            }
            let gateway: Gateway
            do {
                gateway = try await Gateway(config: config, store: store, logger: logger)
            } catch {
                CLI.fail("could not start the gateway: \(error)", code: Exit.unavailable)
            }
            for route in config.routes {
                if let env = route.upstreamAPIKeyEnv, ProcessInfo.processInfo.environment[env]?.isEmpty ?? true {
                    logger.warning("upstream key variable is not set; calling the upstream without a key", metadata: ["route": "\(route.name)", "variable": "\(env)"])
                }
            }
            do {
                try await gateway.run { listener, port in
                    let host = listener == "public" ? config.server.listen.host : config.server.adminListen.host
                    logger.notice("listening", metadata: ["listener": "\(listener)", "address": "\(ListenAddress(host: host, port: port))"])
                }
            } catch {
                await store.close()
                CLI.fail("the gateway stopped: \(error)", code: Exit.unavailable)
            }
            await store.close()
        }
    }
}
