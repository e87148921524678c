/// Characters a reader does not see but a model reads: the carriers of "invisible" prompt injection and of
/// ASCII smuggling (tag characters, U+E0000–E007F), and of homograph tricks (bidi controls, Trojan Source).
///
/// Classification follows Unicode general categories (`Cf`, `Co`, `Cn`, `Cc`) plus the named blocks the
/// categories miss: variation selectors (`Mn`) and the Hangul and braille fillers (`Lo`, `So`).
enum InvisibleCharacter: String, Sendable {
    case zeroWidth = "ZERO_WIDTH"
    case bidiControl = "BIDI_CONTROL"
    case tag = "TAG"
    case variationSelector = "VARIATION_SELECTOR"
    case privateUse = "PRIVATE_USE"
    case unassigned = "UNASSIGNED"
    case control = "CONTROL"
    case format = "FORMAT"
    case filler = "FILLER"

    /// The class of `scalar`, or `nil` for a visible character (and for tab, line feed and carriage return).
    static func classify(_ scalar: Unicode.Scalar) -> InvisibleCharacter? {
        let v = scalar.value
        if v < 0x80 {
            return (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || v == 0x7F ? .control : nil
        }
        switch v {
        case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E: return .zeroWidth
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return .bidiControl
        case 0xE0000...0xE007F: return .tag
        case 0xFE00...0xFE0F, 0xE0100...0xE01EF, 0x180B...0x180D, 0x180F: return .variationSelector
        case 0x3164, 0xFFA0, 0x115F, 0x1160, 0x2800: return .filler
        default: break
        }
        switch scalar.properties.generalCategory {
        case .control: return .control
        case .format: return .format
        case .privateUse: return .privateUse
        case .unassigned: return .unassigned
        default: return nil
        }
    }

    /// Whether this occurrence is ordinary writing rather than hiding: a joiner or variation selector inside an
    /// emoji sequence, a ZWNJ/ZWJ between letters of scripts that need them (Persian, Indic), an ideographic
    /// variation selector after a CJK character, tags in an emoji flag sequence. Legitimate ones are not
    /// reported (they are still left out of the text the scanners read).
    static func isLegitimate(_ kind: InvisibleCharacter, scalar: Unicode.Scalar, previous: Unicode.Scalar?) -> Bool {
        guard let previous else { return false }
        let p = previous.properties
        switch kind {
        case .zeroWidth where scalar.value == 0x200D || scalar.value == 0x200C:
            return (previous.value >= 0x2000 && p.isEmoji) || (previous.value >= 0x0590 && p.isAlphabetic) || previous.value == 0xFE0F
        case .variationSelector:
            return p.isEmoji || previous.value >= 0x2E80
        case .tag:
            return previous.value == 0x1F3F4  // the normalizer extends this to the rest of the flag's tag run
        default:
            return false
        }
    }
}
