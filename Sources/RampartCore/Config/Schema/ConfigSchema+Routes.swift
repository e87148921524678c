extension ConfigSchema {
    // MARK: guards (LLM routes)

    static func action(_ name: String, _ path: WritableKeyPath<GuardsConfig, GuardsConfig.Action>, doc: String) -> ConfigField<GuardsConfig> {
        nonisolated(unsafe) let path = path
        let allowed = GuardsConfig.allowedActions[name] ?? []
        let codec = ConfigCodec<GuardsConfig.Action>(type: allowed.map { "`\($0.rawValue)`" }.joined(separator: " \\| "), decode: { n throws(ConfigError) in
            let value = try n.enumValue(GuardsConfig.Action.self)
            guard allowed.contains(value) else {
                throw n.error("invalid_value", "`\(name)` cannot be `\(value.rawValue)`; expected one of: \(allowed.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }, encode: { .scalar($0.rawValue) })
        return .value(String(name.split(separator: ".").last ?? ""), path, codec, doc: doc)
    }

    static func redactionOperator(allowOff: Bool) -> ConfigCodec<String> {
        let options = GuardsConfig.operators + (allowOff ? ["off"] : [])
        return ConfigCodec(type: options.map { "`\($0)`" }.joined(separator: " \\| "), decode: { n throws(ConfigError) in
            let text = try n.string(nonEmpty: true)
            guard options.contains(text) else {
                throw n.error("invalid_value", "`\(text)` is not a redaction operator; expected one of: \(options.joined(separator: ", "))")
            }
            return text
        }, encode: { .scalar($0) })
    }

    static let guards = ConfigSection<GuardsConfig>([
        .group("input", [
            action("input.injection", \.inputInjection, doc: "Prompt injection in `user` messages (and, at the indirect threshold, in `tool`/`function` messages and embeddings inputs)."),
            action("input.pii", \.inputPII, doc: "Personal data in any message."),
            action("input.secrets", \.inputSecrets, doc: "Secrets (API keys, tokens, private keys) in any message."),
            action("input.invisible", \.inputInvisible, doc: "Invisible and control characters."),
        ]),
        .group("output", [
            action("output.pii", \.outputPII, doc: "Personal data the model produced."),
            action("output.secrets", \.outputSecrets, doc: "Secrets the model produced."),
            action("output.canary", \.outputCanary, doc: "Adds a per-request canary to the system prompt and watches the answer for it (system-prompt leaks)."),
            action("output.exfiltration", \.outputExfiltration, doc: "Images and data-carrying links to other hosts in answers."),
        ]),
        .value("block_response", \.blockResponse, .enumeration,
               doc: "`refusal`: 200 with an assistant refusal (`finish_reason: content_filter`); `error`: an OpenAI error (400)."),
        .value("injection_threshold", \.injectionThreshold, .double(0.01...1), doc: "Injection score at which a user's message is blocked or flagged."),
        .value("indirect_injection_threshold", \.indirectInjectionThreshold, .double(0.01...1), doc: "The same for content that is not the user's own words."),
        .value("pii_min_score", \.piiMinScore, .double(0...1), doc: "PII findings scoring lower are ignored."),
        .value("redaction", \.redaction, redactionOperator(allowOff: false),
               doc: "How personal data is replaced: `placeholder` (restored in the answer), `mask`, `pseudonym` (keyed, per tenant), `generalize`."),
        ConfigField(key: "entities",
                    reference: { prefix, _ in [.row(prefix, "entities.<TYPE>", type: redactionOperator(allowOff: true).type, defaultValue: "`redaction`", kinds: nil,
                                                    doc: "Per entity type (\(GuardsConfig.piiEntityTypes.map { "`\($0)`" }.joined(separator: ", "))): an operator, or `off`.")] },
                    decode: { n, g, _ throws(ConfigError) in
                        guard !n.isNull else { return }
                        guard case .mapping(let mapping) = n.node else { throw n.error("invalid_type", "expected a mapping of entity type to operator, such as `IP_ADDRESS: generalize`") }
                        for (keyNode, _) in mapping {
                            guard case .scalar(let key) = keyNode else { throw n.error("invalid_type", "entity types must be plain strings") }
                            let type = key.string
                            guard GuardsConfig.piiEntityTypes.contains(type) else {
                                let hint = ConfigNode.closest(to: type.uppercased(), in: GuardsConfig.piiEntityTypes).map { " — did you mean `\($0)`?" } ?? ""
                                throw n.error("invalid_value", "`\(type.prefix(64))` is not a PII entity type\(hint) (expected one of: \(GuardsConfig.piiEntityTypes.joined(separator: ", ")))")
                            }
                        }
                        let entries = try n.mapping(keys: GuardsConfig.piiEntityTypes)
                        let codec = redactionOperator(allowOff: true)
                        for type in GuardsConfig.piiEntityTypes { if let value = entries[type] { g.entities[type] = try codec.decode(value) } }
                    },
                    show: { g, _ in ConfigEntry("entities", .map(g.entities.sorted { $0.key < $1.key }.map { ConfigEntry($0.key, .scalar($0.value)) }),
                                                comment: g.entities.isEmpty ? "every type uses `redaction`" : nil) }),
        .optional("pseudonym_key_env", \.pseudonymKeyEnv, .environmentName, none: "none", comment: environmentComment,
                  doc: "The environment variable holding the pseudonym key (32 bytes or more); required by `pseudonym`."),
        .value("canary_template", \.canaryTemplate, .checked("string with `{canary}`, at most 4096 bytes",
                                                               { _ in "`canary_template` must contain `{canary}` (where the token goes) and be at most 4096 bytes" },
                                                               { $0.contains("{canary}") && $0.utf8.count <= 4096 }),
               defaultText: "see guards.md", doc: "The sentence added to the system prompt."),
        .value("stream_window", \.streamWindow, .int(16...65_536), doc: "Characters of a streamed answer held back and scanned again with the next chunk."),
        .value("on_error", \.onError, .enumeration, doc: "`block` (fail closed) or `allow` when a guard cannot read what it must check."),
        .value("allowed_hosts", \.allowedHosts, .list(ConfigCodec<String>(type: "host", decode: { item throws(ConfigError) in
            let host = try item.string(nonEmpty: true).lowercased()
            guard !host.contains("/"), !host.contains(":"), !host.contains(" "), host.utf8.count <= 253 else {
                throw item.error("invalid_value", "`\(host)` is not a host name; write `cdn.example.com`, without scheme or path")
            }
            return host
        }, encode: { .string($0) }), type: "list of host names"), doc: "Hosts (and their subdomains) whose images and links `exfiltration` lets through."),
    ], check: { g, m throws(ConfigError) in
        let usesPseudonym = g.redaction == "pseudonym" || g.entities.values.contains("pseudonym")
        if usesPseudonym && g.pseudonymKeyEnv == nil {
            throw m.node.error("missing_key", "the `pseudonym` operator needs `pseudonym_key_env`: the environment variable holding its key (32+ random bytes)")
        }
    })

    // MARK: classifiers (kind: model and kind: kserve)

    static let confidence = ConfigCodec<ClassifierConfig.Confidence>(type: "`label` \\| `full` \\| `{ top_k: K }` (1–10000) \\| `{ round: DIGITS }` (0–7)", decode: { c throws(ConfigError) in
        if c.isMapping {
            let options = try c.mapping(keys: ["top_k", "round"])
            if options["top_k"] != nil && options["round"] != nil { throw c.error("invalid_value", "`confidence` takes `top_k` or `round`, not both") }
            if let k = options["top_k"] { return .topK(try k.int(in: 1...10_000)) }
            if let digits = options["round"] { return .round(try digits.int(in: 0...7)) }
            throw c.error("invalid_value", "`confidence` takes `full`, `label`, `{ top_k: K }` or `{ round: DIGITS }`")
        }
        switch try c.string(nonEmpty: true) {
        case "full": return .full
        case "label": return .label
        case let other: throw c.error("invalid_value", "`confidence: \(other)` is not one of full, label, { top_k: K }, { round: DIGITS }")
        }
    }, encode: { confidence in
        switch confidence {
        case .full: .scalar("full")
        case .label: .scalar("label")
        case .topK(let k): .map([ConfigEntry("top_k", .scalar(String(k)))])
        case .round(let digits): .map([ConfigEntry("round", .scalar(String(digits)))])
        }
    })


    static let evasion = ConfigSection<ClassifierConfig.EvasionMonitor>([
        fixed("detector", "stateful", "`monitor.evasion.detector` must be `stateful` (query hashing after Blacklight)", doc: "The one detector: stateful query hashing after Blacklight."),
        .value("action", \.action, .enumeration, doc: "`block` (`403 evasion_suspected`) or `flag` (answer, and record the finding)."),
        .value("quantization", \.quantization, .double(1e-6...1e6), doc: "Bin width, as a fraction of the input's declared range (absolute when none is declared)."),
        .value("window", \.window, .int(1...1_000_000), doc: "Consecutive features per hashed window."),
        .value("hashes", \.hashes, .int(1...1000), doc: "Hashes kept per query."),
        .value("threshold", \.threshold, .int(1...1000), doc: "Matching hashes that make a query a near-copy (at most `hashes`)."),
        .value("history", \.history, .int(1...100_000), doc: "Queries remembered per client."),
    ], check: { e, m throws(ConfigError) in
        guard e.threshold <= e.hashes else { throw m.node.error("invalid_value", "`threshold` (\(e.threshold)) cannot exceed `hashes` (\(e.hashes))") }
    })

    static let extraction = ConfigSection<ClassifierConfig.ExtractionMonitor>([
        fixed("detector", "prada", "`monitor.extraction.detector` must be `prada` (Juuti et al. 2019)", doc: "The one detector: PRADA (Juuti et al. 2019)."),
        .value("action", \.action, .enumeration, doc: "`flag`, or `block` (`403 extraction_suspected`)."),
        .value("delta", \.delta, .double(0.01...0.9999), doc: "Alarm when the Shapiro–Wilk W of the client's query distances is below it."),
        .value("minimum", \.minimum, .int(3...5000), doc: "Distances collected before the first test (at most `distances`)."),
        .value("per_class", \.perClass, .int(1...100_000), doc: "Queries kept per class in the growing set."),
        .value("distances", \.distances, .int(3...5000), doc: "Most recent distances tested."),
    ], check: { e, m throws(ConfigError) in
        guard e.minimum <= e.distances else { throw m.node.error("invalid_value", "`minimum` (\(e.minimum)) cannot exceed `distances` (\(e.distances))") }
    })

    static let smoothing = ConfigSection<ClassifierConfig.Smoothing>([
        .value("sigma", \.sigma, .double(1e-6...1e6), defaultText: "required", doc: "The Gaussian noise's standard deviation, in input units."),
        .value("samples", \.samples, .int(1...100_000), doc: "Noisy copies classified per row."),
        .value("alpha", \.alpha, .double(1e-12...0.5), doc: "The binomial test's level; above it the gateway abstains (label `-1`, `abstained: true`)."),
    ], check: { _, m throws(ConfigError) in
        guard m["sigma"] != nil else { throw m.node.error("missing_key", "`smoothing` needs `sigma`, the noise's standard deviation in input units") }
    })

    /// A key whose one allowed value names the algorithm (kept so configs say what they rely on).
    static func fixed<Root>(_ key: String, _ value: String, _ message: String, doc: String) -> ConfigField<Root> {
        ConfigField(key: key, reference: { prefix, _ in [.row(prefix, key, type: "`\(value)`", defaultValue: "`\(value)`", kinds: nil, doc: doc)] },
                    decode: { n, _, _ throws(ConfigError) in
                        guard try n.string(nonEmpty: true) == value else { throw n.error("invalid_value", message) }
                    },
                    show: { _, _ in ConfigEntry(key, .scalar(value)) })
    }

    static let classifier: [ConfigField<ClassifierConfig>] = [
        .value("model", \.model, .text("path to an `.onnx` file"), defaultText: "required",
               doc: "The model, relative to the config file; loaded and compiled at start (unsupported operators stop the start)."),
        .optional("upstream_model", \.upstreamModel, .text(), none: "the route's name", doc: "The model's name on the remote KServe v2 server."),
        ConfigField(key: "inputs",
                    reference: { prefix, _ in [.row(prefix, "inputs.<TENSOR>.min", type: "number", defaultValue: "unbounded", kinds: nil, doc: "Lowest value input `TENSOR` may hold; below is `400 out_of_range` naming the index."),
                                               .row(prefix, "inputs.<TENSOR>.max", type: "number", defaultValue: "unbounded", kinds: nil, doc: "Highest value input `TENSOR` may hold.")] },
                    decode: { n, classifier, _ throws(ConfigError) in
                        guard !n.isNull else { return }
                        let inputs = try n.mapping(keys: nil)
                        for (tensor, rangeNode) in inputs.entries {
                            let r = try rangeNode.mapping(keys: ["min", "max"])
                            let any = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude
                            let low = try r["min"]?.double(in: any) ?? -Double.greatestFiniteMagnitude
                            let high = try r["max"]?.double(in: any) ?? Double.greatestFiniteMagnitude
                            guard low <= high else { throw rangeNode.error("invalid_value", "input `\(tensor)`: min \(low) is above max \(high)") }
                            classifier.inputRanges[tensor] = low...high
                        }
                    },
                    show: { classifier, _ in
                        ConfigEntry("inputs", .map(classifier.inputRanges.sorted { $0.key < $1.key }.map { tensor, range in
                            ConfigEntry(tensor, .map([ConfigEntry("min", .scalar(ConfigCodec<Double>.format(range.lowerBound))),
                                                      ConfigEntry("max", .scalar(ConfigCodec<Double>.format(range.upperBound)))]))
                        }), comment: classifier.inputRanges.isEmpty ? "no declared ranges" : nil)
                    }),
        .group("output", [.value("confidence", \.confidence, confidence, doc: "What an answer reveals of the model's confidence (the guide's \"excluding confidence from the output\").")]),
        .group("monitor", [
            .optionalSection("evasion", \.evasion, make: { ClassifierConfig.EvasionMonitor() }, evasion),
            .optionalSection("extraction", \.extraction, make: { ClassifierConfig.ExtractionMonitor() }, extraction),
            .value("max_clients", \.monitorMaxClients, .int(1...10_000_000), doc: "Clients (key and subject) remembered; the least recently seen are forgotten first."),
            .value("persist_seconds", \.monitorPersistSeconds, .double(0.1...86_400), doc: "How often changed monitor state is written to the store (and at shutdown)."),
        ]),
        .optionalSection("smoothing", \.smoothing, make: { ClassifierConfig.Smoothing(sigma: 0.25) }, smoothing),
    ]
}
