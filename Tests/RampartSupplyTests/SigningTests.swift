import Crypto
import Foundation
import RampartCore
@testable import RampartSupply
import Testing

/// Model signatures: bundles OpenSSF's `model_signing` 1.1.1 made (committed under Signing/, folder and single
/// file) verify, Rampart's own round-trip, and every kind of tampering is named.
@Suite("Model signing")
struct SigningTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Signing")

    static func publicKey() throws -> P256.Signing.PublicKey {
        try ModelSignature.loadPublicKey(String(contentsOf: fixtures.appendingPathComponent("pub.pem"), encoding: .utf8))
    }

    static func bundle(_ path: String) throws -> SigstoreBundle {
        try SigstoreBundle(parsing: [UInt8](Data(contentsOf: fixtures.appendingPathComponent(path))))
    }

    @Test func bundlesMadeByModelSigningVerify() async throws {
        let folder = try await ModelSignature.verify(path: Self.fixtures.appendingPathComponent("model").path, bundle: Self.bundle("model/model.sig"),
                                                     key: Self.publicKey(), signaturePath: Self.fixtures.appendingPathComponent("model/model.sig").path,
                                                     allowSymlinks: true)
        #expect(folder.verified && folder.files == 11, "\(folder)")
        let single = try await ModelSignature.verify(path: Self.fixtures.appendingPathComponent("single.bin").path, bundle: Self.bundle("single.bin.sig"),
                                                     key: Self.publicKey(), signaturePath: nil)
        #expect(single.verified && single.files == 1 && single.subject == "723a6fca0dd1bf24480f4522a60133cad3dba55e36168baec83b0fcb980dbd42")
        // The hint model_signing wrote is the SHA-256 of the public key's PEM.
        #expect(try Self.bundle("single.bin.sig").keyHint == SigstoreBundle.hint(for: Self.publicKey()))
    }

    @Test func resourcesSortByPathComponentLikeModelSigning() {
        let names = ["config.json", "a-b/x.txt", "B.txt", "a/x.txt", "sub/ünï.txt", "sub/deeper/big.bin"]
        #expect(names.sorted(by: ModelManifest.precedes) == ["B.txt", "a/x.txt", "a-b/x.txt", "config.json", "sub/deeper/big.bin", "sub/ünï.txt"])
    }

    @Test func signVerifyAndNameEveryTamperedFile() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-sign-\(UUID().uuidString)")
        let model = dir.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model.appendingPathComponent("layers"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in [("weights.bin", "w"), ("layers/one.bin", "1"), ("layers/two.bin", "2"), ("config.json", "{}")] {
            try Data(text.utf8).write(to: model.appendingPathComponent(name))
        }
        let key = P256.Signing.PrivateKey()
        let signature = ModelSignature.defaultSignaturePath(for: model.path)
        #expect(signature.hasSuffix("model/model.sig"))
        let (bundle, manifest) = try await ModelSignature.sign(path: model.path, key: key, signaturePath: signature)
        #expect(manifest.resources.map(\.name) == ["config.json", "layers/one.bin", "layers/two.bin", "weights.bin"])
        try Data(bundle.encoded()).write(to: URL(fileURLWithPath: signature))
        let reread = try SigstoreBundle(parsing: [UInt8](Data(contentsOf: URL(fileURLWithPath: signature))))
        #expect(reread == bundle)
        var result = try await ModelSignature.verify(path: model.path, bundle: reread, key: key.publicKey, signaturePath: signature)
        #expect(result.verified && result.files == 4)

        try Data("changed".utf8).write(to: model.appendingPathComponent("weights.bin"))
        try Data("new".utf8).write(to: model.appendingPathComponent("layers/three.bin"))
        try FileManager.default.removeItem(at: model.appendingPathComponent("layers/two.bin"))
        result = try await ModelSignature.verify(path: model.path, bundle: reread, key: key.publicKey, signaturePath: signature)
        #expect(!result.verified && result.changed == ["weights.bin"] && result.added == ["layers/three.bin"] && result.removed == ["layers/two.bin"])

        // Another key, an altered statement, an altered signature: each is refused with its reason.
        let other = P256.Signing.PrivateKey().publicKey
        result = try await ModelSignature.verify(path: model.path, bundle: reread, key: other, signaturePath: signature)
        #expect(!result.verified && result.reason?.contains("another key") == true)
        var forged = reread
        forged.keyHint = nil
        result = try await ModelSignature.verify(path: model.path, bundle: forged, key: other, signaturePath: signature)
        #expect(!result.verified && result.reason?.contains("does not match") == true)
        var edited = reread
        edited.payload = Array(String(decoding: edited.payload, as: UTF8.self).replacingOccurrences(of: "weights.bin", with: "weights.bim").utf8)
        result = try await ModelSignature.verify(path: model.path, bundle: edited, key: key.publicKey, signaturePath: signature)
        #expect(!result.verified && result.reason?.contains("does not match") == true)
    }

    @Test func badKeysAndBundlesAreClearErrors() {
        #expect(throws: SigningError.self) { try ModelSignature.loadPrivateKey("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n") }
        #expect(throws: SigningError.self) { try ModelSignature.loadPublicKey("not a key") }
        #expect(throws: SigningError.self) { try SigstoreBundle(parsing: Array("{}".utf8)) }
        #expect(throws: SigningError.self) { try SigstoreBundle(parsing: Array(#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#.utf8)) }
        #expect(throws: SigningError.self) { try ModelStatement.decode(Array(#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"x"}"#.utf8)) }
        // A key pair from keygen loads back, and its public PEM gives the hint model_signing computes.
        let (privatePEM, publicPEM) = ModelSignature.generateKeyPair()
        #expect((try? ModelSignature.loadPrivateKey(privatePEM)) != nil && publicPEM.hasSuffix("-----\n"))
    }
}
