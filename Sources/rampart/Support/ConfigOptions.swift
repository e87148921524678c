import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RampartCore

/// Options every command that reads `rampart.yaml` shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Path of rampart.yaml.", valueName: "file"))
    var config: String = ProcessInfo.processInfo.environment["RAMPART_CONFIG"] ?? "rampart.yaml"

    /// The validated config; prints the problem and exits 65/66 (or `errorCode`, for commands whose exit codes are
    /// fixed otherwise) when it is not usable.
    func load(errorCode: ExitCode? = nil) throws -> RampartConfig {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: config)
            if let size = attributes[.size] as? Int, size > ConfigLoader.maxBytes {
                CLI.fail("\(config): the config is larger than \(ConfigLoader.maxBytes) bytes", code: errorCode ?? Exit.dataError)
            }
            data = try Data(contentsOf: URL(fileURLWithPath: config))
        } catch {
            CLI.fail("cannot read the config file \(config): \(Self.reason(error)). Pass --config FILE (or set RAMPART_CONFIG); examples/rampart.yaml is a starting point.",
                     code: errorCode ?? Exit.noInput)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            CLI.fail("\(config): the config is not UTF-8 text", code: errorCode ?? Exit.dataError)
        }
        do {
            let loaded = try ConfigLoader.load(yaml: text, file: config)
                .resolvingPaths(relativeTo: URL(fileURLWithPath: config).deletingLastPathComponent().path)
            return loaded
        } catch {
            CLI.fail(error.description, code: errorCode ?? Exit.dataError)
        }
    }

    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.code == NSFileReadNoSuchFileError || nsError.code == NSFileNoSuchFileError { return "no such file" }
        if nsError.code == NSFileReadNoPermissionError { return "permission denied" }
        return nsError.localizedDescription
    }
}
