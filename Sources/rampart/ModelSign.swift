import ArgumentParser
import Foundation
import RampartCore
import RampartSupply

/// `rampart model sign | verify | keygen`: OpenSSF model signing's key mode, interoperable with `model_signing`.
extension Rampart.Model {
    struct SignCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sign",
            abstract: "Sign a model file or folder with an EC P-256 key (OpenSSF model signing, key mode).",
            discussion: """
                Hashes every file (SHA-256; in a folder, each file by its path relative to the folder) and writes a
                Sigstore bundle holding a DSSE envelope over an in-toto statement that lists them — the format of
                OpenSSF's `model_signing` (v1), which verifies Rampart's signatures as Rampart verifies its. Offline:
                no Sigstore transparency log is involved.

                Examples:
                  rampart model keygen --private-key key.pem --public-key pub.pem
                  rampart model sign ./my-model --private-key key.pem           # writes ./my-model/model.sig
                  rampart model sign model.onnx --private-key key.pem           # writes model.onnx.sig

                `.git`, `.gitattributes`, `.github` and `.gitignore` at the folder's top are left out unless
                --no-ignore-git-paths; a signature file inside the folder is left out too. Symbolic links stop the
                signing unless --allow-symlinks (a link to a file is then signed as its target's content).
                Exit codes: 0 signed · 2 the model, the key or the signature file cannot be read or written · 64 bad
                command line.
                """)

        @Argument(help: ArgumentHelp("The model file or folder.", valueName: "path")) var path: String
        @Option(name: [.customLong("private-key"), .customLong("private_key")], help: ArgumentHelp("EC P-256 private key, PEM.", valueName: "file"))
        var privateKey: String
        @Option(help: ArgumentHelp("Where to write the signature (default: PATH.sig, or model.sig inside a folder).", valueName: "file"))
        var signature: String?
        @OptionGroup var files: ModelFileOptions
        @Option(help: "Output: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let key: String
            do { key = try String(contentsOfFile: privateKey, encoding: .utf8) } catch { CLI.fail("cannot read the private key \(privateKey)", code: Verify.errorExit) }
            let target = signature ?? ModelSignature.defaultSignaturePath(for: path)
            let ignore = ModelPaths.relative(files.ignorePaths, to: path)
            do {
                let (bundle, manifest) = try await ModelSignature.sign(path: path, key: try ModelSignature.loadPrivateKey(key), signaturePath: target,
                                                                       ignore: ignore, ignoreGitPaths: files.ignoreGitPaths, allowSymlinks: files.allowSymlinks)
                do { try Data(bundle.encoded()).write(to: URL(fileURLWithPath: target)) } catch {
                    CLI.fail("cannot write the signature \(target): \(error.localizedDescription)", code: Verify.errorExit)
                }
                if format == .json {
                    CLI.printJSON(["signature": target, "files": String(manifest.resources.count), "subject": manifest.subjectDigest])
                } else {
                    print("signed \(manifest.resources.count) file\(manifest.resources.count == 1 ? "" : "s") of \(path) → \(target)")
                    print("model digest (sha256 over the file digests): \(manifest.subjectDigest)")
                }
            } catch {
                CLI.fail(error.description, code: Verify.errorExit)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a model's signature and name every file changed, added or removed since it was signed.",
            discussion: """
                Checks the Sigstore bundle's signature with the public key, then hashes the model's files and compares
                them with the signed list. Bundles from OpenSSF's `model_signing sign key` verify here.

                Examples:
                  rampart model verify ./my-model --public-key pub.pem
                  rampart model verify model.onnx --public-key pub.pem --signature release/model.onnx.sig --format json

                Exit codes: 0 verified · 1 not verified (the files differ, the signature is wrong or from another key)
                · 2 the model, the key or the signature cannot be read · 64 bad command line.
                """)

        static let notVerified = ExitCode(1)
        static let errorExit = ExitCode(2)

        @Argument(help: ArgumentHelp("The model file or folder.", valueName: "path")) var path: String
        @Option(name: [.customLong("public-key"), .customLong("public_key")], help: ArgumentHelp("EC P-256 public key, PEM.", valueName: "file"))
        var publicKey: String
        @Option(help: ArgumentHelp("The signature (default: PATH.sig, or model.sig inside a folder).", valueName: "file"))
        var signature: String?
        @OptionGroup var files: ModelFileOptions
        @Option(help: "Output: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let source = signature ?? ModelSignature.defaultSignaturePath(for: path)
            guard let bundleBytes = FileManager.default.contents(atPath: source) else {
                CLI.fail("cannot read the signature \(source) (give it with --signature)", code: Self.errorExit)
            }
            let pem: String
            do { pem = try String(contentsOfFile: publicKey, encoding: .utf8) } catch { CLI.fail("cannot read the public key \(publicKey)", code: Self.errorExit) }
            let result: ModelSignature.Verification
            do {
                result = try await ModelSignature.verify(path: path, bundle: try SigstoreBundle(parsing: Array(bundleBytes)),
                                                         key: try ModelSignature.loadPublicKey(pem), signaturePath: source,
                                                         ignore: ModelPaths.relative(files.ignorePaths, to: path), ignoreGitPaths: files.ignoreGitPaths,
                                                         allowSymlinks: files.allowSymlinks)
            } catch {
                CLI.fail(error.description, code: Self.errorExit)
            }
            if format == .json {
                CLI.printJSON(result)
            } else if result.verified {
                print("verified: \(result.files) file\(result.files == 1 ? "" : "s") of \(path) match the signature (model digest \(result.subject ?? "?"))")
            } else {
                print("NOT VERIFIED: \(result.reason ?? "")")
                for name in result.changed { print("  changed  \(name)") }
                for name in result.added { print("  added    \(name)") }
                for name in result.removed { print("  removed  \(name)") }
            }
            if !result.verified { throw Self.notVerified }
        }
    }

    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an EC P-256 key pair for signing models.",
            discussion: """
                Writes the private key (PKCS #8 PEM, readable by its owner only) and the public key (PEM). Keep the
                private key off the machines that serve models; give them the public key.
                Example: rampart model keygen --private-key signing.pem --public-key signing.pub.pem
                Exit codes: 0 written · 2 a file exists or cannot be written.
                """)

        @Option(name: [.customLong("private-key"), .customLong("private_key")], help: ArgumentHelp("Where to write the private key.", valueName: "file"))
        var privateKey: String
        @Option(name: [.customLong("public-key"), .customLong("public_key")], help: ArgumentHelp("Where to write the public key.", valueName: "file"))
        var publicKey: String

        func run() throws {
            let (privatePEM, publicPEM) = ModelSignature.generateKeyPair()
            // The private key is created with mode 0600 and never overwritten.
            let fd = open(privateKey, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { CLI.fail("cannot create \(privateKey): \(String(cString: strerror(errno)))", code: Verify.errorExit) }
            let bytes = Array(privatePEM.utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == bytes.count else { CLI.fail("cannot write \(privateKey)", code: Verify.errorExit) }
            guard FileManager.default.createFile(atPath: publicKey, contents: Data(publicPEM.utf8)) else {
                CLI.fail("cannot write \(publicKey)", code: Verify.errorExit)
            }
            print("private key: \(privateKey) (keep it secret)\npublic key:  \(publicKey)")
        }
    }
}

/// Which files of a model `sign` and `verify` cover (the same flags as model_signing's, both spellings).
struct ModelFileOptions: ParsableArguments {
    @Option(name: [.customLong("ignore-paths"), .customLong("ignore_paths")], help: ArgumentHelp("A path inside the model to leave out (repeatable).", valueName: "path"))
    var ignorePaths: [String] = []
    @Flag(inversion: .prefixedNo, help: "Leave out .git, .gitattributes, .github and .gitignore at the model's top.")
    var ignoreGitPaths = true
    @Flag(name: [.customLong("allow-symlinks"), .customLong("allow_symlinks")], help: "Follow symbolic links to files.")
    var allowSymlinks = false
}

/// `--ignore-paths` as model_signing reads them: relative to the current folder, then made relative to the model.
enum ModelPaths {
    static func relative(_ paths: [String], to model: String) -> [String] {
        let root = URL(fileURLWithPath: model).standardizedFileURL.path
        return paths.compactMap { p in
            let full = URL(fileURLWithPath: p).standardizedFileURL.path
            if full.hasPrefix(root + "/") { return String(full.dropFirst(root.count + 1)) }
            // A path that does not resolve inside the model is taken as already relative to it.
            return p.hasPrefix("/") ? nil : p
        }
    }
}
