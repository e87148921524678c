extension ConfigSchema {
    /// The top-level sections, in the order the reference and `config show` list them.
    static let topLevelKeys = ["server", "store", "ledger", "purposes", "routes"]

    /// One `routes:` entry. The route's `kind` is read first: a key of another kind is refused (so a typo such as
    /// `model:` on an LLM route is not silently ignored), and the keys its kind needs must be there.
    static func decodeRoute(_ node: ConfigNode) throws(ConfigError) -> RouteConfig {
        let m = try node.mapping(keys: route.keys)
        guard let nameNode = m["name"] else { throw node.error("missing_key", "every route needs a `name`") }
        var kind = RouteConfig.Kind.openai
        if let n = m["kind"] { kind = try n.enumValue(RouteConfig.Kind.self) }
        for field in route.fields {
            guard let kinds = field.kinds, !kinds.contains(kind), let present = m[field.key] else { continue }
            let message: String = switch kind {
            case .openai: "`\(field.key)` applies to `kind: model` and `kind: kserve` routes only"
            case .kserve where field.key == "smoothing" || field.key == "model": "`\(field.key)` does not apply to a `kind: kserve` route (smoothing needs the model itself: use `kind: model`)"
            case .kserve: "`\(field.key)` does not apply to a `kind: kserve` route"
            case .model where field.key == "upstream_model": "`upstream_model` applies to `kind: kserve` routes only"
            case .model: "`\(field.key)` does not apply to a `kind: model` route (it runs the model file itself)"
            }
            throw present.error("unknown_key", message)
        }
        let name = (try? nameNode.string()) ?? ""
        switch kind {
        case .openai, .kserve:
            guard m["upstream"] != nil else { throw node.error("missing_key", "route `\(name)` needs an `upstream` URL") }
        case .model:
            guard m["model"] != nil else { throw node.error("missing_key", "route `\(name)` (kind: model) needs `model:`, the path of an .onnx file") }
        }
        var decoded = RouteConfig(name: "", kind: kind, upstream: "")
        for field in route.fields where field.kinds?.contains(kind) ?? true {
            if let child = m[field.key] { try field.decode(child, &decoded, m) }
        }
        // A classifier route has classifier settings even when it sets none of them.
        if kind != .openai, decoded.classifier == nil { decoded.classifier = ClassifierConfig(model: "") }
        return decoded
    }

    // MARK: config show

    /// The effective config as YAML: every key, defaults filled in, keys of another route kind left out, and for
    /// environment variables whether they are set (never their values). It loads back to the same config.
    public static func show(_ config: RampartConfig, environment: [String: String] = [:]) -> String {
        var entries = [
            ConfigEntry("server", .map(server.show(config.server, environment))),
            ConfigEntry("store", .map(store.show(config.store, environment))),
            ConfigEntry("ledger", .map(ledger.show(config.ledger, environment).map { entry in
                // The effective key: the one `rampart serve` makes beside a SQLite store (left unset, so it is still made).
                guard entry.key == "signing_key", config.ledger.signingKey == nil else { return entry }
                let made = config.signingKeyPath.map { "`rampart serve` creates and uses \($0)" } ?? "checkpoints are not signed (PostgreSQL: set a key shared by every replica)"
                return ConfigEntry(entry.key, entry.value, comment: made)
            })),
        ]
        entries.append(ConfigEntry("purposes", .list(config.purposes.map { .map(purpose.show($0, environment)) })))
        entries.append(ConfigEntry("routes", .list(config.routes.map { r in
            .map(route.fields.filter { $0.kinds?.contains(r.kind) ?? true }.compactMap { $0.show(r, environment) })
        })))
        return ConfigEmitter.yaml(entries)
    }

    // MARK: reference

    /// Every key with its type, default, route kinds and meaning, as docs/configuration.md's reference tables.
    public static var reference: [ConfigKeyInfo] {
        server.reference(prefix: "server", defaults: ServerConfig()) + store.reference(prefix: "store", defaults: StoreConfig())
            + ledger.reference(prefix: "ledger", defaults: LedgerConfig())
            + purpose.reference(prefix: "purposes[]", defaults: PurposeConfig(id: "", lawfulBasis: .consent))
            + route.reference(prefix: "routes[]", defaults: RouteConfig(name: "", upstream: ""))
    }

    /// The reference as Markdown: one table per top-level section. Generated; docs/configuration.md holds a copy
    /// between markers, which a test compares.
    public static func referenceMarkdown() -> String {
        var out = ""
        for section in topLevelKeys {
            let rows = reference.filter { $0.path.hasPrefix(section + ".") || $0.path.hasPrefix(section + "[].") }
            out += "### `\(section)`\n\n| key | type | default | meaning |\n|---|---|---|---|\n"
            for row in rows {
                let kinds = row.kinds.isEmpty ? "" : " (`kind: \(row.kinds.replacingOccurrences(of: ", ", with: "`, `kind: "))`)"
                out += "| `\(row.path)` | \(row.type) | \(row.defaultValue) | \(row.doc)\(kinds) |\n"
            }
            out += "\n"
        }
        return out
    }
}
