import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RampartCore

/// Documented exit codes (sysexits.h where one fits).
enum Exit {
    static let notFound = ExitCode(1)
    static let usage = ExitCode(64)
    static let dataError = ExitCode(65)
    static let noInput = ExitCode(66)
    static let unavailable = ExitCode(69)
    static let software = ExitCode(70)
}
