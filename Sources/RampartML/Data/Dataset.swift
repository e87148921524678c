import Foundation

/// The attacker's data: numeric rows with a label per row, read from CSV (RFC 4180 without quoted fields: a header,
/// then one row per line, comma-separated numbers). The label column (`label` unless told otherwise) holds integer
/// classes; every other column is a feature, unless named in `extra` — kept aside, such as a sensitive attribute.
public struct Dataset: Sendable, Equatable {
    public var features: [String]
    public var rows: [[Float]]
    public var labels: [Int]
    /// Columns read but not used as features, by name.
    public var extra: [String: [Float]]

    public var count: Int { rows.count }

    public init(features: [String], rows: [[Float]], labels: [Int], extra: [String: [Float]] = [:]) {
        self.features = features
        self.rows = rows
        self.labels = labels
        self.extra = extra
    }

    /// Why a CSV could not be read: the file, the line (1-based; the header is line 1) and what was wrong.
    public struct LoadError: Error, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var message: String
        public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
    }

    /// Files larger than this are refused before reading.
    public static let maxBytes = 512 << 20
    /// Values (rows × columns) at most.
    public static let maxValues = 1 << 27

    public static func load(csv path: String, label: String = "label", extra: [String] = []) throws(LoadError) -> Dataset {
        func fail(_ line: Int?, _ message: String) -> LoadError { LoadError(file: path, line: line, message: message) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size else { throw fail(nil, "cannot read the file (does it exist?)") }
        guard size <= maxBytes else { throw fail(nil, "the file has \(size) bytes; at most \(maxBytes) are read") }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail(nil, "cannot read the file") }
        return try parse(data, name: path, label: label, extra: extra)
    }

    /// Parses CSV bytes (`name` is used in errors).
    public static func parse(_ data: Data, name: String, label: String = "label", extra: [String] = []) throws(LoadError) -> Dataset {
        func fail(_ line: Int?, _ message: String) -> LoadError { LoadError(file: name, line: line, message: message) }
        guard let text = String(data: data, encoding: .utf8) else { throw fail(nil, "the file is not UTF-8 text") }
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        guard let headerLine = lines.first else { throw fail(nil, "the file is empty; expected a header line naming the columns") }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if let blank = header.firstIndex(of: "") { throw fail(1, "column \(blank + 1) has no name") }
        var seen = Set<String>()
        if let duplicate = header.first(where: { !seen.insert($0).inserted }) { throw fail(1, "column \(duplicate) appears twice") }
        guard let labelIndex = header.firstIndex(of: label) else {
            throw fail(1, "no column is named \(label); the columns are \(header.prefix(8).joined(separator: ", "))\(header.count > 8 ? ", …" : "") (name the label column with --label)")
        }
        var extraIndex: [String: Int] = [:]
        for name in extra {
            guard let index = header.firstIndex(of: name) else { throw fail(1, "no column is named \(name)") }
            extraIndex[name] = index
        }
        let featureIndex = header.indices.filter { $0 != labelIndex && !extraIndex.values.contains($0) }
        guard !featureIndex.isEmpty else { throw fail(1, "no feature columns besides \(label)") }
        guard lines.count - 1 <= maxValues / header.count else { throw fail(nil, "more than \(maxValues) values") }
        var rows: [[Float]] = [], labels: [Int] = []
        var extras = extraIndex.mapValues { _ in [Float]() }
        rows.reserveCapacity(lines.count - 1)
        for (offset, line) in lines.dropFirst().enumerated() {
            let number = offset + 2
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count else {
                throw fail(number, "\(fields.count) fields where the header has \(header.count)\(line.contains("\"") ? " (quoted fields are not supported)" : "")")
            }
            func value(_ index: Int) throws(LoadError) -> Float {
                let field = fields[index].trimmingCharacters(in: .whitespaces)
                guard let value = Float(field), value.isFinite else {
                    throw fail(number, "column \(header[index]): \(field.isEmpty ? "an empty field" : "\"\(field.prefix(40))\"") is not a finite number")
                }
                return value
            }
            rows.append(try featureIndex.map { index throws(LoadError) in try value(index) })
            let y = try value(labelIndex)
            guard y.rounded() == y, abs(y) < 1e9 else { throw fail(number, "column \(label): \(y) is not an integer class") }
            labels.append(Int(y))
            for (name, index) in extraIndex { extras[name]!.append(try value(index)) }
        }
        guard !rows.isEmpty else { throw fail(nil, "the file has a header but no rows") }
        return Dataset(features: featureIndex.map { header[$0] }, rows: rows, labels: labels, extra: extras)
    }

    /// Rows `range` of the data set.
    public func slice(_ range: Range<Int>) -> Dataset {
        let r = range.clamped(to: 0..<count)
        return Dataset(features: features, rows: Array(rows[r]), labels: Array(labels[r]), extra: extra.mapValues { Array($0[r]) })
    }
}
