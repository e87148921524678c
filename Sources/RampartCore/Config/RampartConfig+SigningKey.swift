import Foundation

extension RampartConfig {
    /// The file holding the ledger's signing key: `ledger.signing_key` when set; on SQLite otherwise the key
    /// `rampart serve` creates beside the store on first start (``LedgerConfig/defaultSigningKeyPath(sqlite:)``), so
    /// checkpoints are signed and the log is tamper-evident out of the box. `nil` on PostgreSQL without
    /// `signing_key`: replicas must share one key, so none is made up per replica.
    ///
    /// The guide's consent principle asks for a log that is "recorded, auditable, tamper-proof"; without a signed
    /// checkpoint, whoever can write the database can rewrite an entry together with its hash unnoticed.
    public var signingKeyPath: String? {
        if let configured = ledger.signingKey { return configured }
        guard store.postgres == nil else { return nil }
        return LedgerConfig.defaultSigningKeyPath(sqlite: store.sqlite)
    }

    /// Whether ``signingKeyPath`` is the default one (created on demand) rather than a configured file (which must exist).
    public var signingKeyIsDefault: Bool { ledger.signingKey == nil && signingKeyPath != nil }
}

extension LedgerConfig {
    /// The default signing key beside a SQLite store: its path with `.ledger.pem` for the extension
    /// (`data/rampart.db` → `data/rampart.ledger.pem`).
    public static func defaultSigningKeyPath(sqlite: String) -> String {
        let url = URL(fileURLWithPath: sqlite)
        let base = url.pathExtension.isEmpty ? url : url.deletingPathExtension()
        let name = base.lastPathComponent + ".ledger.pem"
        let folder = (sqlite as NSString).deletingLastPathComponent
        return folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
    }
}
