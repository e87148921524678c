import Foundation
import RampartML
import RampartONNX

/// A local ONNX classifier as a target (white-box access is available through `graph`): the integer label output,
/// and the probabilities (ZipMap's maps or a float `N×C` output).
public struct LocalModelTarget: ProbeTarget {
    public let graph: ONNXGraph
    public let features: Int
    let input: String
    let outputs: ClassifierOutputs
    /// The float probability tensor to differentiate: the score output, or what ZipMap reads.
    let probabilityValue: String?

    public init(path: String) throws {
        let model = try ONNXModel.load(path: path)
        graph = try ONNXGraph(model)
        guard model.inputs.count == 1, let input = model.inputs.first, let width = input.shape?.last.flatMap({ Int($0) }) else {
            throw ProbeError.unsuitableTarget("\(path): a target needs one input of shape [N, features]")
        }
        self.input = input.name
        features = width
        outputs = ClassifierOutputs(model)
        guard !outputs.names.isEmpty else { throw ProbeError.unsuitableTarget("\(path) has no label or score output") }
        if let score = outputs.score, let producer = graph.producer(of: score), producer.op == "ZipMap" {
            probabilityValue = producer.inputs.first
        } else {
            probabilityValue = model.outputs.first { $0.type == "tensor(float)" }?.name
        }
    }

    public func answer(_ rows: Tensor) async throws -> TargetAnswer {
        let values = try graph.run([input: .floats(rows)], outputs: outputs.names)
        return TargetAnswer(labels: outputs.classes(values), probabilities: outputs.scores(values))
    }
}
