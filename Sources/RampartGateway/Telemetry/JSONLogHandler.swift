import Foundation
import Logging
import RampartCore
import Synchronization

/// One JSON object per line on standard error: `{"time","level","logger","message",…metadata}`.
///
/// Rampart never passes keys, prompts or completions to a logger; this handler adds nothing but what it is given.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let sink: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level = .info, sink: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var line = "{\"time\":\"\(RFC3339.format(Date()))\",\"level\":\"\(event.level.rawValue)\",\"logger\":"
        line += JSONValue.quote(label) + ",\"message\":" + JSONValue.quote(event.message.description)
        for key in merged.keys.sorted() {
            line += "," + JSONValue.quote(key) + ":" + JSONValue.quote(merged[key]!.description)
        }
        line += "}\n"
        sink(line)
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    private static let lock = Mutex<Void>(())
}
