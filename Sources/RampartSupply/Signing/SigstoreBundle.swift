import Crypto
import Foundation
import RampartCore

/// The signature file OpenSSF model signing writes in key mode: a Sigstore bundle (v0.3) holding a DSSE envelope
/// over an in-toto Statement v1 whose predicate (`https://model_signing/signature/v1.0`) lists every file's
/// SHA-256. Rampart writes and reads exactly this, so `model_signing verify key` accepts Rampart's signatures and
/// `rampart model verify` accepts model_signing's.
public struct SigstoreBundle: Sendable, Equatable {
    public static let mediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
    public static let payloadType = "application/vnd.in-toto+json"
    public static let statementType = "https://in-toto.io/Statement/v1"
    public static let predicateType = "https://model_signing/signature/v1.0"

    /// The statement's exact bytes: the signature covers these, never a re-serialization.
    public var payload: [UInt8]
    /// DER-encoded ECDSA signature.
    public var signature: [UInt8]
    /// SHA-256 of the signer's public key PEM, when the bundle names it.
    public var keyHint: String?

    /// DSSE's pre-authentication encoding: what is actually signed.
    public static func pae(_ payload: [UInt8]) -> [UInt8] {
        Array("DSSEv1 \(payloadType.utf8.count) \(payloadType) \(payload.count) ".utf8) + payload
    }

    /// The bundle as model_signing writes it: compact JSON, one line, its key order.
    public func encoded() -> [UInt8] {
        var json: [(key: String, value: JSONValue)] = [("mediaType", .string(Self.mediaType))]
        var material: [(key: String, value: JSONValue)] = []
        if let keyHint { material.append(("publicKey", .object([("hint", .string(keyHint))]))) }
        material.append(("tlogEntries", .array([])))
        json.append(("verificationMaterial", .object(material)))
        json.append(("dsseEnvelope", .object([
            ("payload", .string(Data(payload).base64EncodedString())),
            ("payloadType", .string(Self.payloadType)),
            ("signatures", .array([.object([("sig", .string(Data(signature).base64EncodedString())), ("keyid", .string(""))])])),
        ])))
        return JSONValue.object(json).encoded()
    }

    public init(payload: [UInt8], signature: [UInt8], keyHint: String?) {
        self.payload = payload
        self.signature = signature
        self.keyHint = keyHint
    }

    public init(parsing bytes: [UInt8]) throws(SigningError) {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw .badBundle("not JSON: \(error)") }
        guard let media = json["mediaType"]?.stringValue else { throw .badBundle("no mediaType: not a Sigstore bundle") }
        guard media.hasPrefix("application/vnd.dev.sigstore.bundle") else { throw .badBundle("mediaType `\(media)` is not a Sigstore bundle's") }
        guard let envelope = json["dsseEnvelope"] else {
            throw .badBundle("no dsseEnvelope: a bundle signing a single artifact's digest, not a model signature")
        }
        guard envelope["payloadType"]?.stringValue == Self.payloadType else {
            throw .badBundle("payloadType `\(envelope["payloadType"]?.stringValue ?? "?")` is not \(Self.payloadType)")
        }
        guard let payloadText = envelope["payload"]?.stringValue, let payload = Data(base64Encoded: payloadText) else {
            throw .badBundle("the envelope's payload is not base64")
        }
        guard let first = envelope["signatures"]?.arrayValue?.first, let sigText = first["sig"]?.stringValue,
              let signature = Data(base64Encoded: sigText) else {
            throw .badBundle("the envelope has no base64 signature")
        }
        if json["verificationMaterial"]?["certificate"] != nil || json["verificationMaterial"]?["x509CertificateChain"] != nil {
            throw .badBundle("signed with a certificate (Sigstore or PKI mode); Rampart verifies key-mode signatures")
        }
        self.init(payload: Array(payload), signature: Array(signature), keyHint: json["verificationMaterial"]?["publicKey"]?["hint"]?.stringValue)
    }

    /// The hint model_signing writes: SHA-256 of the public key's PEM (uncompressed point, ending in a newline).
    public static func hint(for key: P256.Signing.PublicKey) -> String {
        var pem = key.pemRepresentation
        if !pem.hasSuffix("\n") { pem += "\n" }
        return Hex.encode(SHA256.hash(data: Data(pem.utf8)))
    }
}

/// The in-toto statement of a model signature.
public enum ModelStatement {
    /// Rampart's statement: deterministic key order, two-space indentation like model_signing's.
    public static func encode(_ manifest: ModelManifest) -> [UInt8] {
        var serialization: [(key: String, value: JSONValue)] = [
            ("method", .string("files")), ("hash_type", .string("sha256")), ("allow_symlinks", .bool(manifest.allowSymlinks)),
        ]
        if !manifest.ignorePaths.isEmpty { serialization.append(("ignore_paths", .array(manifest.ignorePaths.map { .string($0) }))) }
        let statement: JSONValue = .object([
            ("_type", .string(SigstoreBundle.statementType)),
            ("subject", .array([.object([("name", .string(manifest.name)), ("digest", .object([("sha256", .string(manifest.subjectDigest))]))])])),
            ("predicateType", .string(SigstoreBundle.predicateType)),
            ("predicate", .object([
                ("serialization", .object(serialization)),
                ("resources", .array(manifest.resources.map {
                    .object([("name", .string($0.name)), ("algorithm", .string($0.algorithm)), ("digest", .string($0.digest))])
                })),
            ])),
        ])
        return statement.encoded()
    }

    /// What a statement claims: its resources and ignored paths, checked for what model_signing checks.
    public static func decode(_ payload: [UInt8]) throws(SigningError) -> (resources: [ModelManifest.Resource], ignorePaths: [String], subject: String) {
        let json: JSONValue
        do { json = try JSONValue.parse(payload) } catch { throw .badBundle("the statement is not JSON: \(error)") }
        guard json["_type"]?.stringValue == SigstoreBundle.statementType else { throw .badBundle("the statement's _type is not \(SigstoreBundle.statementType)") }
        guard json["predicateType"]?.stringValue == SigstoreBundle.predicateType else {
            throw .badBundle("predicateType `\(json["predicateType"]?.stringValue ?? "?")` is not a model signature's (\(SigstoreBundle.predicateType))")
        }
        guard let subjects = json["subject"]?.arrayValue, subjects.count == 1, let subject = subjects[0]["digest"]?["sha256"]?.stringValue else {
            throw .badBundle("the statement must have exactly one subject with a sha256 digest")
        }
        guard let predicate = json["predicate"], let list = predicate["resources"]?.arrayValue else { throw .badBundle("the predicate lists no resources") }
        if let method = predicate["serialization"]?["method"]?.stringValue, method != "files" {
            throw .badBundle("serialization method `\(method)`: Rampart verifies `files` signatures (model_signing's default)")
        }
        var resources: [ModelManifest.Resource] = []
        for item in list {
            guard let name = item["name"]?.stringValue, let algorithm = item["algorithm"]?.stringValue, let digest = item["digest"]?.stringValue else {
                throw .badBundle("a resource without name, algorithm and digest")
            }
            guard algorithm == "sha256" else { throw .badBundle("resource `\(name)` uses \(algorithm); Rampart verifies sha256") }
            resources.append(ModelManifest.Resource(name: name, algorithm: algorithm, digest: digest.lowercased()))
        }
        let ignore = predicate["serialization"]?["ignore_paths"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return (resources, ignore, subject.lowercased())
    }
}
