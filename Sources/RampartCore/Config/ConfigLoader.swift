import Foundation
import Yams

/// Reads `rampart.yaml` text into a validated ``RampartConfig``.
///
/// Unknown keys are errors (a misspelt `rate_per_secnd` must not silently switch a limit off), and every
/// error names the key path, line and column:
/// ```swift
/// let config = try ConfigLoader.load(yaml: text, file: "rampart.yaml")
/// ```
public enum ConfigLoader {
    /// Largest config accepted, in bytes.
    public static let maxBytes = 1 << 20

    public static func load(yaml: String, file: String? = nil) throws(ConfigError) -> RampartConfig {
        do {
            return try parse(yaml: yaml)
        } catch var error {
            error.file = file
            throw error
        }
    }

    static func parse(yaml: String) throws(ConfigError) -> RampartConfig {
        guard yaml.utf8.count <= maxBytes else {
            throw ConfigError(code: "too_large", path: "", message: "config is larger than \(maxBytes) bytes")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw yamlSyntax(error)
        } catch {
            throw ConfigError(code: "yaml_syntax", path: "", message: "not valid YAML: \(error)")
        }
        guard let root else {
            throw ConfigError(code: "empty", path: "", message: "the config is empty; it needs at least a `routes:` list")
        }
        let doc = try ConfigNode(node: root, path: "", budget: NodeBudget()).mapping(keys: ConfigSchema.topLevelKeys)
        var config = RampartConfig()
        if let server = doc["server"] { config.server = try ConfigSchema.server.decode(server, into: config.server) }
        if let store = doc["store"] { config.store = try ConfigSchema.store.decode(store, into: config.store) }
        if let ledger = doc["ledger"] { config.ledger = try ConfigSchema.ledger.decode(ledger, into: config.ledger) }
        if let purposes = doc["purposes"], !purposes.isNull {
            var ids = Set<String>()
            for node in try purposes.sequence() {
                let m = try node.mapping(keys: ConfigSchema.purpose.keys)
                guard let idNode = m["id"] else { throw node.error("missing_key", "every purpose needs an `id`") }
                guard m["lawful_basis"] != nil else {
                    let id = (try? idNode.string()) ?? ""
                    throw node.error("missing_key", "purpose `\(id)` needs a `lawful_basis`: \(PurposeConfig.LawfulBasis.allCases.map(\.rawValue).joined(separator: ", ")) (GDPR Art. 6)")
                }
                let purpose = try ConfigSchema.purpose.decode(node, into: PurposeConfig(id: "", lawfulBasis: .consent))
                guard ids.insert(purpose.id).inserted else { throw idNode.error("duplicate_purpose", "purpose `\(purpose.id)` is declared twice") }
                config.purposes.append(purpose)
            }
        }
        guard let routes = doc["routes"] else {
            throw ConfigError(code: "missing_key", path: "routes", line: root.mark?.line, message: "missing `routes:`; declare at least one route")
        }
        let routeNodes = try routes.sequence()
        guard !routeNodes.isEmpty else {
            throw routes.error("invalid_value", "`routes:` is empty; declare at least one route")
        }
        var names = Set<String>()
        for node in routeNodes {
            let route = try ConfigSchema.decodeRoute(node)
            guard names.insert(route.name).inserted else {
                throw node.error("duplicate_route", "route name `\(route.name)` is used twice; names must be unique")
            }
            config.routes.append(route)
        }
        try validate(config, doc: doc)
        return config
    }

    private static func validate(_ config: RampartConfig, doc: ConfigMapping) throws(ConfigError) {
        // A route's purpose must be declared (purpose specification before use).
        for (index, route) in config.routes.enumerated() {
            if let purpose = route.purpose, config.purpose(purpose) == nil {
                let known = config.purposes.map(\.id)
                throw ConfigError(code: "unknown_purpose", path: "routes[\(index)].purpose",
                                  message: "route `\(route.name)` serves purpose `\(purpose)`, which `purposes:` does not declare"
                                      + (known.isEmpty ? "; declare it there with its lawful basis" : " (declared: \(known.joined(separator: ", ")))"))
            }
        }
        // Each model name must pick exactly one route; a catch-all route is allowed once.
        let catchAll = config.routes.filter { $0.kind == .openai && $0.models.isEmpty }
        if catchAll.count > 1, let second = catchAll.dropFirst().first,
           let index = config.routes.firstIndex(where: { $0.name == second.name }) {
            throw ConfigError(
                code: "ambiguous_routes", path: "routes[\(index)].models",
                message: "routes `\(catchAll[0].name)` and `\(second.name)` both have no `models:`; only one route may take every model — list the models of the others")
        }
    }

    private static func yamlSyntax(_ error: YamlError) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigError(code: "yaml_syntax", path: "", line: mark.line, column: mark.column, message: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Named by key and position only: the error's own text quotes the whole document.
            return ConfigError(code: "duplicate_key", path: "", line: context.mark.line, column: context.mark.column,
                               message: "key \(duplicates.map { "`\($0.prefix(64))`" }.joined(separator: ", ")) appears twice in one mapping")
        default:
            return ConfigError(code: "yaml_syntax", path: "", message: "not valid YAML: \(error)")
        }
    }
}
