import ArgumentParser
import Foundation
import RampartCore
import RampartStore

extension Rampart {
    struct Decisions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the decision records the gateway wrote.",
            discussion: """
                One record per request: who (tenant, key id, Rampart-Subject), what (route, model, endpoint), when, the
                verdict (allowed, refused, failed) and why, tokens, latency, and SHA-256 digests of the request and
                response bodies — the guide's "traceability": which model made which decision about whom, and when.
                """,
            subcommands: [List.self, Show.self])
    }
}

extension Rampart.Decisions {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List decision records, newest first.",
            discussion: "Example: rampart decisions list --since 1h --route chat --verdict refused --format json")

        @OptionGroup var options: ConfigOptions
        @Option(help: ArgumentHelp("Only records at or after this time: RFC 3339 (2026-11-27T10:00:00Z), a date, or an age such as 30m, 2h, 7d.", valueName: "time"))
        var since: String?
        @Option(help: "Only records of this route.") var route: String?
        @Option(help: "Only records of this key id.") var key: String?
        @Option(help: "Only records with this verdict: allowed, refused or failed.") var verdict: String?
        @Option(help: "Only records about this Rampart-Subject.") var subject: String?
        @Option(help: "Most records to print.") var limit: Int = 100
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            if let since, Self.parseSince(since, now: Date()) == nil {
                throw ValidationError("--since `\(since)` is neither an RFC 3339 time (2026-11-27T10:00:00Z), a date (2026-11-27) nor an age (30s, 15m, 2h, 7d)")
            }
            if let verdict, Verdict(rawValue: verdict) == nil { throw ValidationError("--verdict must be allowed, refused or failed") }
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
        }

        static func parseSince(_ text: String, now: Date) -> Date? {
            if let date = RFC3339.parse(text) { return date }
            guard let unit = text.last, let amount = Double(text.dropLast()), amount >= 0, amount.isFinite else { return nil }
            let seconds: Double
            switch unit {
            case "s": seconds = amount
            case "m": seconds = amount * 60
            case "h": seconds = amount * 3600
            case "d": seconds = amount * 86_400
            default: return nil
            }
            return now.addingTimeInterval(-seconds)
        }

        func run() async throws {
            let config = try options.load()
            let query = DecisionStore.Query(since: since.flatMap { Self.parseSince($0, now: Date()) }, route: route, keyID: key,
                                            verdict: verdict.flatMap(Verdict.init(rawValue:)), subject: subject, limit: limit)
            let records = await withStore(config, mustExist: true) { try await $0.decisions.list(query) }
            switch format {
            case .json:
                CLI.printJSON(records)
            case .text:
                let rows = records.map { r in
                    [r.id, RFC3339.format(r.time), r.tenant ?? "-", r.route ?? "-", r.model.map { String($0.prefix(30)) } ?? "-", String(r.status),
                     r.verdict.rawValue, r.reason ?? "", r.usage.map { "\($0.totalTokens)\($0.estimated ? "~" : "")" } ?? "-",
                     String(format: "%.1f", r.gatewayLatencyMs)]
                }
                print(Table.render(header: ["ID", "TIME", "TENANT", "ROUTE", "MODEL", "STATUS", "VERDICT", "REASON", "TOKENS", "MS"], rows: rows))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one decision record by id (the Rampart-Decision-Id response header).")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The decision id.") var id: String
        @Option(help: "Output format: text or json.") var format: OutputFormat = .json

        func validate() throws {
            guard TimeOrderedID.isWellFormed(id) else { throw ValidationError("`\(id)` is not a decision id (a UUID such as 019abc…-…)") }
        }

        func run() async throws {
            let config = try options.load()
            let id = self.id.lowercased()
            let record = await withStore(config, mustExist: true) { try await $0.decisions.find(id: id) }
            guard let record else { CLI.fail("no decision record with id \(id)", code: Exit.notFound) }
            switch format {
            case .json:
                CLI.printJSON(record)
            case .text:
                var lines = [
                    "id:        \(record.id)", "seq:       \(record.seq.map(String.init) ?? "-")", "time:      \(RFC3339.format(record.time))",
                    "tenant:    \(record.tenant ?? "-")", "key:       \(record.keyID ?? "-")", "route:     \(record.route ?? "-")",
                    "model:     \(record.model ?? "-")", "endpoint:  \(record.endpoint)", "subject:   \(record.subject ?? "-")",
                    "purpose:   \(record.purpose ?? "-")", "status:    \(record.status)", "verdict:   \(record.verdict.rawValue)",
                    "reason:    \(record.reason ?? "-")", "stream:    \(record.stream)",
                    "upstream:  \(record.upstreamLatencyMs.map { String(format: "%.2f ms", $0) } ?? "-")",
                    "gateway:   \(String(format: "%.2f ms", record.gatewayLatencyMs))",
                ]
                if let u = record.usage {
                    lines.append("tokens:    \(u.promptTokens) prompt + \(u.completionTokens) completion = \(u.totalTokens)\(u.estimated ? " (estimated)" : "")")
                }
                lines.append("request:   sha256 \(record.requestSHA256 ?? "-")")
                lines.append("response:  sha256 \(record.responseSHA256 ?? "-")")
                if record.findings.isEmpty {
                    lines.append("findings:  none")
                } else {
                    lines.append("findings:  \(record.findings.count)")
                    for f in record.findings {
                        var parts = ["\(f.guardName):\(f.type)"]
                        if let action = f.action { parts.append(action) }
                        if let location = f.location { parts.append(location) }
                        if let start = f.start, let end = f.end { parts.append("\(start)..<\(end)") }
                        if let score = f.score { parts.append(String(format: "score %.2f", score)) }
                        if let decodedBy = f.decodedBy { parts.append("decoded by \(decodedBy)") }
                        lines.append("  - " + parts.joined(separator: "  "))
                    }
                }
                print(lines.joined(separator: "\n"))
            }
        }
    }
}
