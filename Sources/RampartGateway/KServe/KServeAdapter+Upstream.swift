import Foundation
import RampartCore
import RampartONNX

extension KServeAdapter {
    /// Stage 7 on a classifier route: the local ONNX graph on the request's task, or the remote KServe v2 server
    /// (whose latency goes into the record).
    func upstream(_ input: ServedModel.Input, served: ServedModel, signature: ServedModel.Signature, draft: inout DecisionDraft)
        async throws(GatewayRefusal) -> [String: ONNXValue]
    {
        let start = DispatchTime.now().uptimeNanoseconds
        let outputs = try await served.infer(input.tensor, signature: signature, decisionID: draft.id, logger: logger)
        if case .remote = served.backend { draft.upstreamLatencyMs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }
        return outputs
    }
}
