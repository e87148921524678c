/// Byte classes for the recognizers, which read normalized UTF-8 (where every character they match is ASCII).
enum ASCII {
    static let digit: UInt16 = 1, upper: UInt16 = 2, lower: UInt16 = 4, hexLetter: UInt16 = 8, space: UInt16 = 16
    static let emailLocalExtra: UInt16 = 32  // . _ % + - (and ' is left out: rare, and it ends quotes)

    static let table: [UInt16] = {
        var t = [UInt16](repeating: 0, count: 256)
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(b)] |= digit }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(b)] |= upper }
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(b)] |= lower }
        for b in Array("abcdefABCDEF".utf8) { t[Int(b)] |= hexLetter }
        for b in Array(" \t\n\r".utf8) { t[Int(b)] |= space }
        for b in Array("._%+-".utf8) { t[Int(b)] |= emailLocalExtra }
        return t
    }()

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) }
    @inline(__always) static func isHex(_ b: UInt8) -> Bool { table[Int(b)] & (digit | hexLetter) != 0 }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { table[Int(b)] & space != 0 }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { (b &- 0x41 < 26) ? b | 0x20 : b }
    /// A byte that continues a word: letters, digits, `_`, and any non-ASCII byte (letters of other scripts).
    @inline(__always) static func isWord(_ b: UInt8) -> Bool { isAlnum(b) || b == UInt8(ascii: "_") || b >= 0x80 }

    /// Value of a hex digit (caller checked `isHex`).
    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8 { isDigit(b) ? b - 0x30 : (b | 0x20) - 0x61 + 10 }
}
