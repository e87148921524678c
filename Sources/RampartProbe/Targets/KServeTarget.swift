import Foundation
import NIOCore
import RampartCore
import RampartML

/// A classifier behind the KServe v2 / Open Inference Protocol (KServe, Triton, MLServer, Seldon — and Rampart's own
/// classifier routes): the input's name, datatype and shape come from `GET /v2/models/{name}`; rows go to
/// `POST /v2/models/{name}/infer` as one tensor.
///
/// Reading the answer: an integer (or `BYTES`) output with one value per row is the label; an `FP32`/`FP64` output of
/// shape `[n, C]` is the class scores (column j = class j); Rampart's `top_k_labels`/`top_k_scores` are placed into
/// `classes` columns when the class count is known; an `abstained` `BOOL` output (randomized smoothing) turns the
/// label into −1. Without a label output the label is the top score.
public final class KServeTarget: ProbeTarget {
    public let url: String
    public let model: String
    public let features: Int
    let input: (name: String, datatype: InferenceDatatype, shape: [Int])
    let classes: Int?
    let transport: HTTPTransport
    private let stringLabels = StringLabels()

    /// Reads the model's metadata at `url` (`http://host:port/v2/models/NAME`, with or without `/infer`).
    ///
    /// - Parameter classes: the number of classes, when the target answers top-k and scores should be placed.
    public init(url: String, options: HTTPOptions = HTTPOptions(), classes: Int? = nil) async throws(ProbeError) {
        var base = url.hasSuffix("/") ? String(url.dropLast()) : url
        if base.hasSuffix("/infer") { base = String(base.dropLast("/infer".count)) }
        guard let components = URLComponents(string: base), let scheme = components.scheme, ["http", "https"].contains(scheme),
              components.host?.isEmpty == false, components.path.contains("/v2/models/")
        else { throw .unsuitableTarget("\(url) is not a KServe v2 model URL; expected http(s)://HOST[:PORT]/v2/models/NAME") }
        if let classes, !(2...100_000).contains(classes) { throw .unsuitableTarget("classes must be between 2 and 100000, got \(classes)") }
        self.url = base
        self.classes = classes
        transport = HTTPTransport(options: options)
        let body = try await transport.send(.GET, base, body: nil)
        let metadata: ModelMetadata
        do { metadata = try ModelMetadata.decode(body.readableBytesView) } catch {
            throw .unsuitableTarget("\(base): the model metadata is not usable: \(error)")
        }
        model = metadata.name.isEmpty ? String(base.split(separator: "/").last ?? "") : metadata.name
        guard metadata.inputs.count == 1, let first = metadata.inputs.first, !first.shape.isEmpty else {
            throw .unsuitableTarget("\(base): the metadata must declare exactly one input with a name, datatype and shape (the probe attacks single-tensor classifiers)")
        }
        guard let datatype = InferenceDatatype(rawValue: first.datatype), datatype == .fp32 || datatype == .fp64 else {
            throw .unsuitableTarget("\(base): input \(first.name) is \(first.datatype); the probe sends FP32 or FP64 features")
        }
        let perRow = first.shape.count == 1 ? first.shape : Array(first.shape.dropFirst())
        guard perRow.allSatisfy({ $0 > 0 }), let width = try? Tensor.count(of: perRow), width <= 1 << 24 else {
            throw .unsuitableTarget("\(base): input \(first.name) has shape \(first.shape); the probe needs a fixed size after the batch dimension")
        }
        input = (first.name, datatype, perRow)
        features = width
    }

    public func answer(_ rows: Tensor) async throws -> TargetAnswer {
        let n = rows.shape[0]
        guard rows.data.allSatisfy(\.isFinite) else { throw ProbeError.unsuitableTarget("a row holds a value that is not finite") }
        let body = InferenceRequest(inputs: [InferenceTensor(name: input.name, datatype: input.datatype, shape: [n] + input.shape, data: .floats(rows.data))]).json()
        let bytes = try await transport.send(.POST, url + "/infer", body: body)
        return try read(bytes, rows: n)
    }

    /// Requests sent, retries and 429 waits so far.
    public var statistics: (requests: Int, retries: Int, throttled: Int) { transport.statistics }

    func read(_ bytes: ByteBuffer, rows n: Int) throws(ProbeError) -> TargetAnswer {
        let response: InferenceResponse
        do { response = try InferenceResponse.decode(bytes.readableBytesView) } catch { throw .targetFailed("\(url)/infer: \(error)") }
        var labels: [Int]?
        var abstained: [Bool]?
        var scores: Tensor?
        var topLabels: [Int]?, topScores: [Float]?, k = 0
        for output in response.outputs {
            let (name, shape) = (output.name, output.shape)
            switch (name, output.data) {
            case ("abstained", .bools(let flags)) where flags.count == n:
                abstained = flags
            case ("top_k_labels", _) where shape.count == 2 && shape[0] == n:
                k = shape[1]
                topLabels = try labelIDs(output)
            case ("top_k_scores", .floats(let values)) where shape.count == 2 && shape[0] == n:
                topScores = values
            case (_, .strings), (_, .ints):
                guard labels == nil, output.data.count == n else { continue }
                labels = try labelIDs(output)
            case (_, .floats(let values)):
                guard scores == nil, shape.count == 2, shape[0] == n, shape[1] >= 2 else { continue }
                scores = try? Tensor(shape: shape, data: values)
            default: continue
            }
        }
        var kind: OutputKind?
        if let topLabels, let topScores, k > 0 {
            guard topLabels.count == n * k, topScores.count == n * k else {
                throw .targetFailed("\(url)/infer: top_k_labels and top_k_scores must both have shape [\(n), \(k)]")
            }
            kind = .topK(k)
            if let classes {
                var filled = [Float](repeating: 0, count: n * classes)
                for r in 0..<n {
                    var known = Set<Int>(), mass: Float = 0
                    for j in 0..<k {
                        let c = topLabels[r * k + j]
                        guard c >= 0, c < classes else { throw .targetFailed("\(url)/infer: top-k class \(c) is outside 0..<\(classes) (check --classes)") }
                        filled[r * classes + c] = topScores[r * k + j]
                        known.insert(c)
                        mass += topScores[r * k + j]
                    }
                    let share = known.count < classes ? Swift.max(0, 1 - mass) / Float(classes - known.count) : 0
                    for c in 0..<classes where !known.contains(c) { filled[r * classes + c] = share }
                }
                scores = try? Tensor(shape: [n, classes], data: filled)
            }
            if labels == nil { labels = (0..<n).map { topLabels[$0 * k] } }
        }
        if labels == nil, let scores, let picked = try? scores.argmax(axis: -1, keepDims: false) { labels = picked.data.map { Int($0) } }
        guard var labels else { throw .targetFailed("\(url)/infer: no output holds a label per row (an integer or BYTES tensor of \(n) values) or class scores") }
        if let abstained { for r in 0..<n where abstained[r] { labels[r] = -1 } }
        return TargetAnswer(labels: labels, probabilities: scores, kind: kind)
    }

    /// Class ids of a label tensor: integers as they are, strings interned in the order they are first seen.
    private func labelIDs(_ output: InferenceTensor) throws(ProbeError) -> [Int] {
        switch output.data {
        case .ints(let values): return values.map { Int(clamping: $0) }
        case .strings(let values): return values.map(stringLabels.id)
        default: throw .targetFailed("\(url)/infer: output \(output.name) is \(output.datatype.rawValue) where class labels were expected")
        }
    }
}
