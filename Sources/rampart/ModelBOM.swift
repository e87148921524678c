import ArgumentParser
import Foundation
import RampartCore
import RampartONNX
import RampartSupply

extension Rampart.Model {
    /// `rampart model bom`: a CycloneDX 1.6 ML-BOM for a model file or folder.
    struct BOM: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bom",
            abstract: "Write a CycloneDX 1.6 ML bill of materials (JSON) for a model file or folder.",
            discussion: """
                The model component carries every file's SHA-256 and the model digest, its format and, for ONNX, its
                inputs, outputs, opsets and operators; the scanner's verdict (`rampart model scan`); the signature
                check when a public key is given. With --config, the training datasets, purposes and state from the
                ledger's lineage (`rampart ledger lineage record`) become data components and model-card parameters;
                `rampart probe` reports become the model card's performance metrics and fairness assessments.

                Examples:
                  rampart model bom examples/models/digits_mlp.onnx > digits.cdx.json
                  rampart model bom model.onnx --config rampart.yaml --ledger-model fraud-detector@3 \\
                      --public-key pub.pem --probe-report probe-out/report.json --output model.cdx.json

                Exit codes: 0 written · 2 the model, a report or the ledger cannot be read · 64 bad command line.
                """)

        @Argument(help: ArgumentHelp("The model file or folder.", valueName: "path")) var path: String
        @Option(name: .shortAndLong, help: ArgumentHelp("rampart.yaml, to read the ledger's lineage.", valueName: "file")) var config: String?
        @Option(help: ArgumentHelp("The model's name in the ledger's lineage (default: the file or folder name).", valueName: "name"))
        var ledgerModel: String?
        @Option(help: ArgumentHelp("Check the model's signature with this public key (PEM).", valueName: "file")) var publicKey: String?
        @Option(help: ArgumentHelp("The signature (default: PATH.sig, or model.sig inside a folder).", valueName: "file")) var signature: String?
        @Option(help: ArgumentHelp("A `rampart probe` report.json (repeatable).", valueName: "file")) var probeReport: [String] = []
        @Option(help: ArgumentHelp("The component's name (default: the file or folder name).", valueName: "name")) var name: String?
        @Option(help: ArgumentHelp("The component's version.", valueName: "version")) var version: String?
        @Option(help: ArgumentHelp("Write the BOM here instead of standard output.", valueName: "file")) var output: String?

        static let errorExit = ExitCode(2)

        func run() async throws {
            let base = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
            let manifest: ModelManifest
            // The files a signature covers: a signature file inside the folder is not part of the model.
            let signatureFile = signature ?? ModelSignature.defaultSignaturePath(for: path)
            let ignore = ModelSignature.relativeInside(signatureFile, model: path).map { [$0] } ?? []
            do { manifest = try await ModelManifest.hash(path: path, ignore: ignore, ignoreGitPaths: true, allowSymlinks: false) } catch {
                CLI.fail(error.description, code: Self.errorExit)
            }
            var bom = MLBOM(name: name ?? base, manifest: manifest)
            bom.version = version
            bom.tool = Rampart.configuration.version
            bom.scan = await Self.scan(path)
            if let publicKey {
                let source = signature ?? ModelSignature.defaultSignaturePath(for: path)
                if let bytes = FileManager.default.contents(atPath: source) {
                    do {
                        let pem = try String(contentsOfFile: publicKey, encoding: .utf8)
                        bom.signature = try await ModelSignature.verify(path: path, bundle: try SigstoreBundle(parsing: Array(bytes)),
                                                                        key: try ModelSignature.loadPublicKey(pem), signaturePath: source)
                    } catch let failure as SigningError {
                        CLI.fail(failure.description, code: Self.errorExit)
                    } catch {
                        CLI.fail("cannot read the public key \(publicKey)", code: Self.errorExit)
                    }
                } else {
                    bom.signature = ModelSignature.Verification(verified: false, reason: "no signature at \(source)")
                }
            }
            if manifest.resources.count == 1, manifest.resources[0].name == ".", let model = try? ONNXModel.load(path: path) {
                bom.interface = MLBOM.Interface(producer: model.producer, opsets: model.opsets,
                                                inputs: model.inputs.map { "\($0.name): \($0.type) [\(($0.shape ?? []).joined(separator: ", "))]" },
                                                outputs: model.outputs.map { "\($0.name): \($0.type) [\(($0.shape ?? []).joined(separator: ", "))]" },
                                                operators: model.operators.map { "\($0.domain):\($0.name)" })
            }
            for file in probeReport {
                guard let data = FileManager.default.contents(atPath: file), let json = try? JSONValue.parse(Array(data)), json["results"] != nil else {
                    CLI.fail("\(file) is not a rampart probe report.json", code: Self.errorExit)
                }
                bom.probeReports.append(json)
            }
            if let config {
                let loaded = try ConfigOptions.parse(["--config", config]).load(errorCode: Self.errorExit)
                let wanted = ledgerModel ?? base
                let models = await withLedger(loaded) { try await $0.models() }
                if let state = models.first(where: { $0.model == wanted }) {
                    bom.lineage = MLBOM.Lineage(model: state.model, datasets: state.datasets, purposes: state.purposes, subjects: state.subjects,
                                                state: state.state, reasons: state.reasons)
                } else {
                    FileHandle.standardError.write(Data("rampart: note: the ledger records no lineage for `\(wanted)` (give --ledger-model)\n".utf8))
                }
            }
            var text = String(decoding: bom.document().encoded(), as: UTF8.self)
            text += "\n"
            if let output {
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: output)) } catch {
                    CLI.fail("cannot write \(output): \(error.localizedDescription)", code: Self.errorExit)
                }
            } else {
                print(text, terminator: "")
            }
        }

        /// The scan of a file, or of a folder's files folded into one report.
        static func scan(_ path: String) async -> FileReport? {
            let report = await ModelScanner().scan(paths: [path])
            guard !report.files.isEmpty else { return nil }
            if report.files.count == 1, report.files[0].path == path { return report.files[0] }
            let findings = report.files.flatMap { file in
                file.findings.map { Finding($0.severity, $0.rule, $0.message, at: "\(file.path): \($0.location)", count: $0.count) }
            }
            return FileReport(path: path, format: "folder", sha256: "", size: report.files.reduce(0) { $0 + $1.size }, findings: findings)
        }
    }
}
