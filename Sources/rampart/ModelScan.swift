import ArgumentParser
import Foundation
import RampartCore
import RampartSupply

extension Rampart.Model {
    /// `rampart model scan`: model files, folders and archives, judged without running them.
    struct ScanCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scan",
            abstract: "Scan model files, folders, archives and Python packages for code that runs on load.",
            discussion: """
                Nothing is executed, imported or unpickled: every format is read from its bytes (the extension is not
                trusted). Pickles (pickle, joblib, PyTorch zip and legacy, NumPy object arrays) run on a symbolic
                pickle machine and every import is judged against an allowlist of safe machine-learning names;
                Keras .h5/.keras configs are checked for Lambda bytecode and modules outside Keras; SavedModel
                graphs for ops that run Python or touch files; safetensors, GGUF and ONNX headers for layouts that
                lie; chat templates for template injection; wheels and sdists for .pth files and install hooks.

                Verdicts: clean · suspicious (outside the allowlist: review it) · malformed (cannot be parsed to the
                end, so never called clean) · malicious. docs/supply-chain.md lists every rule.

                Examples:
                  rampart model scan model.pt
                  rampart model scan ./checkpoints --format json > scan.json
                  rampart model scan dist/*.whl --format sarif --output rampart.sarif
                  rampart model scan model.joblib --policy scan-policy.yaml

                A policy file (YAML) can let suspicious files pass and allow or deny names:
                  suspicious: pass
                  allow: [mypackage.layers.Scale, mypackage.models.*]
                  deny: [numpy.load]

                Exit codes: 0 every file clean (or suspicious, when the policy passes it) · 1 a finding fails the
                scan · 2 an input could not be read · 64 bad command line.
                """)

        @Argument(help: ArgumentHelp("Files, folders (scanned recursively) or archives.", valueName: "path"))
        var paths: [String]

        @Option(help: "Output: table for people, json, or sarif (SARIF 2.1.0 for code-scanning views).")
        var format: Format = .table

        @Option(help: ArgumentHelp("A YAML policy: suspicious: fail|pass, allow: [...], deny: [...].", valueName: "file"))
        var policy: String?

        @Option(help: ArgumentHelp("Write the report here instead of standard output.", valueName: "file"))
        var output: String?

        @Flag(help: "Print only the summary line in table output.")
        var quiet = false

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, sarif }

        static let findingExit = ExitCode(1)
        static let inputExit = ExitCode(2)

        func run() async throws {
            var scanPolicy = ScanPolicy()
            if let policy {
                guard let data = FileManager.default.contents(atPath: policy) else { CLI.fail("cannot read the policy file \(policy)", code: Self.inputExit) }
                do {
                    scanPolicy = try ScanPolicy.load(String(decoding: data, as: UTF8.self), source: policy)
                } catch {
                    CLI.fail(error.description, code: Exit.usage)
                }
            }
            var options = ScanOptions()
            options.policy = scanPolicy.globals
            let showProgress = isatty(STDERR_FILENO) != 0 && format == .table
            let report = await ModelScanner(options: options).scan(paths: paths) { done, total, path in
                guard showProgress, total > 1 else { return }
                let name = path.count > 60 ? "…" + path.suffix(59) : path
                FileHandle.standardError.write(Data("\r\u{1B}[K[\(done)/\(total)] \(name)".utf8))
                if done == total { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            }
            let text: String
            switch format {
            case .json: text = String(decoding: (try? JSONOutput.encode(report)) ?? Data(), as: UTF8.self)
            case .sarif: text = String(decoding: SARIF.document(report, version: Rampart.configuration.version).encoded(), as: UTF8.self)
            case .table: text = Self.table(report, quiet: quiet)
            }
            if let output {
                do { try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: output)) } catch {
                    CLI.fail("cannot write \(output): \(error.localizedDescription)", code: Self.inputExit)
                }
            } else {
                print(text)
            }
            if !report.errors.isEmpty { throw Self.inputExit }
            if !scanPolicy.passes(report) { throw Self.findingExit }
        }

        static func table(_ report: ScanReport, quiet: Bool) -> String {
            var lines: [String] = []
            if !quiet {
                let rows = report.files.map { [$0.verdict.rawValue.uppercased(), $0.format, $0.path] }
                if !rows.isEmpty { lines.append(Table.render(header: ["VERDICT", "FORMAT", "FILE"], rows: rows)) }
                for file in report.files where !file.findings.isEmpty {
                    lines.append("")
                    lines.append("\(file.path) — \(file.verdict.rawValue) (sha256 \(file.sha256.prefix(16))…)")
                    for f in file.findings {
                        let times = f.count > 1 ? " (×\(f.count))" : ""
                        lines.append("  \(f.severity.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(f.rule)  \(f.message)\(times)")
                        if !f.location.isEmpty { lines.append("             at \(f.location)") }
                    }
                }
                for e in report.errors { lines.append("cannot read \(e.path): \(e.reason)") }
            }
            let s = report.summary
            lines.append("\(report.files.count) files: \(s.clean) clean, \(s.suspicious) suspicious, \(s.malformed) malformed, \(s.malicious) malicious"
                + (s.skipped > 0 ? "; \(s.skipped) skipped (not a model or package format)" : "")
                + (report.errors.isEmpty ? "" : "; \(report.errors.count) unreadable"))
            return lines.joined(separator: "\n")
        }
    }
}
