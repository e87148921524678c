import Foundation
import RampartCore
import RampartML
import RampartONNX

/// What a classifier route's answer may say about a prediction — the guide's "excluding confidence from the output"
/// against model theft, membership inference and model inversion (`output.confidence`): the label alone, the top k
/// classes with their scores, scores rounded to a few digits, or everything.
enum ConfidencePolicy {
    /// The answer's outputs: the label (the smoothed one, when smoothing ran: -1 and `abstained` where it could not
    /// decide), then the scores as the route's policy allows.
    static func outputs(_ outputs: [String: ONNXValue], served: ServedModel, signature: ServedModel.Signature,
                        smoothed: [Int?]? = nil) throws(GatewayRefusal) -> [InferenceTensor] {
        var scores: Tensor?
        var classLabels: ClassLabels?
        switch signature.scoreOutput.flatMap({ outputs[$0] }) {
        case .floats(let t)?: scores = t.rank == 1 ? try? t.reshaped([t.count, 1]) : t
        case .maps(let labels, let p)?:
            scores = p
            classLabels = labels
        default: break
        }
        let labelName = signature.labelOutput ?? "label"
        var label: InferenceTensor
        switch signature.labelOutput.flatMap({ outputs[$0] }) {
        case .ints(let t)?: label = InferenceTensor(name: labelName, datatype: .int64, shape: [t.data.count], data: .ints(t.data))
        case .strings(let t)?: label = InferenceTensor(name: labelName, datatype: .bytes, shape: [t.data.count], data: .strings(t.data))
        default:
            guard let scores, let picked = try? scores.argmax(axis: -1, keepDims: false) else {
                throw GatewayRefusal(.internalError, "the model gave no label")
            }
            label = InferenceTensor(name: labelName, datatype: .int64, shape: [picked.count], data: .ints(picked.data.map { Int64($0) }))
        }
        if let smoothed {
            label = InferenceTensor(name: labelName, datatype: .int64, shape: [smoothed.count], data: .ints(smoothed.map { Int64($0 ?? -1) }))
        }
        var parts = [label]
        if let smoothed { parts.append(InferenceTensor(name: "abstained", datatype: .bool, shape: [smoothed.count], data: .bools(smoothed.map { $0 == nil }))) }
        guard let scores, scores.rank == 2 else { return parts }
        let (n, c) = (scores.shape[0], scores.shape[1])
        let scoreName = signature.scoreOutput ?? "scores"
        switch served.config.confidence {
        case .label:
            break
        case .full:
            parts.append(InferenceTensor(name: scoreName, datatype: .fp32, shape: [n, c], data: .floats(scores.data)))
        case .round(let digits):
            let scale = Foundation.pow(10, Float(digits))
            parts.append(InferenceTensor(name: scoreName, datatype: .fp32, shape: [n, c], data: .floats(scores.data.map { ($0 * scale).rounded() / scale })))
        case .topK(let k):
            let k = Swift.min(k, c)
            var names: [String] = [], ids: [Int64] = [], values: [Float] = []
            for row in 0..<n {
                let order = (0..<c).sorted { scores.data[row * c + $0] > scores.data[row * c + $1] || (scores.data[row * c + $0] == scores.data[row * c + $1] && $0 < $1) }
                for j in order.prefix(k) {
                    values.append(scores.data[row * c + j])
                    switch classLabels {
                    case .ints(let l)?: ids.append(l[j]); names.append(String(l[j]))
                    case .strings(let l)?: names.append(l[j])
                    case nil: ids.append(Int64(j)); names.append(String(j))
                    }
                }
            }
            let bytes = signature.labelDatatype == "BYTES" || ids.count != names.count
            parts.append(InferenceTensor(name: "top_k_labels", datatype: bytes ? .bytes : .int64, shape: [n, k], data: bytes ? .strings(names) : .ints(ids)))
            parts.append(InferenceTensor(name: "top_k_scores", datatype: .fp32, shape: [n, k], data: .floats(values)))
        }
        return parts
    }

    /// What `GET /v2/models/{name}` declares: the outputs the policy lets through.
    static func declaredOutputs(_ served: ServedModel, _ signature: ServedModel.Signature) -> [TensorMetadata] {
        var outputs = [TensorMetadata(name: signature.labelOutput ?? "label", datatype: signature.labelDatatype, shape: [-1])]
        if served.smoothing != nil { outputs.append(TensorMetadata(name: "abstained", datatype: "BOOL", shape: [-1])) }
        switch served.config.confidence {
        case .label: break
        case .full, .round:
            if let scoreOutput = signature.scoreOutput { outputs.append(TensorMetadata(name: scoreOutput, datatype: "FP32", shape: [-1, -1])) }
        case .topK(let k):
            outputs.append(TensorMetadata(name: "top_k_labels", datatype: signature.labelDatatype, shape: [-1, k]))
            outputs.append(TensorMetadata(name: "top_k_scores", datatype: "FP32", shape: [-1, k]))
        }
        return outputs
    }
}
