import Foundation

/// UUIDv7 identifiers (RFC 9562 §5.7): 48 bits of Unix milliseconds, then random bits, so ids sort by time.
public enum TimeOrderedID {
    /// A new lowercase UUIDv7 string such as `019abcde-f012-7abc-8def-0123456789ab`.
    public static func make(at date: Date = Date()) -> String {
        var rng = FastRandom()
        return make(at: date, using: &rng)
    }

    public static func make<R: RandomNumberGenerator>(at date: Date, using rng: inout R) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(i))) }
        let random = rng.next() as UInt64
        let random2 = rng.next() as UInt64
        for i in 6..<16 { bytes[i] = UInt8(truncatingIfNeeded: (i < 14 ? random : random2) >> (8 * UInt64(i % 8))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // variant 10
        let hex = Hex.encode(bytes)
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    /// Whether `text` has the shape of a UUID (any version), lowercase or uppercase.
    public static func isWellFormed(_ text: String) -> Bool {
        let u = Array(text.utf8)
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == 45 else { return false }
            } else {
                guard (48...57).contains(c) || (97...102).contains(c) || (65...70).contains(c) else { return false }
            }
        }
        return true
    }
}
