import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RampartCore

/// `--format text|json`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
