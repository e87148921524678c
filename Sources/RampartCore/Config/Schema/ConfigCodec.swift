import Foundation

/// How one kind of value is read from YAML, printed back, and described in the reference.
struct ConfigCodec<Value>: Sendable {
    let type: String
    let decode: @Sendable (ConfigNode) throws(ConfigError) -> Value
    let encode: @Sendable (Value) -> ConfigValue
}

extension ConfigCodec where Value == Int {
    static func int(_ range: ClosedRange<Int>) -> Self {
        let upper = range.upperBound >= Int.max / 2 ? "" : "\(range.upperBound)"
        return Self(type: "integer \(range.lowerBound)–\(upper)", decode: { n throws(ConfigError) in try n.int(in: range) }, encode: { .scalar(String($0)) })
    }
}

extension ConfigCodec where Value == Double {
    static func double(_ range: ClosedRange<Double>, unit: String = "") -> Self {
        Self(type: "number \(ConfigCodec.format(range.lowerBound))–\(ConfigCodec.format(range.upperBound))\(unit)",
             decode: { n throws(ConfigError) in try n.double(in: range) }, encode: { .scalar(ConfigCodec.format($0)) })
    }
}

extension ConfigCodec where Value == Bool {
    static var bool: Self { Self(type: "`true` or `false`", decode: { n throws(ConfigError) in try n.bool() }, encode: { .scalar($0 ? "true" : "false") }) }
}

extension ConfigCodec where Value == String {
    static func text(_ type: String = "string", nonEmpty: Bool = true) -> Self {
        Self(type: type, decode: { n throws(ConfigError) in try n.string(nonEmpty: nonEmpty) }, encode: { .string($0) })
    }

    /// The name of an environment variable (never the secret itself).
    static var environmentName: Self {
        Self(type: "environment variable name", decode: { n throws(ConfigError) in
            let env = try n.string(nonEmpty: true)
            guard env.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw n.error("invalid_value", "`\(env)` is not an environment variable name (letters, digits, `_`); put the name here, never the key itself")
            }
            return env
        }, encode: { .string($0) })
    }

    /// A string checked by `valid`, with `message` when it is not.
    static func checked(_ type: String, _ message: @escaping @Sendable (String) -> String, _ valid: @escaping @Sendable (String) -> Bool) -> Self {
        Self(type: type, decode: { n throws(ConfigError) in
            let text = try n.string(nonEmpty: true)
            guard valid(text) else { throw n.error("invalid_value", message(text)) }
            return text
        }, encode: { .string($0) })
    }
}

extension ConfigCodec where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    static var enumeration: Self {
        Self(type: Value.allCases.map { "`\($0.rawValue)`" }.joined(separator: " \\| "), decode: { n throws(ConfigError) in try n.enumValue(Value.self) },
             encode: { .scalar($0.rawValue) })
    }
}

extension ConfigCodec where Value == ListenAddress {
    static var address: Self {
        Self(type: "`host:port`", decode: { n throws(ConfigError) in try n.address() }, encode: { .string($0.description) })
    }
}

extension ConfigCodec where Value == [String] {
    static func list(_ item: ConfigCodec<String>, type: String) -> Self {
        Self(type: type, decode: { n throws(ConfigError) in
            try n.sequence().map { (node: ConfigNode) throws(ConfigError) -> String in try item.decode(node) }
        }, encode: { .list($0.map(item.encode)) })
    }
}

extension ConfigCodec {
    /// Numbers as YAML reads them back: whole values without a fraction, the rest in Swift's shortest form.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }
}
