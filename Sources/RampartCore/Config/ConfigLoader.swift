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
        let doc = try ConfigNode(node: root, path: "", budget: NodeBudget()).mapping(keys: ["server", "store", "ledger", "purposes", "routes"])
        var config = RampartConfig()
        if let server = doc["server"] {
            config.server = try decodeServer(server.mapping(keys: [
                "listen", "admin_listen", "max_body_bytes", "max_upstream_response_bytes", "key_refresh_seconds",
                "upstream_max_connections", "shutdown_grace_seconds",
            ]))
        }
        if let store = doc["store"] {
            config.store = try decodeStore(store.mapping(keys: ["sqlite", "durability", "synchronous", "max_batch", "postgres", "postgres_password_env", "schema", "pool_size", "timeout_seconds"]))
        }
        if let ledger = doc["ledger"] {
            let m = try ledger.mapping(keys: ["origin", "signing_key", "record_decisions", "decisions_interval_seconds", "retention_interval_seconds",
                                                 "checkpoint_interval_seconds"])
            if let n = m["origin"] {
                let origin = try n.string(nonEmpty: true)
                guard LedgerConfig.isValidOrigin(origin) else {
                    throw n.error("invalid_value", "ledger origin `\(origin)` must have no spaces, control characters or `+` (it names the log in signed checkpoints)")
                }
                config.ledger.origin = origin
            }
            if let n = m["signing_key"] { config.ledger.signingKey = try n.string(nonEmpty: true) }
            if let n = m["record_decisions"] { config.ledger.recordDecisions = try n.bool() }
            if let n = m["decisions_interval_seconds"] { config.ledger.decisionsIntervalSeconds = try n.double(in: 0.01...3600) }
            if let n = m["retention_interval_seconds"] { config.ledger.retentionIntervalSeconds = try n.double(in: 1...(86_400 * 7)) }
            if let n = m["checkpoint_interval_seconds"] { config.ledger.checkpointIntervalSeconds = try n.double(in: 0...(86_400 * 7)) }
        }
        if let purposes = doc["purposes"] {
            var ids = Set<String>()
            for node in try purposes.sequence() {
                let m = try node.mapping(keys: ["id", "description", "lawful_basis", "data_categories", "retention_days"])
                guard let idNode = m["id"] else { throw node.error("missing_key", "every purpose needs an `id`") }
                let id = try idNode.string(nonEmpty: true)
                guard id.utf8.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                    throw idNode.error("invalid_value", "purpose id `\(id)` may use only letters, digits, `-`, `_` and `.` (at most 64)")
                }
                guard ids.insert(id).inserted else { throw idNode.error("duplicate_purpose", "purpose `\(id)` is declared twice") }
                guard let basisNode = m["lawful_basis"] else {
                    throw node.error("missing_key", "purpose `\(id)` needs a `lawful_basis`: \(PurposeConfig.LawfulBasis.allCases.map(\.rawValue).joined(separator: ", ")) (GDPR Art. 6)")
                }
                var purpose = PurposeConfig(id: id, lawfulBasis: try basisNode.enumValue(PurposeConfig.LawfulBasis.self))
                if let n = m["description"] { purpose.description = try n.string(nonEmpty: false) }
                if let n = m["data_categories"] {
                    purpose.dataCategories = try n.sequence().map { (item: ConfigNode) throws(ConfigError) -> String in try item.string(nonEmpty: true) }
                }
                if let n = m["retention_days"] { purpose.retentionDays = try n.int(in: 1...36_500) }
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
            let route = try decodeRoute(node)
            guard names.insert(route.name).inserted else {
                throw node.error("duplicate_route", "route name `\(route.name)` is used twice; names must be unique")
            }
            config.routes.append(route)
        }
        try validate(config, doc: doc)
        return config
    }

    private static func decodeServer(_ m: ConfigMapping) throws(ConfigError) -> ServerConfig {
        var s = ServerConfig()
        if let n = m["listen"] { s.listen = try n.address() }
        if let n = m["admin_listen"] { s.adminListen = try n.address() }
        if let n = m["max_body_bytes"] { s.maxBodyBytes = try n.int(in: 1...(1 << 30)) }
        if let n = m["max_upstream_response_bytes"] { s.maxUpstreamResponseBytes = try n.int(in: 1...(1 << 31)) }
        if let n = m["key_refresh_seconds"] { s.keyRefreshSeconds = try n.double(in: 0.05...3600) }
        if let n = m["upstream_max_connections"] { s.upstreamMaxConnections = try n.int(in: 1...65536) }
        if let n = m["shutdown_grace_seconds"] { s.shutdownGraceSeconds = try n.double(in: 0...3600) }
        if s.listen == s.adminListen && s.listen.port != 0 {
            throw m.node.error("invalid_value", "`listen` and `admin_listen` are both \(s.listen); the admin API needs its own listener")
        }
        return s
    }

    private static func decodeStore(_ m: ConfigMapping) throws(ConfigError) -> StoreConfig {
        var s = StoreConfig()
        if let n = m["sqlite"] { s.sqlite = try n.string(nonEmpty: true) }
        if let n = m["durability"] { s.durability = try n.enumValue(StoreConfig.Durability.self) }
        if let n = m["synchronous"] { s.synchronous = try n.enumValue(StoreConfig.Synchronous.self) }
        if let n = m["max_batch"] { s.maxBatch = try n.int(in: 1...10_000) }
        if let n = m["postgres"] {
            let url = try n.string(nonEmpty: true)
            guard let scheme = url.split(separator: ":", maxSplits: 1).first, ["postgres", "postgresql", "postgres+tcp", "postgres+uds"].contains(scheme.lowercased()) else {
                throw n.error("invalid_value", "`postgres` must be a URL such as postgres://rampart@127.0.0.1:5432/rampart?tlsmode=disable")
            }
            if m["sqlite"] != nil { throw n.error("invalid_value", "set either `sqlite` or `postgres`, not both") }
            guard let components = URLComponents(string: url), components.host != nil || url.lowercased().hasPrefix("postgres+uds") else {
                throw n.error("invalid_value", "`postgres` is not a URL Rampart can read; write it as postgres://USER@HOST:PORT/DATABASE?tlsmode=disable")
            }
            // Secrets never appear in rampart.yaml: the password comes from the environment.
            if components.password != nil {
                throw n.error("invalid_value", "`postgres` contains a password; remove it from the URL and name the variable that holds it in `postgres_password_env`")
            }
            s.postgres = url
        }
        if let n = m["postgres_password_env"] { s.postgresPasswordEnv = try n.string(nonEmpty: true) }
        if let n = m["schema"] {
            let schema = try n.string(nonEmpty: true)
            guard StoreConfig.isValidSchema(schema) else {
                throw n.error("invalid_value", "schema `\(schema)` must be lower-case letters, digits and `_`, starting with a letter (at most 63)")
            }
            s.schema = schema
        }
        if let n = m["pool_size"] { s.poolSize = try n.int(in: 2...1024) }
        if let n = m["timeout_seconds"] { s.timeoutSeconds = try n.double(in: 0.1...600) }
        if s.postgres == nil, let n = m["schema"] ?? m["postgres_password_env"] ?? m["pool_size"] ?? m["timeout_seconds"] {
            throw n.error("invalid_value", "`schema`, `postgres_password_env`, `pool_size` and `timeout_seconds` apply to PostgreSQL only: set `postgres` too")
        }
        return s
    }

    private static func decodeRoute(_ node: ConfigNode) throws(ConfigError) -> RouteConfig {
        let m = try node.mapping(keys: ["name", "kind", "upstream", "upstream_api_key_env", "upstream_ca_file", "timeout_seconds", "models", "limits", "guards",
                                        "purpose", "require_subject", "model", "inputs", "output", "monitor", "smoothing", "upstream_model"])
        guard let nameNode = m["name"] else { throw node.error("missing_key", "every route needs a `name`") }
        let name = try nameNode.string(nonEmpty: true)
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }), name.utf8.count <= 64 else {
            throw nameNode.error("invalid_value", "route name `\(name)` may use only letters, digits, `-`, `_` and `.` (at most 64)")
        }
        let kind = try m["kind"]?.enumValue(RouteConfig.Kind.self) ?? .openai
        if kind == .model { return try decodeModelRoute(name: name, m, node: node) }
        for key in ["model", "inputs", "output", "monitor", "smoothing", "upstream_model"] where m[key] != nil && kind == .openai {
            throw m[key]!.error("unknown_key", "`\(key)` applies to `kind: model` and `kind: kserve` routes only")
        }
        if kind == .kserve {
            for key in ["model", "smoothing", "models", "guards"] where m[key] != nil {
                throw m[key]!.error("unknown_key", "`\(key)` does not apply to a `kind: kserve` route (smoothing needs the model itself: use `kind: model`)")
            }
        }
        guard let upstreamNode = m["upstream"] else { throw node.error("missing_key", "route `\(name)` needs an `upstream` URL") }
        let upstream = try upstreamNode.string(nonEmpty: true)
        guard let components = URLComponents(string: upstream), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil, components.user == nil, components.password == nil
        else {
            throw upstreamNode.error("invalid_value", "`\(upstream)` is not an http:// or https:// URL such as http://127.0.0.1:11434/v1")
        }
        var route = RouteConfig(name: name, upstream: upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream)
        route.kind = kind
        if let n = m["upstream_api_key_env"] {
            let env = try n.string(nonEmpty: true)
            guard env.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw n.error("invalid_value", "`\(env)` is not an environment variable name (letters, digits, `_`); put the name here, never the key itself")
            }
            route.upstreamAPIKeyEnv = env
        }
        if let n = m["upstream_ca_file"] {
            guard route.upstream.lowercased().hasPrefix("https://") else {
                throw n.error("invalid_value", "`upstream_ca_file` only applies to an https:// upstream")
            }
            route.upstreamCAFile = try n.string(nonEmpty: true)
        }
        if let n = m["timeout_seconds"] { route.timeoutSeconds = try n.double(in: 0.001...86_400) }
        if let n = m["models"] {
            route.models = try n.sequence().map { (item: ConfigNode) throws(ConfigError) -> String in try item.string(nonEmpty: true) }
        }
        if let n = m["limits"] { route.limits = try decodeLimits(n) }
        if kind == .kserve {
            var classifier = try decodeClassifierControls(ClassifierConfig(model: ""), m)
            if let n = m["upstream_model"] { classifier.upstreamModel = try n.string(nonEmpty: true) }
            route.classifier = classifier
        }
        if let n = m["guards"] { route.guards = try decodeGuards(n) }
        if let n = m["purpose"] { route.purpose = try n.string(nonEmpty: true) }
        if let n = m["require_subject"] { route.requireSubject = try n.bool() }
        return route
    }

    /// A `kind: model` route: a local ONNX classifier served over KServe v2 (docs/models.md).
    private static func decodeModelRoute(name: String, _ m: ConfigMapping, node: ConfigNode) throws(ConfigError) -> RouteConfig {
        for key in ["upstream", "upstream_api_key_env", "upstream_ca_file", "models", "guards"] where m[key] != nil {
            throw m[key]!.error("unknown_key", "`\(key)` does not apply to a `kind: model` route (it runs the model file itself)")
        }
        guard let modelNode = m["model"] else { throw node.error("missing_key", "route `\(name)` (kind: model) needs `model:`, the path of an .onnx file") }
        let classifier = try decodeClassifierControls(ClassifierConfig(model: try modelNode.string(nonEmpty: true)), m)
        if let n = m["upstream_model"] { throw n.error("unknown_key", "`upstream_model` applies to `kind: kserve` routes only") }
        var route = RouteConfig(name: name, kind: .model, upstream: "")
        route.classifier = classifier
        if let n = m["timeout_seconds"] { route.timeoutSeconds = try n.double(in: 0.001...86_400) }
        if let n = m["limits"] { route.limits = try decodeLimits(n) }
        if let n = m["purpose"] { route.purpose = try n.string(nonEmpty: true) }
        if let n = m["require_subject"] { route.requireSubject = try n.bool() }
        return route
    }

    /// `inputs`, `output`, `monitor` and `smoothing` of a classifier route (`kind: model` or `kind: kserve`).
    private static func decodeClassifierControls(_ start: ClassifierConfig, _ m: ConfigMapping) throws(ConfigError) -> ClassifierConfig {
        var classifier = start
        if let n = m["inputs"] {
            let inputs = try n.mapping(keys: nil)
            for (tensor, rangeNode) in inputs.entries {
                let r = try rangeNode.mapping(keys: ["min", "max"])
                let low = try r["min"]?.double(in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) ?? -Double.greatestFiniteMagnitude
                let high = try r["max"]?.double(in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) ?? Double.greatestFiniteMagnitude
                guard low <= high else { throw rangeNode.error("invalid_value", "input `\(tensor)`: min \(low) is above max \(high)") }
                classifier.inputRanges[tensor] = low...high
            }
        }
        if let n = m["output"] {
            let o = try n.mapping(keys: ["confidence"])
            if let c = o["confidence"] {
                if c.isMapping {
                    let options = try c.mapping(keys: ["top_k", "round"])
                    if let k = options["top_k"] {
                        classifier.confidence = .topK(try k.int(in: 1...10_000))
                    } else if let digits = options["round"] {
                        classifier.confidence = .round(try digits.int(in: 0...7))
                    } else {
                        throw c.error("invalid_value", "`confidence` takes `full`, `label`, `{ top_k: K }` or `{ round: DIGITS }`")
                    }
                } else {
                    switch try c.string(nonEmpty: true) {
                    case "full": classifier.confidence = .full
                    case "label": classifier.confidence = .label
                    case let other:
                        throw c.error("invalid_value", "`confidence: \(other)` is not one of full, label, { top_k: K }, { round: DIGITS }")
                    }
                }
            }
        }
        if let n = m["monitor"] {
            let monitor = try n.mapping(keys: ["evasion", "extraction", "max_clients", "persist_seconds"])
            if let e = monitor["evasion"] {
                let o = try e.mapping(keys: ["detector", "action", "quantization", "window", "hashes", "threshold", "history"])
                var evasion = ClassifierConfig.EvasionMonitor()
                if let d = o["detector"], try d.string(nonEmpty: true) != "stateful" {
                    throw d.error("invalid_value", "`monitor.evasion.detector` must be `stateful` (query hashing after Blacklight)")
                }
                if let v = o["action"] { evasion.action = try v.enumValue(ClassifierConfig.MonitorAction.self) }
                if let v = o["quantization"] { evasion.quantization = try v.double(in: 1e-6...1e6) }
                if let v = o["window"] { evasion.window = try v.int(in: 1...1_000_000) }
                if let v = o["hashes"] { evasion.hashes = try v.int(in: 1...1000) }
                if let v = o["threshold"] { evasion.threshold = try v.int(in: 1...1000) }
                if let v = o["history"] { evasion.history = try v.int(in: 1...100_000) }
                guard evasion.threshold <= evasion.hashes else {
                    throw e.error("invalid_value", "`threshold` (\(evasion.threshold)) cannot exceed `hashes` (\(evasion.hashes))")
                }
                classifier.evasion = evasion
            }
            if let e = monitor["extraction"] {
                let o = try e.mapping(keys: ["detector", "action", "delta", "minimum", "per_class", "distances"])
                var extraction = ClassifierConfig.ExtractionMonitor()
                if let d = o["detector"], try d.string(nonEmpty: true) != "prada" {
                    throw d.error("invalid_value", "`monitor.extraction.detector` must be `prada` (Juuti et al. 2019)")
                }
                if let v = o["action"] { extraction.action = try v.enumValue(ClassifierConfig.MonitorAction.self) }
                if let v = o["delta"] { extraction.delta = try v.double(in: 0.01...0.9999) }
                if let v = o["minimum"] { extraction.minimum = try v.int(in: 3...5000) }
                if let v = o["per_class"] { extraction.perClass = try v.int(in: 1...100_000) }
                if let v = o["distances"] { extraction.distances = try v.int(in: 3...5000) }
                guard extraction.minimum <= extraction.distances else {
                    throw e.error("invalid_value", "`minimum` (\(extraction.minimum)) cannot exceed `distances` (\(extraction.distances))")
                }
                classifier.extraction = extraction
            }
            if let v = monitor["max_clients"] { classifier.monitorMaxClients = try v.int(in: 1...10_000_000) }
            if let v = monitor["persist_seconds"] { classifier.monitorPersistSeconds = try v.double(in: 0.1...86_400) }
        }
        if let n = m["smoothing"] {
            let o = try n.mapping(keys: ["sigma", "samples", "alpha"])
            guard let sigma = o["sigma"] else { throw n.error("missing_key", "`smoothing` needs `sigma`, the noise's standard deviation in input units") }
            var smoothing = ClassifierConfig.Smoothing(sigma: try sigma.double(in: 1e-6...1e6))
            if let v = o["samples"] { smoothing.samples = try v.int(in: 1...100_000) }
            if let v = o["alpha"] { smoothing.alpha = try v.double(in: 1e-12...0.5) }
            classifier.smoothing = smoothing
        }
        return classifier
    }

    private static func decodeLimits(_ n: ConfigNode) throws(ConfigError) -> RouteLimits {
        let l = try n.mapping(keys: ["rate_per_second", "burst", "requests_per_day", "tokens_per_day"])
        var limits = RouteLimits()
        if let v = l["rate_per_second"] { limits.ratePerSecond = try v.double(in: 0.000_001...1_000_000) }
        if let v = l["burst"] { limits.burst = try v.int(in: 1...10_000_000) }
        if let v = l["requests_per_day"] { limits.requestsPerDay = try v.int(in: 0...Int(Int32.max)) }
        if let v = l["tokens_per_day"] { limits.tokensPerDay = try v.int(in: 0...Int.max / 2) }
        if limits.burst != nil && limits.ratePerSecond == nil {
            throw n.error("invalid_value", "`burst` needs `rate_per_second` (the bucket's refill rate)")
        }
        return limits
    }

    private static func decodeGuards(_ node: ConfigNode) throws(ConfigError) -> GuardsConfig {
        let m = try node.mapping(keys: [
            "input", "output", "block_response", "injection_threshold", "indirect_injection_threshold", "pii_min_score", "redaction",
            "entities", "pseudonym_key_env", "canary_template", "stream_window", "on_error", "allowed_hosts",
        ])
        var g = GuardsConfig()
        func action(_ n: ConfigNode?, _ name: String) throws(ConfigError) -> GuardsConfig.Action? {
            guard let n else { return nil }
            let value = try n.enumValue(GuardsConfig.Action.self)
            let allowed = GuardsConfig.allowedActions[name] ?? []
            guard allowed.contains(value) else {
                throw n.error("invalid_value", "`\(name)` cannot be `\(value.rawValue)`; expected one of: \(allowed.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        if let n = m["input"] {
            let i = try n.mapping(keys: ["injection", "pii", "secrets", "invisible"])
            if let a = try action(i["injection"], "input.injection") { g.inputInjection = a }
            if let a = try action(i["pii"], "input.pii") { g.inputPII = a }
            if let a = try action(i["secrets"], "input.secrets") { g.inputSecrets = a }
            if let a = try action(i["invisible"], "input.invisible") { g.inputInvisible = a }
        }
        if let n = m["output"] {
            let o = try n.mapping(keys: ["pii", "secrets", "canary", "exfiltration"])
            if let a = try action(o["pii"], "output.pii") { g.outputPII = a }
            if let a = try action(o["secrets"], "output.secrets") { g.outputSecrets = a }
            if let a = try action(o["canary"], "output.canary") { g.outputCanary = a }
            if let a = try action(o["exfiltration"], "output.exfiltration") { g.outputExfiltration = a }
        }
        if let n = m["block_response"] { g.blockResponse = try n.enumValue(GuardsConfig.BlockResponse.self) }
        if let n = m["injection_threshold"] { g.injectionThreshold = try n.double(in: 0.01...1) }
        if let n = m["indirect_injection_threshold"] { g.indirectInjectionThreshold = try n.double(in: 0.01...1) }
        if let n = m["pii_min_score"] { g.piiMinScore = try n.double(in: 0...1) }
        func op(_ n: ConfigNode, allowOff: Bool) throws(ConfigError) -> String {
            let text = try n.string(nonEmpty: true)
            let options = GuardsConfig.operators + (allowOff ? ["off"] : [])
            guard options.contains(text) else {
                throw n.error("invalid_value", "`\(text)` is not a redaction operator; expected one of: \(options.joined(separator: ", "))")
            }
            return text
        }
        if let n = m["redaction"] { g.redaction = try op(n, allowOff: false) }
        if let n = m["entities"] {
            guard case .mapping(let mapping) = n.node else { throw n.error("invalid_type", "expected a mapping of entity type to operator, such as `IP_ADDRESS: generalize`") }
            for (keyNode, _) in mapping {
                guard case .scalar(let key) = keyNode else { throw n.error("invalid_type", "entity types must be plain strings") }
                let type = key.string
                guard GuardsConfig.piiEntityTypes.contains(type) else {
                    let hint = ConfigNode.closest(to: type.uppercased(), in: GuardsConfig.piiEntityTypes).map { " — did you mean `\($0)`?" } ?? ""
                    throw n.error("invalid_value", "`\(type.prefix(64))` is not a PII entity type\(hint) (expected one of: \(GuardsConfig.piiEntityTypes.joined(separator: ", ")))")
                }
            }
            let entries = try n.mapping(keys: mapping.compactMap { if case .scalar(let s) = $0.key { return s.string } else { return nil } })
            for (type, value) in entries.entries { g.entities[type] = try op(value, allowOff: true) }
        }
        if let n = m["pseudonym_key_env"] {
            let env = try n.string(nonEmpty: true)
            guard env.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw n.error("invalid_value", "`\(env)` is not an environment variable name (letters, digits, `_`); put the name here, never the key itself")
            }
            g.pseudonymKeyEnv = env
        }
        if let n = m["canary_template"] {
            let text = try n.string(nonEmpty: true)
            guard text.contains("{canary}"), text.utf8.count <= 4096 else {
                throw n.error("invalid_value", "`canary_template` must contain `{canary}` (where the token goes) and be at most 4096 bytes")
            }
            g.canaryTemplate = text
        }
        if let n = m["stream_window"] { g.streamWindow = try n.int(in: 16...65_536) }
        if let n = m["on_error"] { g.onError = try n.enumValue(GuardsConfig.OnError.self) }
        if let n = m["allowed_hosts"] {
            g.allowedHosts = try n.sequence().map { (item: ConfigNode) throws(ConfigError) -> String in
                let host = try item.string(nonEmpty: true).lowercased()
                guard !host.contains("/"), !host.contains(":"), !host.contains(" "), host.utf8.count <= 253 else {
                    throw item.error("invalid_value", "`\(host)` is not a host name; write `cdn.example.com`, without scheme or path")
                }
                return host
            }
        }
        let usesPseudonym = g.redaction == "pseudonym" || g.entities.values.contains("pseudonym")
        if usesPseudonym && g.pseudonymKeyEnv == nil {
            throw node.error("missing_key", "the `pseudonym` operator needs `pseudonym_key_env`: the environment variable holding its key (32+ random bytes)")
        }
        return g
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
        default:
            return ConfigError(code: "yaml_syntax", path: "", message: "not valid YAML: \(error)")
        }
    }
}

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

/// The entries of a YAML mapping, by key.
struct ConfigMapping {
    let node: ConfigNode
    let entries: [String: ConfigNode]
    subscript(key: String) -> ConfigNode? { entries[key] }
}
