import Foundation
import RampartCore
import SQLKit

/// Times are stored as Unix epoch milliseconds (BIGINT): exact, portable, sortable.
public enum Millis {
    public static func from(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    public static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
