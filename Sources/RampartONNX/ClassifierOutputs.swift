import RampartML

/// Which outputs of a classifier carry its label and its class scores, and how to read classes and scores from a
/// run — one reading for the gateway's classifier routes and the red team's targets.
public struct ClassifierOutputs: Sendable, Equatable {
    /// The label output (an integer or string tensor), if any.
    public var label: String?
    /// The score output: ZipMap's sequence of maps or a float `N×C` tensor, if any.
    public var score: String?

    public init(label: String?, score: String?) {
        self.label = label
        self.score = score
    }

    /// The first integer or string tensor output is the label; the first sequence of maps (else float tensor) the scores.
    public init(_ model: ONNXModel) {
        label = model.outputs.first { $0.type == "tensor(int64)" || $0.type == "tensor(string)" }?.name
        score = model.outputs.first { $0.type.hasPrefix("seq(map(") }?.name ?? model.outputs.first { $0.type == "tensor(float)" }?.name
    }

    /// The outputs to ask a run for.
    public var names: [String] { [label, score].compactMap { $0 } }

    /// The class scores of a run (`N×C`), if it has them.
    public func scores(_ outputs: [String: ONNXValue]) -> Tensor? {
        switch score.flatMap({ outputs[$0] }) {
        case .floats(let t)?, .maps(_, let t)?: t.rank == 2 ? t : nil
        default: nil
        }
    }

    /// Class ids per row: the integer label, else the highest score's index. String labels get a stable number
    /// (FNV-1a), the same in every run, so per-class bookkeeping keeps classes apart.
    public func classes(_ outputs: [String: ONNXValue]) -> [Int] {
        switch label.flatMap({ outputs[$0] }) {
        case .ints(let t)?: return t.data.map { Int(truncatingIfNeeded: $0) }
        case .strings(let t)?:
            return t.data.map { Int(truncatingIfNeeded: $0.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } & 0x7fff_ffff) }
        default:
            guard let scores = scores(outputs), let picked = try? scores.argmax(axis: 1, keepDims: false) else { return [] }
            return picked.data.map { Int($0) }
        }
    }
}
