import Crypto
import Foundation
import RampartCore

/// The ledger's Ed25519 signing key, kept outside the database (guide: transparency and traceability — a log that
/// whoever holds the database could rewrite and re-sign would prove nothing).
///
/// On disk it is a PKCS#8 PEM file, as `openssl genpkey -algorithm ed25519` writes it (RFC 8410); `rampart ledger
/// keygen` writes the same. Its verifier key — what anyone checking a checkpoint needs — is the C2SP signed-note
/// form `<name>+<key id>+<base64(0x01 ‖ public key)>`, which Go's `golang.org/x/mod/sumdb/note` also reads.
public struct LedgerSigningKey: Sendable {
    public let name: String
    let key: Curve25519.Signing.PrivateKey

    public init(name: String, privateKey: Curve25519.Signing.PrivateKey) throws(LedgerKeyError) {
        guard Self.isValidName(name) else { throw .badName(name) }
        self.name = name
        self.key = privateKey
    }

    /// A new random key.
    public static func generate(name: String) throws(LedgerKeyError) -> LedgerSigningKey {
        try LedgerSigningKey(name: name, privateKey: Curve25519.Signing.PrivateKey())
    }

    /// Key names are the log's origin: printable, no spaces or `+` (C2SP signed-note).
    static func isValidName(_ name: String) -> Bool { LedgerConfig.isValidOrigin(name) }

    /// The signed-note key id: the first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key).
    static func keyID(name: String, publicKey: Curve25519.Signing.PublicKey) -> UInt32 {
        var data = Array(name.utf8)
        data.append(0x0A)
        data.append(0x01)
        data.append(contentsOf: publicKey.rawRepresentation)
        let digest = Array(SHA256.hash(data: data))
        return UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
    }

    public var keyID: UInt32 { Self.keyID(name: name, publicKey: key.publicKey) }

    /// `<name>+<key id, 8 hex digits>+<base64(0x01 ‖ public key)>`.
    public var verifierKey: String {
        "\(name)+\(String(format: "%08x", keyID))+\(Data([0x01] + key.publicKey.rawRepresentation).base64EncodedString())"
    }

    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        Array(try key.signature(for: message))
    }

    // MARK: PKCS#8 PEM

    /// DER of PKCS#8 v1 for Ed25519 up to the 32-byte seed: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 },
    /// OCTET STRING { OCTET STRING (32) } }.
    static let pkcs8Prefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    /// SubjectPublicKeyInfo for Ed25519 up to the 32-byte key.
    static let spkiPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    public var pem: String {
        Self.pem(label: "PRIVATE KEY", der: Self.pkcs8Prefix + key.rawRepresentation)
    }

    /// The public key as SubjectPublicKeyInfo PEM (`openssl pkey -pubout` form).
    public var publicPEM: String {
        Self.pem(label: "PUBLIC KEY", der: Self.spkiPrefix + key.publicKey.rawRepresentation)
    }

    static func pem(label: String, der: [UInt8]) -> String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(body)\n-----END \(label)-----\n"
    }

    /// Reads a PKCS#8 PEM Ed25519 private key (v1 as OpenSSL writes it, or v2 with the public key appended, RFC 8410).
    public init(name: String, pem: String, path: String = "key") throws(LedgerKeyError) {
        let lines = pem.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "-----BEGIN PRIVATE KEY-----"),
              let end = lines[begin...].firstIndex(of: "-----END PRIVATE KEY-----") else {
            if lines.contains(where: { $0.hasPrefix("-----BEGIN") && $0.contains("PUBLIC KEY") }) { throw .publicKeyGiven(path) }
            throw .notPEM(path)
        }
        guard let der = Data(base64Encoded: lines[(begin + 1)..<end].joined()).map(Array.init) else { throw .notPEM(path) }
        // v1: the fixed prefix and 32 bytes. v2 (version 1, [1] public key): same algorithm and seed, more at the end.
        var seed: ArraySlice<UInt8>?
        if der.count == 48, der.starts(with: Self.pkcs8Prefix) {
            seed = der[16..<48]
        } else if der.count >= 50, der[0] == 0x30, der[2...4] == [0x02, 0x01, 0x01],
                  der[5...15].elementsEqual(Self.pkcs8Prefix[5...15]) {
            seed = der[16..<48]
        }
        guard let seed else { throw .notEd25519(path) }
        do {
            try self.init(name: name, privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: seed))
        } catch let error as LedgerKeyError {
            throw error
        } catch {
            throw .notEd25519(path)
        }
    }

    /// Reads the key file at `path`; the file must not be readable by group or others.
    public static func load(name: String, path: String) throws(LedgerKeyError) -> LedgerSigningKey {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attributes else { throw .missing(path) }
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw .tooOpen(path, mode: mode)
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { throw .unreadable(path) }
        return try LedgerSigningKey(name: name, pem: text, path: path)
    }

    /// Writes a new key to `path` with mode 0600, refusing to overwrite an existing file. The key is written whole to a
    /// temporary file created with `O_CREAT | O_EXCL` and its mode at once (never readable by others, not even for a
    /// moment), synced, then linked to `path` — so `path` never holds a partial key, and of two processes racing to
    /// create it exactly one wins.
    public func write(to path: String) throws(LedgerKeyError) {
        let temporary = path + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotWrite(path) }
        defer { unlink(temporary) }
        let file = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try file.write(contentsOf: Data(pem.utf8))
            try file.synchronize()
            try file.close()
        } catch {
            throw .cannotWrite(path)
        }
        guard link(temporary, path) == 0 else { throw errno == EEXIST ? .exists(path) : .cannotWrite(path) }
    }

    /// The key at `path`, created (mode 0600) when there is no file there yet — what `rampart serve` does with the
    /// default key beside a SQLite store. `created` tells whether this call made it.
    public static func loadOrCreate(name: String, path: String) throws(LedgerKeyError) -> (key: LedgerSigningKey, created: Bool) {
        if FileManager.default.fileExists(atPath: path) { return (try load(name: name, path: path), false) }
        let key = try generate(name: name)
        do {
            try key.write(to: path)
        } catch .exists {
            // Another process made it first: use theirs.
            return (try load(name: name, path: path), false)
        }
        return (key, true)
    }
}

public enum LedgerKeyError: Error, Equatable, CustomStringConvertible {
    case badName(String)
    case missing(String)
    case notPEM(String)
    case publicKeyGiven(String)
    case notEd25519(String)
    case tooOpen(String, mode: Int)
    case exists(String)
    case cannotWrite(String)
    case unreadable(String)

    public var description: String {
        switch self {
        case let .badName(name): "ledger key name '\(name)' must be non-empty, without spaces or '+'"
        case let .missing(path): "ledger signing key \(path) cannot be read; create one with `rampart ledger keygen --out \(path)`"
        case let .notPEM(path): "ledger signing key \(path) is not a PEM file with a PRIVATE KEY block (PKCS#8, as `openssl genpkey -algorithm ed25519` writes)"
        case let .publicKeyGiven(path): "\(path) holds a public key; the ledger needs the private key (PKCS#8 PEM) to sign checkpoints"
        case let .notEd25519(path): "ledger signing key \(path) is not an Ed25519 key (RFC 8410 PKCS#8); create one with `rampart ledger keygen`"
        case let .tooOpen(path, mode): "ledger signing key \(path) has mode \(String(mode, radix: 8)); others must not read it: chmod 600 \(path)"
        case let .exists(path): "\(path) exists; the ledger will not overwrite a signing key"
        case let .cannotWrite(path): "cannot write \(path): check the folder exists and is writable"
        case let .unreadable(path): "ledger signing key \(path) exists but cannot be read by this user (the key is mode 0600, its owner's); run as that user, or pass the verifier key with --key where the command takes one"
        }
    }
}
