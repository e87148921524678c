import ArgumentParser
import Foundation
import RampartCore
import RampartStore

extension Rampart {
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and revoke API keys.",
            discussion: """
                Keys look like rk_<id>_<secret>. Rampart stores only their SHA-256, so a key is shown once, when it is
                created. A running gateway picks up new and revoked keys within `server.key_refresh_seconds`.
                """,
            subcommands: [Create.self, List.self, Revoke.self])
    }
}

extension Rampart.Keys {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key and print it once.",
            discussion: """
                Example: rampart keys create --config rampart.yaml --tenant acme --routes chat --format json
                prints {"id": "…", "key": "rk_…", …}. Use --admin for a key to the admin listener (/metrics).
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "Tenant the key belongs to (letters, digits, - _ .).") var tenant: String
        @Option(help: ArgumentHelp("Comma-separated route names the key may call, or * for all.", valueName: "routes"))
        var routes: String = ""
        @Flag(help: "Create an admin key (admin listener only) instead of a client key.") var admin = false
        @Option(help: "A note to tell keys apart (not secret).") var label: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            guard !tenant.isEmpty, tenant.utf8.count <= 64, tenant.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw ValidationError("--tenant must be 1–64 letters, digits, `-`, `_` or `.`")
            }
            if !admin && routes.isEmpty { throw ValidationError("--routes is required for a client key (e.g. --routes chat, or --routes '*')") }
            if admin && !routes.isEmpty { throw ValidationError("--routes does not apply to --admin keys") }
            if let label, label.utf8.count > 200 { throw ValidationError("--label is longer than 200 bytes") }
        }

        func run() async throws {
            let config = try options.load()
            let names = routes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for name in names where name != "*" && config.route(named: name) == nil {
                CLI.fail("--routes names `\(name)`, which is not a route in \(options.config) (routes: \(config.routes.map(\.name).joined(separator: ", ")))",
                         code: Exit.usage)
            }
            let (key, record) = APIKeyFormat.generate(tenant: tenant, routes: admin ? [] : names, scope: admin ? .admin : .client, label: label)
            await withStore(config, mustExist: false) { try await $0.keys.insert(record) }
            switch format {
            case .json:
                struct Output: Encodable {
                    let key, id, tenant, scope: String
                    let routes: [String]
                }
                CLI.printJSON(Output(key: key, id: record.id, tenant: record.tenant, scope: record.scope.rawValue, routes: record.routes))
            case .text:
                print(key)
                FileHandle.standardError.write(Data("""
                    Created \(record.scope.rawValue) key \(record.id) for tenant \(record.tenant)\(admin ? "" : " (routes: \(record.routes.joined(separator: ",")))").
                    Store it now: Rampart keeps only its hash and cannot show it again.

                    """.utf8))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API keys (ids, tenants, routes; never the keys).")

        @OptionGroup var options: ConfigOptions
        @Flag(help: "Include revoked keys.") var all = false
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let config = try options.load()
            let all = self.all
            let keys = await withStore(config, mustExist: true) { try await $0.keys.all().filter { all || !$0.isRevoked } }
            switch format {
            case .json:
                struct Output: Encodable {
                    let id, tenant, scope, created_at: String
                    let routes: [String]
                    let revoked_at, label: String?
                }
                CLI.printJSON(keys.map {
                    Output(id: $0.id, tenant: $0.tenant, scope: $0.scope.rawValue, created_at: RFC3339.format($0.createdAt), routes: $0.routes,
                           revoked_at: $0.revokedAt.map(RFC3339.format), label: $0.label)
                })
            case .text:
                let rows = keys.map {
                    [$0.id, $0.tenant, $0.scope.rawValue, $0.scope == .admin ? "-" : $0.routes.joined(separator: ","), RFC3339.format($0.createdAt),
                     $0.revokedAt.map { "revoked " + RFC3339.format($0) } ?? "active", $0.label ?? ""]
                }
                print(Table.render(header: ["ID", "TENANT", "SCOPE", "ROUTES", "CREATED", "STATE", "LABEL"], rows: rows))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API key by id.",
            discussion: "Running gateways refuse the key (401) within `server.key_refresh_seconds`. Revoking is permanent.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The key's id, as `rampart keys list` shows it.") var id: String

        func run() async throws {
            let config = try options.load()
            let id = self.id
            let record = await withStore(config, mustExist: true) { try await $0.keys.revoke(id: id) }
            print("revoked key \(record.id) (tenant \(record.tenant))")
        }
    }
}
