import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RampartCore

enum CLI {
    /// Prints `message` to standard error as `rampart: error: …` and exits with `code`.
    static func fail(_ message: String, code: ExitCode) -> Never {
        FileHandle.standardError.write(Data("rampart: error: \(message)\n".utf8))
        Foundation.exit(code.rawValue)
    }

    static func printJSON<T: Encodable>(_ value: T) {
        let data = (try? JSONOutput.encode(value)) ?? Data("null".utf8)
        print(String(decoding: data, as: UTF8.self))
    }
}
