import RampartCore
import RampartONNX

extension KServeAdapter {
    /// Stage 8 on a classifier route: randomized smoothing (the label the model gives most often under noise, or an
    /// abstention), the extraction monitor (PRADA, on each row's predicted class), then the confidence policy, which
    /// decides what the answer may say.
    func outputChecks(_ outputs: [String: ONNXValue], input: ServedModel.Input, served: ServedModel, signature: ServedModel.Signature,
                      clients: [String], draft: inout DecisionDraft) throws(GatewayRefusal) -> InferenceResponse
    {
        var smoothed: [Int?]?
        if served.smoothing != nil {
            do {
                smoothed = try served.smoothedLabels(input.tensor, signature: signature)
            } catch {
                logger.warning("the model failed on a request", metadata: ["decision_id": "\(draft.id)", "route": "\(served.route.name)", "error": "\(error)"])
                throw GatewayRefusal(.inferenceFailed, "the model could not run on this input; decision \(draft.id) in the gateway's log says why", param: "inputs[0]")
            }
        }
        let verdict = served.monitor.afterInference(clients: clients, rows: input.tensor, classes: served.classes(outputs, signature: signature))
        draft.findings += verdict.findings
        if let refusal = verdict.refusal { throw refusal }
        return InferenceResponse(modelName: served.route.name, modelVersion: "1", id: input.id,
                                 outputs: try ConfidencePolicy.outputs(outputs, served: served, signature: signature, smoothed: smoothed))
    }
}
