/// One entry of `purposes:` — a purpose of processing, declared before any data is used for it (GDPR Art. 5(1)(b),
/// the guide's "use limitation and purpose specification").
public struct PurposeConfig: Sendable, Equatable {
    /// The six lawful bases of GDPR Art. 6(1).
    public enum LawfulBasis: String, Sendable, Equatable, CaseIterable {
        case consent
        case contract
        case legalObligation = "legal_obligation"
        case vitalInterests = "vital_interests"
        case publicTask = "public_task"
        case legitimateInterests = "legitimate_interests"
    }

    public var id: String
    public var description: String
    public var lawfulBasis: LawfulBasis
    /// Categories of personal data the purpose uses (`contact`, `conversation`, `health`, …).
    public var dataCategories: [String]
    /// How long events for this purpose are kept; `nil` keeps them.
    public var retentionDays: Int?

    public init(id: String, description: String = "", lawfulBasis: LawfulBasis, dataCategories: [String] = [], retentionDays: Int? = nil) {
        self.id = id
        self.description = description
        self.lawfulBasis = lawfulBasis
        self.dataCategories = dataCategories
        self.retentionDays = retentionDays
    }
}
