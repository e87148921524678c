import Crypto
import Foundation
import RampartCore

/// Signing and verifying models in OpenSSF model signing's key mode (EC P-256, offline): the signature is a Sigstore
/// bundle, by default `PATH.sig` beside a model file or `model.sig` inside a model folder.
public enum ModelSignature {
    /// Where the signature goes when none is named.
    public static func defaultSignaturePath(for model: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), isDirectory.boolValue {
            return (model.hasSuffix("/") ? model : model + "/") + "model.sig"
        }
        return model + ".sig"
    }

    /// The signature file's path relative to the model folder, when it lies inside it (it is then left out of what
    /// is signed, as model_signing leaves it out).
    public static func relativeInside(_ signature: String, model: String) -> String? {
        let root = URL(fileURLWithPath: model).standardizedFileURL.path
        let sig = URL(fileURLWithPath: signature).standardizedFileURL.path
        guard sig.hasPrefix(root + "/") else { return nil }
        return String(sig.dropFirst(root.count + 1))
    }

    public static func loadPrivateKey(_ pem: String) throws(SigningError) -> P256.Signing.PrivateKey {
        if pem.contains("ENCRYPTED") { throw .badKey("the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)") }
        do { return try P256.Signing.PrivateKey(pemRepresentation: pem) } catch {
            throw .badKey("not an EC P-256 private key in PEM (SEC 1 `EC PRIVATE KEY` or PKCS #8 `PRIVATE KEY`): \(error)")
        }
    }

    public static func loadPublicKey(_ pem: String) throws(SigningError) -> P256.Signing.PublicKey {
        do { return try P256.Signing.PublicKey(pemRepresentation: pem) } catch {
            throw .badKey("not an EC P-256 public key in PEM (`PUBLIC KEY`): \(error)")
        }
    }

    /// A new key pair as PEM: the private key in PKCS #8, the public key as model_signing's hint expects it.
    public static func generateKeyPair() -> (privatePEM: String, publicPEM: String) {
        let key = P256.Signing.PrivateKey()
        return (key.pemRepresentation + "\n", key.publicKey.pemRepresentation + "\n")
    }

    /// Signs the model at `path`: hashes every file, builds the statement and the bundle.
    public static func sign(path: String, key: P256.Signing.PrivateKey, signaturePath: String, ignore: [String] = [],
                            ignoreGitPaths: Bool = true, allowSymlinks: Bool = false) async throws(SigningError) -> (bundle: SigstoreBundle, manifest: ModelManifest) {
        var ignored = ignore
        if let inside = relativeInside(signaturePath, model: path) { ignored.append(inside) }
        let manifest = try await ModelManifest.hash(path: path, ignore: ignored, ignoreGitPaths: ignoreGitPaths, allowSymlinks: allowSymlinks)
        let payload = ModelStatement.encode(manifest)
        let signature: P256.Signing.ECDSASignature
        do { signature = try key.signature(for: SigstoreBundle.pae(payload)) } catch { throw .badKey("signing failed: \(error)") }
        let bundle = SigstoreBundle(payload: payload, signature: Array(signature.derRepresentation), keyHint: SigstoreBundle.hint(for: key.publicKey))
        return (bundle, manifest)
    }

    /// What `verify` found.
    public struct Verification: Sendable, Equatable, Encodable {
        public var verified: Bool
        /// Why not, in one line (nil when verified).
        public var reason: String?
        public var changed: [String] = []
        public var added: [String] = []
        public var removed: [String] = []
        public var files = 0
        /// The model's subject digest (SHA-256 over the file digests): what a decision record names as the model.
        public var subject: String?

        public init(verified: Bool, reason: String? = nil, files: Int = 0, subject: String? = nil) {
            self.verified = verified
            self.reason = reason
            self.files = files
            self.subject = subject
        }
    }

    /// Checks the bundle's signature with `key`, then the model's files against the signed list.
    public static func verify(path: String, bundle: SigstoreBundle, key: P256.Signing.PublicKey, signaturePath: String?,
                              ignore: [String] = [], ignoreGitPaths: Bool = true, allowSymlinks: Bool = false) async throws(SigningError) -> Verification {
        if let hint = bundle.keyHint, hint.lowercased() != SigstoreBundle.hint(for: key) {
            return Verification(verified: false, reason: "the signature was made with another key (its public key hint is \(hint.prefix(16))…)")
        }
        guard let signature = try? P256.Signing.ECDSASignature(derRepresentation: bundle.signature),
              key.isValidSignature(signature, for: SigstoreBundle.pae(bundle.payload)) else {
            return Verification(verified: false, reason: "the signature does not match the signed statement: the signature file was altered or made with another key")
        }
        let claim = try ModelStatement.decode(bundle.payload)
        var hasher = SHA256()
        for r in claim.resources { hasher.update(data: Hex.decode(r.digest) ?? []) }
        guard Hex.encode(hasher.finalize()) == claim.subject else {
            return Verification(verified: false, reason: "the statement is inconsistent: its subject digest does not match its file list")
        }
        var ignored = ignore + claim.ignorePaths
        if let signaturePath, let inside = relativeInside(signaturePath, model: path) { ignored.append(inside) }
        let actual = try await ModelManifest.hash(path: path, ignore: ignored, ignoreGitPaths: ignoreGitPaths, allowSymlinks: allowSymlinks)
        let signed = Dictionary(claim.resources.map { ($0.name, $0.digest) }, uniquingKeysWith: { a, _ in a })
        let present = Dictionary(actual.resources.map { ($0.name, $0.digest) }, uniquingKeysWith: { a, _ in a })
        var result = Verification(verified: true, files: actual.resources.count, subject: claim.subject)
        result.changed = claim.resources.map(\.name).filter { present[$0] != nil && present[$0] != signed[$0] }
        result.removed = claim.resources.map(\.name).filter { present[$0] == nil }
        result.added = actual.resources.map(\.name).filter { signed[$0] == nil }
        if !(result.changed.isEmpty && result.removed.isEmpty && result.added.isEmpty) {
            result.verified = false
            result.reason = "the model differs from what was signed: \(result.changed.count) changed, \(result.added.count) added, \(result.removed.count) removed"
        }
        return result
    }
}
