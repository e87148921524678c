import ArgumentParser
import Crypto
import Foundation
import RampartCore
import RampartLedger
import RampartStore

extension Rampart {
    struct Ledger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The tamper-evident ledger: verify it, sign checkpoints, prove entries.",
            discussion: """
                Every ledger event is a leaf of a Merkle tree built as Certificate Transparency builds it (RFC 6962/9162).
                Signed checkpoints (Ed25519, C2SP signed notes) state the tree's size and root; `verify` recomputes all of
                it, `prove` and `consistency` print proofs that `check-proof` checks offline with the verifier key alone.
                Guide: transparency and traceability; consent records "protected from tampering". See docs/ledger.md.

                On SQLite, `rampart serve` creates a signing key beside the store on its first start (rampart.db →
                rampart.ledger.pem) and every ledger command uses it; elsewhere, or to choose the file: rampart ledger keygen
                --out ledger.pem, then set `ledger: { signing_key: ledger.pem }` in rampart.yaml.
                """,
            subcommands: [Keygen.self, Consent.self, Subject.self, Lineage.self, Models.self, Purposes.self, Record.self, Decisions.self, Retention.self,
                          Checkpoint.self, Verify.self, Prove.self, Consistency.self, CheckProof.self])
    }
}

extension Rampart.Ledger {
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an Ed25519 signing key for checkpoints (PKCS#8 PEM, mode 0600).",
            discussion: """
                Keep the key outside the database and its backups: whoever holds both could rewrite the log and re-sign it.
                Prints the verifier key — what auditors need to check checkpoints and proofs — and writes it to FILE.pub
                with the public key. `openssl genpkey -algorithm ed25519 -out FILE` makes a key Rampart reads too.
                """)

        @Option(help: ArgumentHelp("Where to write the private key (never overwritten).", valueName: "file")) var out: String
        @Option(help: "The log's name, as `ledger.origin` in rampart.yaml (default rampart/ledger).") var origin: String = "rampart/ledger"

        func validate() throws {
            guard LedgerConfig.isValidOrigin(origin) else { throw ValidationError("--origin must have no spaces or `+`") }
        }

        func run() throws {
            do {
                let key = try LedgerSigningKey.generate(name: origin)
                try key.write(to: out)
                let pub = "# verifier key for \(origin): pass it to `rampart ledger check-proof --key`\n\(key.verifierKey)\n" + key.publicPEM
                FileManager.default.createFile(atPath: out + ".pub", contents: Data(pub.utf8), attributes: [.posixPermissions: 0o644])
                print(key.verifierKey)
            } catch {
                CLI.fail("\(error)", code: Exit.dataError)
            }
        }
    }

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append events to the ledger: one (an approval, a note, an outcome recorded by hand) or many from JSONL.",
            discussion: """
                Example: rampart ledger record --kind approval --body '{"by":"dpo","what":"model fraud@3 to production"}'
                Batch:   rampart ledger record --jsonl events.jsonl   (lines {"kind": "…", "body": {…}}; - for standard input)
                A batch is appended in group commits of 4,000 events. A bad line stops it: the lines before it are
                appended (and said so), nothing from the bad line on is (exit 65).
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "Event kind: lower-case letters, digits, `.`, `_` or `-` (e.g. approval).") var kind: String?
        @Option(help: "Event details: a JSON object.") var body: String?
        @Option(help: ArgumentHelp("Append every line of this JSONL file instead (- for standard input).", valueName: "file")) var jsonl: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            if jsonl != nil {
                guard kind == nil, body == nil else { throw ValidationError("--jsonl takes the kind and body from each line; drop --kind and --body") }
                return
            }
            guard let kind, let body else { throw ValidationError("give --kind and --body (or --jsonl FILE)") }
            guard LedgerEvent.isValidKind(kind) else {
                throw ValidationError("--kind must be lower-case letters, digits, `.`, `_` or `-` (at most 64), e.g. approval")
            }
            guard (try? JSONValue.parse(Array(body.utf8))).map({ if case .object = $0 { return true } else { return false } }) == true else {
                throw ValidationError("--body must be a JSON object, e.g. '{\"by\":\"dpo\"}'")
            }
        }

        func run() async throws {
            let config = try options.load()
            if let jsonl { return try await appendJSONL(jsonl, config: config) }
            let entry = await withLedger(config, creates: true) { try await $0.append([LedgerEvent(kind: kind!, body: body!)]) }[0]
            switch format {
            case .json:
                struct Output: Encodable { var seq: Int64; var kind: String; var time: String; var leaf_hash: String }
                CLI.printJSON(Output(seq: entry.seq, kind: entry.kind, time: RFC3339.format(entry.time), leaf_hash: entry.leafHash.hex))
            case .text: print("entry \(entry.seq) (\(entry.kind)) appended; leaf \(entry.leafHash.hex)")
            }
        }

        func appendJSONL(_ path: String, config: RampartConfig) async throws {
            let reader: LineReader
            do { reader = try LineReader(path: path, maxLineBytes: 1 << 20) } catch { CLI.fail("\(error)", code: Exit.noInput) }
            let started = Date()
            let outcome = await withLedger(config, creates: true) { ledger in
                try await ledger.importEvents(next: { () -> RampartLedger.Ledger.ImportLine? in
                    switch reader.next() {
                    case .success(let line)?: .line(line)
                    case .failure(let tooLong)?: .tooLong(limit: tooLong.limit)
                    case nil: nil
                    }
                }, progress: { appended in
                    if appended % 100_000 < 4_000 { FileHandle.standardError.write(Data("rampart: \(appended) events appended…\n".utf8)) }
                })
            }
            let range = outcome.first.map { "entries \($0)…\(outcome.last ?? $0)" } ?? "no entries"
            let seconds = Date().timeIntervalSince(started)
            if let problem = outcome.problem {
                CLI.fail("\(path) \(problem); \(outcome.appended) event(s) before it were appended (\(range)), nothing from that line on", code: Exit.dataError)
            }
            switch format {
            case .json:
                struct Output: Encodable { var appended: Int; var first: Int64?; var last: Int64? }
                CLI.printJSON(Output(appended: outcome.appended, first: outcome.first, last: outcome.last))
            case .text: print("\(outcome.appended) event(s) appended (\(range)) in \(String(format: "%.2f", seconds)) s")
            }
        }
    }

    struct Decisions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the decision records not yet in the ledger as `decision` events (rampart serve does this every second).",
            discussion: """
                Each event holds the record without the subject: a commitment SHA-256("rampart-subject-commitment-v1\\n" + nonce +
                "\\n" + subject) instead, which the record's `subject_nonce` opens. Use this after running with
                `ledger.record_decisions: false`, or to catch up without starting the gateway.
                """)

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let config = try options.load()
            let recorded = await withLedger(config) { try await $0.recordDecisions() }
            print("\(recorded) decision record(s) recorded in the ledger")
        }
    }

    struct Retention: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply each purpose's retention_days now: unlink older decision records from their subjects (logged in the ledger).",
            discussion: """
                Guide: storage limitation. rampart serve does this at start and every `ledger.retention_interval_seconds`. A
                decision record past its purpose's retention loses its subject and nonce; its ledger event stays, and its
                commitment can no longer be opened. Each purpose that had something to unlink gets a `retention.applied` event.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let config = try options.load()
            let outcomes = await withLedger(config) { try await $0.applyRetention(purposes: config.purposes) }
            switch format {
            case .json: CLI.printJSON(outcomes)
            case .text:
                if outcomes.isEmpty { print("no purpose declares retention_days: nothing to do"); return }
                print(Table.render(header: ["PURPOSE", "RETENTION", "BEFORE", "UNLINKED", "ENTRY"], rows: outcomes.map {
                    [$0.purpose, "\($0.retentionDays) d", $0.before, String($0.decisionsUnlinked), $0.entry.map(String.init) ?? "-"]
                }))
            }
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign and store a checkpoint of the ledger now, and print it.",
            discussion: "Publish checkpoints somewhere the database's owner cannot rewrite (a ticket, a git repository, a witness): a checkpoint kept only beside the log proves less.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let config = try options.load()
            print(await withLedger(config, needsKey: true) { try await $0.checkpoint() }, terminator: "")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the whole ledger and check every checkpoint. Exit 0 intact, 1 tampered, 2 error.",
            discussion: """
                Reads every entry, recomputes its leaf hash and the tree, and checks each signed checkpoint's root. Reports the
                first problem: a missing position (a deleted row), an entry whose content no longer matches its hash (an edited
                row), or the first checkpoint whose root no longer matches (rows rewritten together with their hashes: the
                change lies in the entries since the checkpoint before it).
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: ArgumentHelp("Verifier key to check signatures with (default: the configured signing key's).", valueName: "name+id+key"))
        var key: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let config = try options.load(errorCode: ExitCode(2))
            let start = Date()
            let report = await withLedger(config, verifyExit: true) { try await $0.verify(verifierKey: key) }
            let seconds = Date().timeIntervalSince(start)
            switch format {
            case .json:
                CLI.printJSON(report)
            case .text:
                let signed = report.signaturesChecked ? "signatures checked" : "signatures NOT checked (no key: pass --key or configure ledger.signing_key)"
                if let problem = report.problem {
                    print("TAMPERED\(problem.position.map { " at entry \($0)" } ?? ""): \(problem.message)")
                } else {
                    print("intact: \(report.entries) entries, root \(report.root), \(report.checkpoints) checkpoint(s)"
                          + "\(report.latestCheckpointSize.map { ", latest at size \($0)" } ?? ""), \(signed), \(String(format: "%.2f", seconds)) s")
                    if report.checkpoints == 0 {
                        print("""
                            warning: the ledger has no signed checkpoint. Each entry matches its hash, but a rewrite of an entry together \
                            with its hash would not show. Sign one with `rampart ledger checkpoint` (`rampart serve` signs one every \
                            ledger.checkpoint_interval_seconds when it has a key) and keep it outside the database.
                            """)
                    } else if let size = report.latestCheckpointSize, size < report.entries {
                        print("note: entries \(size)–\(report.entries - 1) came after the latest signed checkpoint; they are checked against their hashes only")
                    }
                }
            }
            if !report.intact { throw ExitCode(1) }
        }
    }

    struct Prove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a proof (JSON) that an entry is in the ledger, against the latest checkpoint.",
            discussion: "Check it anywhere with: rampart ledger check-proof proof.json --key <verifier key>")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The entry's position (from 0).") var entry: Int64
        @Option(help: "Prove against the checkpoint of this size instead of the latest.") var size: Int64?

        func run() async throws {
            let config = try options.load()
            CLI.printJSON(await withLedger(config) { try await $0.inclusionProof(seq: entry, size: size) })
        }
    }

    struct Consistency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a proof (JSON) that the ledger at one checkpoint is a prefix of the ledger at a later one.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Size of the earlier checkpoint.") var from: Int64
        @Option(help: "Size of the later checkpoint.") var to: Int64

        func validate() throws {
            guard from >= 0, from <= to else { throw ValidationError("--from must be ≥ 0 and ≤ --to") }
        }

        func run() async throws {
            let config = try options.load()
            CLI.printJSON(await withLedger(config) { try await $0.consistencyProof(from: from, to: to) })
        }
    }

    struct CheckProof: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-proof",
            abstract: "Check a proof from `prove` or `consistency` offline. Exit 0 valid, 1 invalid, 2 error.",
            discussion: "Needs no database and no config: only the proof file and the ledger's verifier key (printed by `keygen`).")

        @Argument(help: ArgumentHelp("The proof (JSON), or - for standard input.", valueName: "file")) var file: String
        @Option(help: ArgumentHelp("The ledger's verifier key.", valueName: "name+id+key")) var key: String
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() throws {
            do { try RampartLedger.Checkpoint.validate(verifierKey: key) } catch { CLI.fail("--key: \(error)", code: ExitCode(2)) }
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else if let read = FileManager.default.contents(atPath: file) {
                data = read
            } else {
                CLI.fail("cannot read \(file)", code: ExitCode(2))
            }
            guard data.count <= 16 << 20 else { CLI.fail("\(file) is larger than 16 MiB; a proof is a few KB", code: ExitCode(2)) }
            let result = ProofCheck.check(json: data, verifierKey: key)
            switch format {
            case .json: CLI.printJSON(result)
            case .text: print("\(result.valid ? "valid" : "INVALID"): \(result.message)")
            }
            if result.type == "unknown" { throw ExitCode(2) }
            if !result.valid { throw ExitCode(1) }
        }
    }
}

extension Rampart.Ledger {
    struct Consent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record, withdraw and show a subject's consent for a purpose.",
            discussion: """
                Consent is granular per purpose, recorded in the ledger (tamper-evident), and as easy to withdraw as to give
                (guide: consent). Only purposes whose lawful basis is consent take it. A running gateway applies a change
                within `server.key_refresh_seconds`.
                """,
            subcommands: [Give.self, Withdraw.self, Show.self])
    }
}

extension Rampart.Ledger.Consent {
    struct Give: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that a subject gave consent for a purpose.",
            discussion: "Example: rampart ledger consent give --subject u-4821 --purpose support --notice privacy-notice@3 --method web-form --jurisdiction DE")

        @OptionGroup var options: ConfigOptions
        @OptionGroup var consent: ConsentOptions
        @Option(help: ArgumentHelp("The notice shown, as id@version.", valueName: "id@version")) var notice: String?
        @Option(help: "How consent was obtained: web-form, api, email, verbal, …") var method: String = "api"
        @Option(help: "Where: an ISO 3166 country code or EU.") var jurisdiction: String?
        @Option(help: ArgumentHelp("A file kept as evidence (the signed form); its SHA-256 is recorded, not its content.", valueName: "file"))
        var evidence: String?
        @Option(help: ArgumentHelp("When the consent lapses: RFC 3339 time or a date.", valueName: "time")) var expires: String?

        func validate() throws {
            if let notice, notice.split(separator: "@").count != 2 { throw ValidationError("--notice must be id@version, e.g. privacy-notice@3") }
            if let expires, RFC3339.parse(expires) == nil { throw ValidationError("--expires must be an RFC 3339 time (2027-01-31T00:00:00Z) or a date (2027-01-31)") }
        }

        func run() async throws {
            let config = try options.load()
            var digest: String?
            if let evidence {
                guard let data = FileManager.default.contents(atPath: evidence) else { CLI.fail("cannot read the evidence file \(evidence)", code: Exit.noInput) }
                digest = Hex.encode(SHA256.hash(data: data))
            }
            let request = ConsentRequest(subject: consent.subject, purpose: consent.purpose, notice: notice, method: method, jurisdiction: jurisdiction,
                                         evidenceSHA256: digest, expires: expires.flatMap(RFC3339.parse))
            let entry = await withLedger(config, creates: true) { try await $0.giveConsent(request, purposes: config.purposes) }
            print("consent given: entry \(entry.seq), purpose \(consent.purpose)")
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a subject withdrew consent for a purpose (exit 1 if none was current).")

        @OptionGroup var options: ConfigOptions
        @OptionGroup var consent: ConsentOptions
        @Option(help: "How consent was withdrawn: web-form, api, email, verbal, …") var method: String = "api"

        func run() async throws {
            let config = try options.load()
            let entry = await withLedger(config) {
                try await $0.withdrawConsent(subject: consent.subject, purpose: consent.purpose, method: method, purposes: config.purposes, book: ConsentBook())
            }
            print("consent withdrawn: entry \(entry.seq), purpose \(consent.purpose)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a subject's current consent per purpose.")

        @OptionGroup var options: ConfigOptions
        @OptionGroup var who: SubjectOption
        var subject: String { who.subject }
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let config = try options.load()
            let rows = await withLedger(config) { try await $0.consentStatus(subject: subject, purposes: config.purposes) }
            switch format {
            case .json: CLI.printJSON(rows)
            case .text:
                print(Table.render(header: ["PURPOSE", "STATE", "EXPIRES", "ENTRY"],
                                   rows: rows.map { [$0.purpose, $0.state, $0.expires ?? "-", $0.entry.map(String.init) ?? "-"] }))
            }
        }
    }
}

extension Rampart.Ledger {
    struct Subject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A subject's rights: export what is held, erase it, object to a purpose.",
            discussion: """
                export: one JSON document — consents, objections, every ledger event about the subject (sealed fields opened),
                the decision records naming them, the purposes involved, the models trained on their data (access and
                portability). erase: destroys the subject's key and link (crypto-shredding; the log still verifies), marks
                models trained on their data retrain-required, prints a receipt signed with the ledger key. object: the
                gateway refuses the subject on that purpose's routes from then on. rectify: a correcting event that supersedes an
                entry about the subject (the entry itself is never rewritten).
                """,
            subcommands: [Export.self, Erase.self, Object.self, Rectify.self])
    }

    struct Lineage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record which subjects' data trained a model.",
            subcommands: [RecordLineage.self])
    }

    struct RecordLineage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record that SUBJECTS' data (one Rampart-Subject id per line) trained MODEL@VERSION from DATASET.",
            discussion: "Example: rampart ledger lineage record --model fraud-detector@3 --dataset tx-2026q3 --subjects subjects.txt --purpose training")

        @OptionGroup var options: ConfigOptions
        @Option(help: ArgumentHelp("The model, as name@version.", valueName: "name@version")) var model: String
        @Option(help: "The dataset's id.") var dataset: String
        @Option(help: ArgumentHelp("File with one subject id per line (- for standard input).", valueName: "file")) var subjects: String
        @Option(help: "The purpose of the training (an id from `purposes:`).") var purpose: String?

        func run() async throws {
            let config = try options.load()
            let text: String
            if subjects == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else if let data = FileManager.default.contents(atPath: subjects) {
                guard let decoded = String(data: data, encoding: .utf8) else { CLI.fail("\(subjects) is not UTF-8 text", code: Exit.dataError) }
                text = decoded
            } else {
                CLI.fail("cannot read the subjects file \(subjects)", code: Exit.noInput)
            }
            let ids = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard ids.count <= 1_000_000 else { CLI.fail("\(subjects) lists \(ids.count) subjects; record at most 1,000,000 per call", code: Exit.dataError) }
            let entry = await withLedger(config, creates: true) {
                try await $0.recordLineage(model: model, dataset: dataset, purpose: purpose, subjects: ids, purposes: config.purposes)
            }
            print("lineage recorded: entry \(entry.seq), \(model) trained on \(Set(ids).count) subject(s)")
        }
    }

    struct Purposes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the config's purposes in the ledger (new, changed, retired) and list them as recorded.",
            discussion: """
                Guide: purpose specification — a purpose and its lawful basis are documented before data is used for it. The
                ledger keeps each declaration (id, description, lawful basis, data categories, retention) as a `purpose.declared`
                event, and `purpose.retired` when a purpose leaves the config; rampart serve records changes at start.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let config = try options.load()
            let (added, recorded) = await withLedger(config, creates: true) { ledger in
                (try await ledger.recordPurposes(config.purposes), try await ledger.recordedPurposes())
            }
            switch format {
            case .json: CLI.printJSON(recorded)
            case .text:
                if !added.isEmpty { print("\(added.count) purpose change(s) recorded: entries \(added.map { String($0.seq) }.joined(separator: ", "))") }
                print(Table.render(header: ["PURPOSE", "STATE", "ENTRY", "SINCE"], rows: recorded.map { [$0.id, $0.state, String($0.entry), $0.time] }))
            }
        }
    }

    struct Models: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List models with recorded lineage and whether they must be retrained (after an erasure, withdrawal or objection).")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let config = try options.load()
            let models = await withLedger(config) { try await $0.models() }
            switch format {
            case .json: CLI.printJSON(models)
            case .text:
                print(Table.render(header: ["MODEL", "STATE", "SUBJECTS", "DATASETS", "WHY"], rows: models.map { m in
                    let why = m.reasons.first.map { m.reasons.count > 1 ? "\($0) (+\(m.reasons.count - 1) more)" : $0 } ?? "-"
                    return [m.model, m.state, String(m.subjects), m.datasets.joined(separator: ","), why]
                }))
            }
        }
    }
}

extension Rampart.Ledger.Subject {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print everything held about a subject as one JSON document.")

        @OptionGroup var options: ConfigOptions
        @OptionGroup var who: SubjectOption
        var subject: String { who.subject }

        func run() async throws {
            let config = try options.load()
            let decisions = await withStore(config, mustExist: true) { try await $0.decisions.list(.init(subject: subject, limit: 1_000_000)) }
            CLI.printJSON(await withLedger(config) { try await $0.export(subject: subject, purposes: config.purposes, decisions: decisions) })
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a subject by crypto-shredding and print the signed receipt (exit 1 if nothing is held).")

        @OptionGroup var options: ConfigOptions
        @OptionGroup var who: SubjectOption
        var subject: String { who.subject }
        @Option(help: "Output format: text (the signed receipt) or json.") var format: OutputFormat = .text

        func run() async throws {
            let config = try options.load()
            let receipt = await withLedger(config) { try await $0.erase(subject: subject) }
            if receipt.note == nil {
                FileHandle.standardError.write(Data("rampart: warning: no ledger.signing_key: the receipt is not signed\n".utf8))
            }
            switch format {
            case .json: CLI.printJSON(receipt)
            case .text:
                print(receipt.note ?? "erased \(receipt.subjectRef) at entry \(receipt.entry); \(receipt.entriesShredded) entries shredded; retrain: \(receipt.retrainRequired.isEmpty ? "-" : receipt.retrainRequired.joined(separator: ", "))",
                      terminator: receipt.note == nil ? "\n" : "")
            }
        }
    }

    struct Object: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a subject's objection to processing for a purpose.")

        @OptionGroup var options: ConfigOptions
        @OptionGroup var consent: ConsentOptions

        func run() async throws {
            let config = try options.load()
            let entry = await withLedger(config, creates: true) { try await $0.object(subject: consent.subject, purpose: consent.purpose, purposes: config.purposes) }
            print("objection recorded: entry \(entry.seq), purpose \(consent.purpose)")
        }
    }
}

extension Rampart.Ledger.Subject {
    struct Rectify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a correction of an entry about a subject; the original stays, superseded (right to rectification).",
            discussion: "Example: rampart ledger subject rectify --subject u-4821 --entry 12 --body '{\"jurisdiction\":\"AT\"}'")

        @OptionGroup var options: ConfigOptions
        @OptionGroup var who: SubjectOption
        var subject: String { who.subject }
        @Option(help: "The position of the entry to correct.") var entry: Int64
        @Option(help: "The corrected fields: a JSON object (sealed under the subject's key).") var body: String

        func run() async throws {
            let config = try options.load()
            let recorded = await withLedger(config) { try await $0.rectify(subject: subject, entry: entry, correction: body) }
            print("correction recorded: entry \(recorded.seq) supersedes entry \(entry)")
        }
    }
}
