import ArgumentParser
import Foundation
import RampartCore
import RampartText

/// `rampart scan …`: the text scanners on files and corpora, outside the gateway.
struct Scan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan text for personal data, secrets, prompt injection, invisible characters and canaries.",
        subcommands: [TextCommand.self]
    )
}

extension Scan {
    struct TextCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "text",
            abstract: "Scan a text file, standard input, or a JSONL corpus.",
            discussion: """
                The text is normalized first (Unicode NFKC, invisible characters taken out and reported), and encoded
                segments (base64, base32, hex, percent, HTML entities, \\u escapes, Unicode tag characters) are decoded
                and scanned again; a finding inside one says so in `decoded_by`.

                Injection findings are pieces of evidence; each carries the whole text's injection score (0…1), reported
                even when it is below --min-score, which applies to the other kinds.

                Offsets (`start`, `end`) count Unicode scalars of the input: the indices of a Python `str`.
                Findings never include the matched value.

                Examples:
                  rampart scan text notes.txt
                  echo "call me at +44 20 7946 0958" | rampart scan text --format json
                  rampart scan text --jsonl corpus.jsonl > findings.jsonl     # lines {"id": …, "text": "…"}

                Exit codes: 0 no findings · 1 findings · 2 an input could not be read (not UTF-8, too large, a bad
                JSONL line — the other lines are still scanned) · 64 bad command line.
                """
        )

        @Argument(help: ArgumentHelp("The file to scan; `-` or nothing for standard input.", valueName: "file"))
        var file: String?

        @Option(help: ArgumentHelp("Scan a corpus: one JSON object {\"id\": …, \"text\": \"…\"} per line; writes one {\"id\": …, \"findings\": […]} line per input, in input order, using every core.", valueName: "file"))
        var jsonl: String?

        @Option(help: "Output: `table` for people, `json` for machines (JSONL in --jsonl mode regardless).")
        var format: Format = .table

        @Option(help: ArgumentHelp("Kinds to look for, comma-separated: pii, secret, injection, invisible, canary.", valueName: "kinds"))
        var kinds: String = "pii,secret,injection,invisible,canary"

        @Option(help: ArgumentHelp("Only these entity types, comma-separated (e.g. EMAIL,CREDIT_CARD,PASSWORD).", valueName: "types"))
        var types: String?

        @Option(help: "Drop findings scoring below this (0…1).")
        var minScore: Double = 0.5

        @Option(help: ArgumentHelp("A system-prompt canary token to look for (repeatable).", valueName: "token"))
        var canary: [String] = []

        @Option(help: ArgumentHelp("Largest input (a file, or one JSONL line) in bytes.", valueName: "bytes"))
        var maxBytes: Int = 64 << 20

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

        static let inputError = ExitCode(2)

        func validate() throws {
            guard (0...1).contains(minScore) else { throw ValidationError("--min-score must be between 0 and 1, not \(minScore)") }
            guard maxBytes > 0 else { throw ValidationError("--max-bytes must be positive") }
            for kind in kindList where TextFinding.Kind(rawValue: kind) == nil {
                throw ValidationError("--kinds: unknown kind `\(kind)`; choose from pii, secret, injection, invisible, canary")
            }
            if jsonl != nil, file != nil { throw ValidationError("give either a file or --jsonl FILE, not both") }
        }

        private var kindList: [String] { kinds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty } }

        private var scanner: TextScanner {
            TextScanner(options: .init(
                kinds: Set(kindList.compactMap(TextFinding.Kind.init(rawValue:))),
                types: types.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }) },
                minimumScore: minScore, canaries: canary))
        }

        func run() async throws {
            if let jsonl {
                let status = await scanCorpus(path: jsonl)
                throw ExitCode(status)
            }
            let path = file ?? "-"
            let data: Data
            do {
                data = try ScanInput.read(path: path, maxBytes: maxBytes)
            } catch {
                CLI.fail("\(error)", code: Self.inputError)
            }
            guard let text = String(validating: data, as: UTF8.self) else {
                CLI.fail("\(path == "-" ? "standard input" : path): not UTF-8 text (first bad byte at offset \(ScanInput.firstInvalidUTF8(data)))",
                         code: Self.inputError)
            }
            let findings = scanner.scan(text)
            switch format {
            case .json:
                print(#"{"findings":["# + findings.map(Self.json).joined(separator: ",") + "]}")
            case .table:
                print(Self.table(findings, text: text))
            }
            if !findings.isEmpty { throw ExitCode(1) }
        }

        /// The JSONL corpus mode: batches of lines scanned on every core, written in input order.
        private func scanCorpus(path: String) async -> Int32 {
            let reader: LineReader
            do {
                reader = try LineReader(path: path, maxLineBytes: maxBytes)
            } catch {
                CLI.fail("\(error)", code: Self.inputError)
            }
            var anyFindings = false
            var errors = 0
            var lineNumber = 0
            while true {
                // Up to 512 lines or 64 MiB a batch, so memory stays bounded whatever the line lengths.
                var batch: [(number: Int, line: Result<[UInt8], LineReader.TooLong>)] = []
                var batchBytes = 0
                while batch.count < 512, batchBytes < 64 << 20, let line = reader.next() {
                    lineNumber += 1
                    batch.append((lineNumber, line))
                    if case .success(let bytes) = line { batchBytes += bytes.count }
                }
                if batch.isEmpty { break }
                let results = await scanner.scanConcurrently(batch) { scanner, item in
                    Self.scanLine(item.line, number: item.number, path: path, scanner: scanner)
                }
                var output = ""
                for result in results {
                    switch result {
                    case .line(let text, let found):
                        output += text + "\n"
                        anyFindings = anyFindings || found
                    case .error(let message):
                        FileHandle.standardError.write(Data("rampart: error: \(message)\n".utf8))
                        errors += 1
                    case .blank:
                        break
                    }
                }
                FileHandle.standardOutput.write(Data(output.utf8))
            }
            if errors > 0 {
                FileHandle.standardError.write(Data("rampart: \(errors) line(s) of \(path) could not be scanned; the others were\n".utf8))
                return 2
            }
            return anyFindings ? 1 : 0
        }

        enum CorpusResult: Sendable {
            case line(String, Bool)
            case error(String)
            case blank
        }

        static func scanLine(_ line: Result<[UInt8], LineReader.TooLong>, number: Int, path: String, scanner: TextScanner) -> CorpusResult {
            let where_ = "\(path) line \(number)"
            let bytes: [UInt8]
            switch line {
            case .success(let b): bytes = b
            case .failure(let tooLong): return .error("\(where_): longer than --max-bytes (\(tooLong.limit) bytes); skipped")
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return .blank }
            let value: JSONValue
            do {
                value = try JSONValue.parse(bytes)
            } catch {
                return .error("\(where_): not a JSON object: \(error)")
            }
            guard case .object = value else { return .error("\(where_): expected a JSON object {\"id\": …, \"text\": \"…\"}, found \(value.kindName)") }
            guard let text = value["text"]?.stringValue else { return .error("\(where_): member `text` (a string) is missing") }
            let id = value["id"] ?? .null
            switch id {
            case .string, .number, .null: break
            default: return .error("\(where_): member `id` must be a string or a number")
            }
            let findings = scanner.scan(text)
            return .line(#"{"id":"# + String(decoding: id.encoded(), as: UTF8.self) + #","findings":["# + findings.map(json).joined(separator: ",") + "]}",
                         !findings.isEmpty)
        }

        static func json(_ f: TextFinding) -> String {
            let score = (f.score * 1000).rounded() / 1000
            return #"{"kind":"# + JSONValue.quote(f.kind.rawValue) + #","type":"# + JSONValue.quote(f.type) + #","start":\#(f.start),"end":\#(f.end),"score":\#(score),"decoded_by":"#
                + (f.decodedByLabel.map(JSONValue.quote) ?? "null") + "}"
        }

        /// A table with the line and column of each finding (never the value itself).
        static func table(_ findings: [TextFinding], text: String) -> String {
            guard !findings.isEmpty else { return "no findings" }
            // Line and column (1-based, in scalars) of each start offset.
            var positions: [Int: (Int, Int)] = [:]
            let wanted = Set(findings.map(\.start))
            var line = 1, column = 1
            for (offset, scalar) in text.unicodeScalars.enumerated() {
                if wanted.contains(offset) { positions[offset] = (line, column) }
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            }
            var rows = [["LINE:COL", "KIND", "TYPE", "SCALARS", "SCORE", "DECODED BY"]]
            for f in findings {
                let (l, c) = positions[f.start] ?? (line, column)
                rows.append(["\(l):\(c)", f.kind.rawValue, f.type, "\(f.start)..<\(f.end)", String(format: "%.2f", f.score), f.decodedByLabel ?? "-"])
            }
            let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            let body = rows.map { row in
                zip(row, widths).enumerated().map { $0.offset == row.count - 1 ? $0.element.0 : $0.element.0.padding(toLength: $0.element.1, withPad: " ", startingAt: 0) }
                    .joined(separator: "  ")
            }
            return (body + ["\(findings.count) finding(s)"]).joined(separator: "\n")
        }
    }
}
