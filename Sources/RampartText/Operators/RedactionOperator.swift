/// How a finding's text is replaced before it goes on (guide: data minimization — "personal data sent to or returned by a
/// model should be the least needed").
public enum RedactionOperator: String, Sendable, Hashable, CaseIterable {
    /// Letters and digits become `*`, separators stay: `4111 1111 1111 1111` → `**** **** **** ****`.
    case mask
    /// A typed placeholder numbered per request, `<EMAIL_1>`; the request's ``RedactionVault`` restores it in the
    /// response to the caller.
    case placeholder
    /// A keyed pseudonym, `<EMAIL_3fa91c0be2d4>`: the same value gives the same pseudonym for one tenant (the caller
    /// supplies the keyed function, e.g. HMAC-SHA-256), so the model can still tell people apart. Restored like a placeholder.
    case pseudonym
    /// Keep only the coarse part: an IPv4 address becomes its /24 (`203.0.113.0/24`), an IPv6 address its /48, a date
    /// its month (`1984-03`). Types without a coarser form fall back to ``placeholder``.
    case generalize
}
