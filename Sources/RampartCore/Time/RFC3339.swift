import Foundation

/// RFC 3339 timestamps in UTC with millisecond precision (`2026-11-27T15:16:46.123Z`).
public enum RFC3339 {
    public static func format(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let ms = Int(millis - seconds * 1000)
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secOfDay = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = civil(fromDays: days)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, secOfDay / 3600, (secOfDay / 60) % 60, secOfDay % 60, ms)
    }

    /// Parses `2026-11-27T15:16:46Z`, with optional fraction and `±hh:mm` offset, or a bare date `2026-11-27`.
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= chars.count else { return nil }
            var v = 0
            for c in chars[from..<from + count] {
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let year = num(0, 4), chars.count >= 10, chars[4] == 45, let month = num(5, 2), chars[7] == 45, let day = num(8, 2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = Double(days(fromCivil: year, month, day)) * 86_400
        if chars.count == 10 { return Date(timeIntervalSince1970: seconds) }
        guard chars.count >= 20, chars[10] == 84 || chars[10] == 116 || chars[10] == 32,
              let hh = num(11, 2), chars[13] == 58, let mm = num(14, 2), chars[16] == 58, let ss = num(17, 2),
              hh < 24, mm < 60, ss < 61
        else { return nil }
        seconds += Double(hh * 3600 + mm * 60 + ss)
        var i = 19
        if chars[i] == 46 {
            i += 1
            var scale = 0.1
            let start = i
            while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                seconds += Double(chars[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < chars.count else { return nil }
        if chars[i] == 90 || chars[i] == 122 {
            guard i + 1 == chars.count else { return nil }
        } else if chars[i] == 43 || chars[i] == 45, i + 6 == chars.count, let oh = num(i + 1, 2), chars[i + 3] == 58, let om = num(i + 4, 2) {
            let offset = Double(oh * 3600 + om * 60)
            seconds += chars[i] == 43 ? -offset : offset
        } else {
            return nil
        }
        return Date(timeIntervalSince1970: seconds)
    }

    /// Start of the UTC day containing `date`.
    public static func startOfUTCDay(_ date: Date) -> Date {
        let s = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (s / 86_400).rounded(.down) * 86_400)
    }

    // Howard Hinnant's civil-from-days and days-from-civil.
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
