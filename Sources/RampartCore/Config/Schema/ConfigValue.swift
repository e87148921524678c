/// A value as `rampart config show` prints it (YAML that loads back to the same config).
public indirect enum ConfigValue: Sendable, Equatable {
    /// Printed as it is: numbers, booleans, enumeration words.
    case scalar(String)
    /// Printed double-quoted (JSON string syntax, which YAML reads).
    case string(String)
    case null
    case list([ConfigValue])
    case map([ConfigEntry])
}

/// One key of a mapping, with an optional comment printed after it.
public struct ConfigEntry: Sendable, Equatable {
    public var key: String
    public var value: ConfigValue
    public var comment: String?

    public init(_ key: String, _ value: ConfigValue, comment: String? = nil) {
        self.key = key
        self.value = value
        self.comment = comment
    }
}

/// One row of the generated reference (docs/configuration.md).
public struct ConfigKeyInfo: Sendable, Equatable {
    /// `routes[].limits.burst`
    public var path: String
    public var type: String
    public var defaultValue: String
    /// The route kinds a route key applies to ("" for every kind, or not a route key).
    public var kinds: String
    public var doc: String
}

extension ConfigKeyInfo {
    static func row(_ prefix: String, _ key: String, type: String, defaultValue: String, kinds: Set<RouteConfig.Kind>?, doc: String) -> ConfigKeyInfo {
        ConfigKeyInfo(path: prefix.isEmpty ? key : "\(prefix).\(key)", type: type, defaultValue: defaultValue,
                      kinds: kinds.map { $0.map(\.rawValue).sorted().joined(separator: ", ") } ?? "", doc: doc)
    }
}
