import Foundation

/// The JSON Rampart writes for machines — the CLI's `--format json` and the admin API — one encoder for both, so the
/// same document looks the same wherever it comes from: sorted keys, RFC 3339 times, slashes unescaped.
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        return try encoder.encode(value)
    }
}
