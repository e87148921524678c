/// Why a model could not be signed or a signature could not be checked (as opposed to a check that ran and failed,
/// which is a `VerificationResult`).
public enum SigningError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case symlink(String)
    /// A key that is not an EC P-256 key in PEM, or an encrypted one.
    case badKey(String)
    /// A signature file that is not a Sigstore bundle of the kind model signing writes.
    case badBundle(String)

    public var description: String {
        switch self {
        case .unreadable(let m), .symlink(let m): m
        case .badKey(let m): "key: \(m)"
        case .badBundle(let m): "signature: \(m)"
        }
    }
}
