import Crypto
import Foundation
import Testing
@testable import RampartLedger

@Suite struct CheckpointTests {
    static let time = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func signedCheckpointsOpenWithTheVerifierKeyOnly() throws {
        let key = try LedgerSigningKey.generate(name: "rampart.test/ledger")
        let tree = MerkleTree(leaves: (0..<5).map { MerkleHash.leaf([UInt8($0)]) })
        let checkpoint = Checkpoint(origin: "rampart.test/ledger", size: 5, root: tree.root, time: Self.time)
        let note = try checkpoint.signed(with: key)
        #expect(note.hasPrefix("rampart.test/ledger\n5\n\(Data(tree.root.bytes).base64EncodedString())\ntime 2026-11-18T"))
        #expect(note.contains("\n\n\u{2014} rampart.test/ledger "))
        #expect(try Checkpoint.open(note, verifierKey: key.verifierKey) == checkpoint)

        // Any change to the text, the signature, or another key: refused.
        let other = try LedgerSigningKey.generate(name: "rampart.test/ledger")
        #expect(throws: CheckpointError.self) { try Checkpoint.open(note, verifierKey: other.verifierKey) }
        #expect(throws: CheckpointError.self) { try Checkpoint.open(note.replacingOccurrences(of: "\n5\n", with: "\n6\n"), verifierKey: key.verifierKey) }
        var bytes = Array(note.utf8)
        bytes[bytes.count - 5] = bytes[bytes.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: CheckpointError.self) { try Checkpoint.open(String(decoding: bytes, as: UTF8.self), verifierKey: key.verifierKey) }
        #expect(throws: CheckpointError.self) { try Checkpoint.open("garbage", verifierKey: key.verifierKey) }
        #expect(throws: CheckpointError.self) { try Checkpoint.open(note, verifierKey: "not+a+key") }
        #expect(throws: CheckpointError.self) { try checkpoint.signed(with: try LedgerSigningKey.generate(name: "other")) }
    }

    /// The verifier key and key id follow the C2SP signed-note rules, so Go's `note` package reads them too.
    @Test func defaultKeyIsCreatedOnceWithModeSixHundred() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-key-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rampart.ledger.pem"
        let (made, created) = try LedgerSigningKey.loadOrCreate(name: "acme.example/ledger", path: path)
        #expect(created)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let (again, createdAgain) = try LedgerSigningKey.loadOrCreate(name: "acme.example/ledger", path: path)
        #expect(!createdAgain && again.verifierKey == made.verifierKey)
        #expect(throws: LedgerKeyError.exists(path)) { try made.write(to: path) }
        #expect(throws: LedgerKeyError.cannotWrite(folder + "/missing/key.pem")) { try made.write(to: folder + "/missing/key.pem") }
    }

    @Test func verifierKeyFormat() throws {
        let key = try LedgerSigningKey(name: "example.com/log", privateKey: Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32)))
        let parts = key.verifierKey.split(separator: "+", maxSplits: 2)
        #expect(parts.count == 3 && parts[0] == "example.com/log" && parts[1].count == 8)
        let blob = Data(base64Encoded: String(parts[2]))!
        #expect(blob.first == 0x01 && blob.dropFirst() == key.key.publicKey.rawRepresentation)
        let digest = Array(SHA256.hash(data: Array("example.com/log\n".utf8) + [0x01] + key.key.publicKey.rawRepresentation))
        #expect(String(parts[1]) == digest.prefix(4).map { String(format: "%02x", $0) }.joined())
        #expect(throws: LedgerKeyError.badName("has space")) { try LedgerSigningKey.generate(name: "has space") }
    }

    /// Keys round-trip through PKCS#8 PEM, and a key written by OpenSSL reads (when openssl is installed: the test
    /// script installs it).
    @Test func pemKeysFromRampartAndOpenSSL() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try LedgerSigningKey.generate(name: "log")
        let path = folder.appendingPathComponent("ledger.pem").path
        try key.write(to: path)
        #expect(throws: LedgerKeyError.exists(path)) { try key.write(to: path) }
        let loaded = try LedgerSigningKey.load(name: "log", path: path)
        #expect(loaded.verifierKey == key.verifierKey)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: LedgerKeyError.tooOpen(path, mode: 0o644)) { try LedgerSigningKey.load(name: "log", path: path) }
        #expect(throws: LedgerKeyError.missing(folder.path + "/none.pem")) { try LedgerSigningKey.load(name: "log", path: folder.path + "/none.pem") }
        #expect(throws: LedgerKeyError.notPEM("x")) { try LedgerSigningKey(name: "log", pem: "hello", path: "x") }
        #expect(throws: LedgerKeyError.publicKeyGiven("x")) { try LedgerSigningKey(name: "log", pem: key.publicPEM, path: "x") }
        let rsaLike = "-----BEGIN PRIVATE KEY-----\nMIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEA\n-----END PRIVATE KEY-----\n"
        #expect(throws: LedgerKeyError.notEd25519("x")) { try LedgerSigningKey(name: "log", pem: rsaLike, path: "x") }

        let openssl = folder.appendingPathComponent("openssl.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["genpkey", "-algorithm", "ed25519", "-out", openssl]
        // scripts/test.sh installs openssl.
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "install openssl to run this test")
        try process.run()
        process.waitUntilExit()
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: openssl)
        let fromOpenSSL = try LedgerSigningKey.load(name: "log", path: openssl)
        let note = try Checkpoint(origin: "log", size: 0, root: .empty, time: Self.time).signed(with: fromOpenSSL)
        #expect(try Checkpoint.open(note, verifierKey: fromOpenSSL.verifierKey).size == 0)
    }
}
