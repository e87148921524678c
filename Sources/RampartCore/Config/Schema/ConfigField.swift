/// One key of `rampart.yaml`, declared once: how it is read (with its range or allowed values), how `config show`
/// prints its effective value, and its row in the reference — all from one declaration in ``ConfigSchema``.
struct ConfigField<Root>: Sendable {
    let key: String
    /// The route kinds the key applies to (route keys only); another kind refuses it.
    let kinds: Set<RouteConfig.Kind>?
    /// Reference rows, under `prefix` (the parent's path).
    let reference: @Sendable (_ prefix: String, _ defaults: Root) -> [ConfigKeyInfo]
    /// Reads the key's node into `root`; `siblings` is the mapping it sits in, for keys that depend on another.
    let decode: @Sendable (_ node: ConfigNode, _ root: inout Root, _ siblings: ConfigMapping) throws(ConfigError) -> Void
    /// The key's effective value, or nil where it does not apply.
    let show: @Sendable (_ root: Root, _ environment: [String: String]) -> ConfigEntry?

    init(key: String, kinds: Set<RouteConfig.Kind>? = nil,
         reference: @escaping @Sendable (String, Root) -> [ConfigKeyInfo],
         decode: @escaping @Sendable (ConfigNode, inout Root, ConfigMapping) throws(ConfigError) -> Void,
         show: @escaping @Sendable (Root, [String: String]) -> ConfigEntry?) {
        self.key = key
        self.kinds = kinds
        self.reference = reference
        self.decode = decode
        self.show = show
    }

    static func row(_ prefix: String, _ key: String, type: String, defaultValue: String, kinds: Set<RouteConfig.Kind>?, doc: String) -> ConfigKeyInfo {
        ConfigKeyInfo.row(prefix, key, type: type, defaultValue: defaultValue, kinds: kinds, doc: doc)
    }

    /// A key that always has a value (its default is the struct's).
    static func value<V>(_ key: String, _ path: WritableKeyPath<Root, V>, _ codec: ConfigCodec<V>, kinds: Set<RouteConfig.Kind>? = nil,
                         defaultText: String? = nil, doc: String) -> Self {
        nonisolated(unsafe) let path = path  // key paths are immutable values
        return Self(key: key, kinds: kinds,
             reference: { prefix, defaults in [row(prefix, key, type: codec.type, defaultValue: defaultText ?? "`\(ConfigEmitter.inline(codec.encode(defaults[keyPath: path])))`", kinds: kinds, doc: doc)] },
             decode: { node, root, _ throws(ConfigError) in root[keyPath: path] = try codec.decode(node) },
             show: { root, _ in ConfigEntry(key, codec.encode(root[keyPath: path])) })
    }

    /// A key that may be absent (`null`): `none` says what absence means.
    static func optional<V>(_ key: String, _ path: WritableKeyPath<Root, V?>, _ codec: ConfigCodec<V>, none: String,
                            kinds: Set<RouteConfig.Kind>? = nil, comment: (@Sendable (V?, [String: String]) -> String?)? = nil, doc: String) -> Self {
        nonisolated(unsafe) let path = path
        return Self(key: key, kinds: kinds,
             reference: { prefix, _ in [row(prefix, key, type: codec.type, defaultValue: none, kinds: kinds, doc: doc)] },
             decode: { node, root, _ throws(ConfigError) in root[keyPath: path] = node.isNull ? nil : try codec.decode(node) },
             show: { root, environment in
                 let value = root[keyPath: path]
                 return ConfigEntry(key, value.map(codec.encode) ?? .null, comment: comment?(value, environment) ?? (value == nil ? none : nil))
             })
    }

    /// A nested mapping held in a field of its own type.
    static func section<S>(_ key: String, _ path: WritableKeyPath<Root, S>, _ section: ConfigSection<S>, kinds: Set<RouteConfig.Kind>? = nil) -> Self {
        nonisolated(unsafe) let path = path
        return Self(key: key, kinds: kinds,
             reference: { prefix, defaults in section.reference(prefix: prefix.isEmpty ? key : "\(prefix).\(key)", defaults: defaults[keyPath: path]) },
             decode: { node, root, _ throws(ConfigError) in root[keyPath: path] = try section.decode(node, into: root[keyPath: path]) },
             show: { root, environment in ConfigEntry(key, .map(section.show(root[keyPath: path], environment))) })
    }

    /// A nested mapping whose presence turns a feature on (`monitor.evasion`, `smoothing`, `guards`); absent, it is off.
    static func optionalSection<S>(_ key: String, _ path: WritableKeyPath<Root, S?>, make: @escaping @Sendable () -> S, _ section: ConfigSection<S>,
                                   kinds: Set<RouteConfig.Kind>? = nil, off: String = "off unless set") -> Self {
        nonisolated(unsafe) let path = path
        return Self(key: key, kinds: kinds,
             reference: { prefix, _ in
                 let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                 return [row(prefix, key, type: "mapping", defaultValue: "absent: \(off)", kinds: kinds, doc: "Present, it turns the feature on with the keys below.")]
                     + section.reference(prefix: path, defaults: make())
             },
             decode: { node, root, _ throws(ConfigError) in root[keyPath: path] = node.isNull ? nil : try section.decode(node, into: make()) },
             show: { root, environment in
                 guard let value = root[keyPath: path] else { return ConfigEntry(key, .null, comment: off) }
                 return ConfigEntry(key, .map(section.show(value, environment)))
             })
    }

    /// A YAML-only level of nesting over the same value (`guards.input`, `monitor`).
    static func group(_ key: String, kinds: Set<RouteConfig.Kind>? = nil, _ fields: [ConfigField<Root>], check: ConfigSection<Root>.Check? = nil) -> Self {
        let section = ConfigSection<Root>(fields, check: check)
        return Self(key: key, kinds: kinds,
                    reference: { prefix, defaults in section.reference(prefix: prefix.isEmpty ? key : "\(prefix).\(key)", defaults: defaults) },
                    decode: { node, root, _ throws(ConfigError) in root = try section.decode(node, into: root) },
                    show: { root, environment in ConfigEntry(key, .map(section.show(root, environment))) })
    }

    /// Fields of a value held in an optional field of `Root` (a route's classifier settings), created on first use.
    func lifted<Outer>(into path: WritableKeyPath<Outer, Root?>, make: @escaping @Sendable () -> Root, kinds: Set<RouteConfig.Kind>?) -> ConfigField<Outer> {
        nonisolated(unsafe) let path = path
        let inner = self
        return ConfigField<Outer>(key: key, kinds: kinds,
                                  reference: { prefix, _ in inner.reference(prefix, make()).map { var row = $0; row.kinds = kinds.map { $0.map(\.rawValue).sorted().joined(separator: ", ") } ?? ""; return row } },
                                  decode: { node, outer, siblings throws(ConfigError) in
                                      var value = outer[keyPath: path] ?? make()
                                      try inner.decode(node, &value, siblings)
                                      outer[keyPath: path] = value
                                  },
                                  show: { outer, environment in outer[keyPath: path].flatMap { inner.show($0, environment) } })
    }
}

/// The keys of one mapping, with the checks that span several of them.
struct ConfigSection<Root>: Sendable {
    typealias Check = @Sendable (_ root: Root, _ mapping: ConfigMapping) throws(ConfigError) -> Void

    let fields: [ConfigField<Root>]
    let check: Check?
    /// Which keys `config show` prints for a value (all by default): keys that do not apply to it are left out, so the
    /// output loads back.
    let visible: (@Sendable (_ root: Root, _ key: String) -> Bool)?

    init(_ fields: [ConfigField<Root>], check: Check? = nil, visible: (@Sendable (Root, String) -> Bool)? = nil) {
        self.fields = fields
        self.check = check
        self.visible = visible
    }

    var keys: [String] { fields.map(\.key) }

    func decode(_ node: ConfigNode, into start: Root) throws(ConfigError) -> Root {
        let mapping = try node.mapping(keys: keys)
        var root = start
        for field in fields {
            if let child = mapping[field.key] { try field.decode(child, &root, mapping) }
        }
        try check?(root, mapping)
        return root
    }

    func show(_ root: Root, _ environment: [String: String]) -> [ConfigEntry] {
        fields.filter { visible?(root, $0.key) ?? true }.compactMap { $0.show(root, environment) }
    }

    func reference(prefix: String, defaults: Root) -> [ConfigKeyInfo] {
        fields.flatMap { $0.reference(prefix, defaults) }
    }
}
