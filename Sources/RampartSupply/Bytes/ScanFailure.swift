/// Why a file, or a part of one, could not be read to the end. The scanner turns these into `malformed` findings
/// (or, for `unreadable`, a file it could not open): a file the scanner cannot parse is never reported clean.
public enum ScanFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operating system refused to read it.
    case unreadable(String)
    /// It ends before its own layout says it should.
    case truncated(String)
    /// Its bytes break the format's rules.
    case malformed(String)
    /// It is larger, deeper or more numerous than the scanner's limits.
    case limit(String)

    public var description: String {
        switch self {
        case .unreadable(let m): "cannot read: \(m)"
        case .truncated(let m): "truncated: \(m)"
        case .malformed(let m): m
        case .limit(let m): "over a limit: \(m)"
        }
    }
}
