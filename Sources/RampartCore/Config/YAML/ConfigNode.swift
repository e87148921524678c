import Foundation
import Yams

/// Caps the work a hostile YAML document (alias bombs, huge lists) can cause: one counter per load.
final class NodeBudget {
    var remaining = 100_000
}

/// A YAML node with the key path that led to it, for error messages.
struct ConfigNode {
    let node: Node
    let path: String
    let budget: NodeBudget

    init(node: Node, path: String, budget: NodeBudget) throws(ConfigError) {
        budget.remaining -= 1
        guard budget.remaining >= 0 else {
            throw ConfigError(code: "too_large", path: path, line: node.mark?.line, message: "the config has too many YAML nodes")
        }
        if case .alias = node {
            throw ConfigError(code: "invalid_value", path: path, line: node.mark?.line, column: node.mark?.column,
                              message: "YAML aliases (`*name`) are not supported in rampart.yaml; write the value out")
        }
        self.node = node
        self.path = path
        self.budget = budget
    }

    func error(_ code: String, _ message: String) -> ConfigError {
        ConfigError(code: code, path: path, line: node.mark?.line, column: node.mark?.column, message: message)
    }

    private var kindName: String {
        switch node {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }

    /// A plain `null` or `~`: the key is there, saying "none".
    var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        // An empty value is not a null: `evasion:` with nothing after it is a mistake, not "off".
        return ["~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The node as a mapping whose keys must be among `allowed` (any key when nil).
    func mapping(keys allowed: [String]?) throws(ConfigError) -> ConfigMapping {
        guard case .mapping(let mapping) = node else {
            throw error("invalid_type", "expected a mapping\(allowed.map { " with keys \($0.joined(separator: ", "))" } ?? ""); found \(kindName)")
        }
        var entries: [String: ConfigNode] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw error("invalid_type", "keys must be plain strings")
            }
            let key = scalar.string
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if let allowed, !allowed.contains(key) {
                let hint = Self.closest(to: key, in: allowed).map { " — did you mean `\($0)`?" } ?? ""
                throw ConfigError(code: "unknown_key", path: childPath, line: keyNode.mark?.line, column: keyNode.mark?.column,
                                  message: "unknown key `\(key)`\(hint) (expected one of: \(allowed.joined(separator: ", ")))")
            }
            guard entries[key] == nil else {
                throw ConfigError(code: "duplicate_key", path: childPath, line: keyNode.mark?.line, column: keyNode.mark?.column,
                                  message: "key `\(key)` appears twice")
            }
            entries[key] = try ConfigNode(node: value, path: childPath, budget: budget)
        }
        return ConfigMapping(node: self, entries: entries)
    }

    func sequence() throws(ConfigError) -> [ConfigNode] {
        guard case .sequence(let items) = node else {
            throw error("invalid_type", "expected a list; found \(kindName)")
        }
        var result: [ConfigNode] = []
        for (index, item) in items.enumerated() {
            result.append(try ConfigNode(node: item, path: "\(path)[\(index)]", budget: budget))
        }
        return result
    }

    func string(nonEmpty: Bool = false) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw error("invalid_type", "expected a string; found \(kindName)") }
        if nonEmpty && scalar.string.trimmingCharacters(in: .whitespaces).isEmpty {
            throw error("invalid_value", "must not be empty")
        }
        return scalar.string
    }

    func int(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.replacingOccurrences(of: "_", with: "")) else {
            throw error("invalid_type", "expected a whole number; found `\(node.string ?? kindName)`")
        }
        guard range.contains(value) else {
            throw error("invalid_value", "\(value) is out of range; expected \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    func bool() throws(ConfigError) -> Bool {
        switch try string() {
        case "true": return true
        case "false": return false
        case let other: throw error("invalid_value", "`\(other)` is not true or false")
        }
    }

    func double(in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string.replacingOccurrences(of: "_", with: "")), value.isFinite else {
            throw error("invalid_type", "expected a number; found `\(node.string ?? kindName)`")
        }
        guard range.contains(value) else {
            throw error("invalid_value", "\(value) is out of range; expected \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws(ConfigError) -> E where E.RawValue == String {
        let text = try string()
        guard let value = E(rawValue: text) else {
            let options = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw error("invalid_value", "`\(text)` is not one of: \(options)")
        }
        return value
    }

    func address() throws(ConfigError) -> ListenAddress {
        let text = try string(nonEmpty: true)
        guard let address = ListenAddress(parsing: text) else {
            throw error("invalid_value", "`\(text)` is not a host:port address such as 127.0.0.1:8080 or [::1]:8080")
        }
        return address
    }

    /// The allowed key nearest to a misspelt one (edit distance ≤ 3), for "did you mean".
    static func closest(to key: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(Array(key), Array($0))) }.filter { $0.1 <= 3 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
