/// A problem with `rampart.yaml`: names the file, the key path, the line and column, and what was expected.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable code, e.g. `unknown_key`, `invalid_value`, `missing_key`, `yaml_syntax`.
    public var code: String
    /// Key path such as `routes[0].limits.burst`; empty for the document itself.
    public var path: String
    public var line: Int?
    public var column: Int?
    public var message: String
    /// The file the config came from, when known.
    public var file: String?

    public init(code: String, path: String, line: Int? = nil, column: Int? = nil, message: String, file: String? = nil) {
        self.code = code
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.file = file
    }

    public var description: String {
        var location = file ?? "config"
        if let line { location += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        let at = path.isEmpty ? "" : "\(path): "
        return "\(location): \(at)\(message)"
    }
}
