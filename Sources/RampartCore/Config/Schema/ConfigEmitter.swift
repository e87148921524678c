/// Writes ``ConfigValue``s as block YAML that ``ConfigLoader`` reads back to the same config.
enum ConfigEmitter {
    static func yaml(_ entries: [ConfigEntry]) -> String {
        var lines: [String] = []
        mapping(entries, indent: "", into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func mapping(_ entries: [ConfigEntry], indent: String, into lines: inout [String]) {
        for entry in entries {
            let comment = entry.comment.map { "   # \($0)" } ?? ""
            switch entry.value {
            case .map(let children) where !children.isEmpty:
                lines.append("\(indent)\(key(entry.key)):\(comment)")
                mapping(children, indent: indent + "  ", into: &lines)
            case .list(let items) where items.contains(where: { if case .map = $0 { true } else { false } }):
                lines.append("\(indent)\(key(entry.key)):\(comment)")
                for item in items {
                    guard case .map(let children) = item, !children.isEmpty else {
                        lines.append("\(indent)  - \(inline(item))")
                        continue
                    }
                    var nested: [String] = []
                    mapping(children, indent: indent + "    ", into: &nested)
                    if var first = nested.first {
                        first.replaceSubrange(first.startIndex..<first.index(first.startIndex, offsetBy: indent.count + 4), with: indent + "  - ")
                        nested[0] = first
                    }
                    lines += nested
                }
            default:
                lines.append("\(indent)\(key(entry.key)): \(inline(entry.value))\(comment)")
            }
        }
    }

    /// A value on one line: flow style for lists and mappings.
    static func inline(_ value: ConfigValue) -> String {
        switch value {
        case .scalar(let text): text
        case .string(let text): JSONValue.quote(text)
        case .null: "null"
        case .list(let items): "[" + items.map(inline).joined(separator: ", ") + "]"
        case .map(let entries): "{" + entries.map { "\(key($0.key)): \(inline($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    /// A mapping key as it is, when YAML reads it back as written; quoted otherwise (a tensor name may hold anything).
    static func key(_ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0) }
            && !["null", "true", "false", "~", "yes", "no", "on", "off"].contains(key.lowercased()) && key.first != "-"
        return plain ? key : JSONValue.quote(key)
    }
}
