import ArgumentParser
import Foundation
import RampartCore
import RampartLedger

extension Rampart {
    struct ConfigCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config",
            abstract: "Check or print rampart.yaml.",
            subcommands: [Check.self, Show.self])
    }
}

extension Rampart.ConfigCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate rampart.yaml without serving.",
            discussion: "Exits 0 when the config is valid and the files it names (the store's folder, CA files) are usable; otherwise prints the key path, line and column of the first problem and exits 65 (66 when the config file cannot be read).")

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
            if let key = config.ledger.signingKey {
                do { _ = try LedgerSigningKey.load(name: config.ledger.origin, path: key) } catch {
                    CLI.fail("\(options.config): ledger.signing_key: \(error)", code: Exit.dataError)
                }
            }
            for (index, route) in config.routes.enumerated() {
                if let ca = route.upstreamCAFile, !FileManager.default.isReadableFile(atPath: ca) {
                    CLI.fail("\(options.config): routes[\(index)].upstream_ca_file: \(ca) cannot be read", code: Exit.dataError)
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
            abstract: "Print the effective config, with every default filled in.",
            discussion: "Secrets never appear in rampart.yaml (only the names of the environment variables that hold them), so nothing needs redacting; whether each variable is set is shown.")

        @OptionGroup var options: ConfigOptions

        static func storeLines(_ store: StoreConfig) -> [String] {
            guard let url = store.postgres else {
                return ["  sqlite: \"\(store.sqlite)\"", "  synchronous: \(store.synchronous.rawValue)"]
            }
            var lines: [String] = ["  postgres: \"\(url)\""]
            if let variable = store.postgresPasswordEnv { lines.append("  postgres_password_env: \(variable)") }
            if let schema = store.schema { lines.append("  schema: \(schema)") }
            lines.append("  pool_size: \(store.poolSize)")
            return lines
        }

        func run() throws {
            let c = try options.load()
            var lines = [
                "server:",
                "  listen: \"\(c.server.listen)\"",
                "  admin_listen: \"\(c.server.adminListen)\"",
                "  max_body_bytes: \(c.server.maxBodyBytes)",
                "  max_upstream_response_bytes: \(c.server.maxUpstreamResponseBytes)",
                "  key_refresh_seconds: \(c.server.keyRefreshSeconds)",
                "  upstream_max_connections: \(c.server.upstreamMaxConnections)",
                "  shutdown_grace_seconds: \(c.server.shutdownGraceSeconds)",
                "store:",
            ] + Self.storeLines(c.store) + [
                "  durability: \(c.store.durability.rawValue)",
                "  max_batch: \(c.store.maxBatch)",
                "ledger:",
                "  origin: \(c.ledger.origin)",
                "  signing_key: \(c.ledger.signingKey.map { "\"\($0)\"" } ?? "null   # checkpoints cannot be signed")",
                "purposes:\(c.purposes.isEmpty ? " []" : "")",
            ] + c.purposes.map { p in
                "  - { id: \(p.id), lawful_basis: \(p.lawfulBasis.rawValue), data_categories: [\(p.dataCategories.joined(separator: ", "))], retention_days: \(p.retentionDays.map(String.init) ?? "null") }"
            } + [
                "routes:",
            ]
            for r in c.routes {
                lines.append("  - name: \(r.name)")
                lines.append("    kind: \(r.kind.rawValue)")
                lines.append("    upstream: \"\(r.upstream)\"")
                if let purpose = r.purpose { lines.append("    purpose: \(purpose)") }
                if r.requireSubject { lines.append("    require_subject: true") }
                if let env = r.upstreamAPIKeyEnv {
                    let set = !(ProcessInfo.processInfo.environment[env]?.isEmpty ?? true)
                    lines.append("    upstream_api_key_env: \(env)   # \(set ? "set (value hidden)" : "NOT SET")")
                }
                if let ca = r.upstreamCAFile {
                    lines.append("    upstream_ca_file: \"\(ca)\"")
                }
                lines.append("    timeout_seconds: \(r.timeoutSeconds)")
                lines.append("    models: [\(r.models.map { "\"\($0)\"" }.joined(separator: ", "))]\(r.models.isEmpty ? "   # catch-all" : "")")
                let l = r.limits
                if l.isUnlimited {
                    lines.append("    limits: {}   # unlimited")
                } else {
                    var parts: [String] = []
                    if let v = l.ratePerSecond { parts.append("rate_per_second: \(v)") }
                    if let rate = l.ratePerSecond { parts.append("burst: \(l.burst ?? max(1, Int(rate.rounded(.up))))") }
                    if let v = l.requestsPerDay { parts.append("requests_per_day: \(v)") }
                    if let v = l.tokensPerDay { parts.append("tokens_per_day: \(v)") }
                    lines.append("    limits: { \(parts.joined(separator: ", ")) }")
                }
                if let g = r.guards, g.isActive {
                    lines.append("    guards:")
                    lines.append("      input:  { injection: \(g.inputInjection.rawValue), pii: \(g.inputPII.rawValue), secrets: \(g.inputSecrets.rawValue), invisible: \(g.inputInvisible.rawValue) }")
                    lines.append("      output: { pii: \(g.outputPII.rawValue), secrets: \(g.outputSecrets.rawValue), canary: \(g.outputCanary.rawValue), exfiltration: \(g.outputExfiltration.rawValue) }")
                    if !g.allowedHosts.isEmpty { lines.append("      allowed_hosts: [\(g.allowedHosts.joined(separator: ", "))]") }
                    lines.append("      block_response: \(g.blockResponse.rawValue)")
                    lines.append("      injection_threshold: \(g.injectionThreshold)")
                    lines.append("      indirect_injection_threshold: \(g.indirectInjectionThreshold)")
                    lines.append("      pii_min_score: \(g.piiMinScore)")
                    lines.append("      redaction: \(g.redaction)")
                    if !g.entities.isEmpty {
                        lines.append("      entities: { \(g.entities.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")) }")
                    }
                    if let env = g.pseudonymKeyEnv {
                        let set = ProcessInfo.processInfo.environment[env].map { $0.utf8.count >= 32 } ?? false
                        lines.append("      pseudonym_key_env: \(env)\(set ? "" : "   # NOT SET (or shorter than 32 bytes)")")
                    }
                    lines.append("      canary_template: \(JSONValue.quote(g.canaryTemplate))")
                    lines.append("      stream_window: \(g.streamWindow)")
                    lines.append("      on_error: \(g.onError.rawValue)")
                } else {
                    lines.append("    guards: {}   # none")
                }
            }
            print(lines.joined(separator: "\n"))
        }
    }
}
