/// `ledger:` — the tamper-evident log (docs/ledger.md).
public struct LedgerConfig: Sendable, Equatable {
    /// The log's name, first line of every checkpoint and the signing key's name (C2SP signed note: no spaces,
    /// no `+`). Default `rampart/ledger`.
    public var origin: String
    /// PKCS#8 PEM Ed25519 private key that signs checkpoints, relative to the config file's folder; kept outside the
    /// database. Default none: the ledger appends and verifies but cannot sign.
    public var signingKey: String?
    /// Whether `rampart serve` records every decision record as a ledger event. Default true.
    public var recordDecisions: Bool
    /// How often `rampart serve` appends the new decision records to the ledger, seconds. Default 1.
    public var decisionsIntervalSeconds: Double
    /// How often `rampart serve` applies the purposes' `retention_days`, seconds. Default 3600 (and once at start).
    public var retentionIntervalSeconds: Double
    /// How often `rampart serve` signs a checkpoint when the log has grown (needs `signing_key`), seconds. Default 300;
    /// 0 turns it off.
    public var checkpointIntervalSeconds: Double

    public init(origin: String = "rampart/ledger", signingKey: String? = nil, recordDecisions: Bool = true, decisionsIntervalSeconds: Double = 1,
                retentionIntervalSeconds: Double = 3600, checkpointIntervalSeconds: Double = 300) {
        self.checkpointIntervalSeconds = checkpointIntervalSeconds
        self.origin = origin
        self.signingKey = signingKey
        self.recordDecisions = recordDecisions
        self.decisionsIntervalSeconds = decisionsIntervalSeconds
        self.retentionIntervalSeconds = retentionIntervalSeconds
    }

    /// A log name a signed note accepts: non-empty, printable, no whitespace, no `+`.
    public static func isValidOrigin(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && $0 != "+" && !$0.properties.isWhitespace }
    }
}
