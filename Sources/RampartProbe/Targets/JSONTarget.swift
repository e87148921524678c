import Foundation
import NIOCore
import RampartCore
import RampartML

/// Any classifier behind a JSON API (research notes §5.2, "generic JSON"): a request template with a placeholder for
/// the rows, and JSON paths to the labels and/or the class probabilities in the answer.
///
/// ```
/// template:      {"instances": "{{rows}}"}          one request per batch: the rows as an array of arrays
///                {"features": "{{row}}"}            one request per row: the row as an array
/// labels:        $.predictions[*].label             one value per row (an integer, or a string)
/// probabilities: $.predictions[*].scores            one array of class probabilities per row
/// ```
/// At least one of the paths is needed; without `labels`, a row's label is its top probability.
public final class JSONTarget: ProbeTarget {
    public enum Mode: Sendable { case batch, row }

    public let url: String
    public let features: Int
    public let mode: Mode
    let prefix: String, suffix: String
    let labelsPath: JSONPath?
    let probabilitiesPath: JSONPath?
    let transport: HTTPTransport
    private let stringLabels = StringLabels()

    public init(url: String, features: Int, template: String, labels: String?, probabilities: String?,
                options: HTTPOptions = HTTPOptions()) throws(ProbeError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme, ["http", "https"].contains(scheme),
              components.host?.isEmpty == false
        else { throw .unsuitableTarget("\(url) is not an http(s) URL") }
        guard features >= 1 else { throw .unsuitableTarget("a JSON target needs its number of features (at least 1)") }
        let batch = template.components(separatedBy: #""{{rows}}""#), single = template.components(separatedBy: #""{{row}}""#)
        switch (batch.count, single.count) {
        case (2, 1): mode = .batch; (prefix, suffix) = (batch[0], batch[1])
        case (1, 2): mode = .row; (prefix, suffix) = (single[0], single[1])
        default:
            throw .unsuitableTarget(#"the request template must hold exactly one "{{rows}}" (a batch per request) or one "{{row}}" (a row per request), as a quoted JSON string"#)
        }
        do { _ = try JSONValue.parse(Array((prefix + "[[0]]" + suffix).utf8)) } catch {
            throw .unsuitableTarget("the request template is not JSON once its placeholder is filled: \(error)")
        }
        guard labels != nil || probabilities != nil else { throw .unsuitableTarget("a JSON target needs a path to its labels, its probabilities, or both") }
        labelsPath = try labels.map { path throws(ProbeError) in try JSONPath(path) }
        probabilitiesPath = try probabilities.map { path throws(ProbeError) in try JSONPath(path) }
        self.url = url
        self.features = features
        transport = HTTPTransport(options: options)
    }

    /// Requests sent, retries and 429 waits so far.
    public var statistics: (requests: Int, retries: Int, throttled: Int) { transport.statistics }

    public func answer(_ rows: Tensor) async throws -> TargetAnswer {
        let n = rows.shape[0], d = features
        guard rows.data.allSatisfy(\.isFinite) else { throw ProbeError.unsuitableTarget("a row holds a value that is not finite") }
        func row(_ r: Int) -> String { "[" + rows.data[(r * d)..<((r + 1) * d)].map { $0 == 0 ? "0" : "\($0)" }.joined(separator: ",") + "]" }
        switch mode {
        case .batch:
            let body = prefix + "[" + (0..<n).map(row).joined(separator: ",") + "]" + suffix
            return try read(try await transport.send(.POST, url, body: body), rows: n)
        case .row:
            var answers = [TargetAnswer?](repeating: nil, count: n)
            try await withThrowingTaskGroup(of: (Int, TargetAnswer).self) { group in
                var next = 0
                func add() {
                    let r = next, body = prefix + row(r) + suffix
                    next += 1
                    group.addTask { (r, try self.read(try await self.transport.send(.POST, self.url, body: body), rows: 1)) }
                }
                while next < Swift.min(n, 8) { add() }
                while let (r, answer) = try await group.next() {
                    answers[r] = answer
                    if next < n { add() }
                }
            }
            let all = answers.map { $0! }
            let width = all.first?.probabilities?.shape.last
            let scores = width.flatMap { w in
                all.allSatisfy({ $0.probabilities?.shape.last == w }) ? try? Tensor(shape: [n, w], data: all.flatMap { $0.probabilities!.data }) : nil
            }
            return TargetAnswer(labels: all.flatMap(\.labels), probabilities: scores)
        }
    }

    func read(_ bytes: ByteBuffer, rows n: Int) throws(ProbeError) -> TargetAnswer {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes.readableBytesView) } catch { throw .targetFailed("\(url) answered with invalid JSON: \(error)") }
        var scores: Tensor?
        if let probabilitiesPath {
            var found = probabilitiesPath.select(json)
            // One row per request: the path may point at the row's array itself.
            if n == 1, found.count > 1, found.allSatisfy({ if case .number = $0 { true } else { false } }) { found = [.array(found)] }
            guard found.count == n else { throw .targetFailed("\(url): \(probabilitiesPath) found \(found.count) values for \(n) rows") }
            var values: [Float] = []
            var width: Int?
            for (r, item) in found.enumerated() {
                guard let array = item.arrayValue, width == nil || array.count == width, !array.isEmpty else {
                    throw .targetFailed("\(url): \(probabilitiesPath) gives \(item.kindName) for row \(r), not an array of \(width ?? 2)+ probabilities")
                }
                width = array.count
                for value in array {
                    guard case .number(let text) = value, let p = Float(text), p.isFinite else {
                        throw .targetFailed("\(url): \(probabilitiesPath) holds \(value.kindName) in row \(r) where a probability was expected")
                    }
                    values.append(p)
                }
            }
            scores = try? Tensor(shape: [n, width ?? 0], data: values)
        }
        var labels: [Int]
        if let labelsPath {
            let found = labelsPath.select(json)
            guard found.count == n else { throw .targetFailed("\(url): \(labelsPath) found \(found.count) labels for \(n) rows") }
            labels = try found.enumerated().map { (r, value) throws(ProbeError) in
                if let int = value.intValue { return int }
                if let text = value.stringValue { return stringLabels.id(text) }
                throw .targetFailed("\(url): \(labelsPath) holds \(value.kindName) for row \(r) where a class label was expected")
            }
        } else if let scores, let picked = try? scores.argmax(axis: -1, keepDims: false) {
            labels = picked.data.map { Int($0) }
        } else {
            throw .targetFailed("\(url): no labels and no probabilities in the answer")
        }
        return TargetAnswer(labels: labels, probabilities: scores)
    }
}
