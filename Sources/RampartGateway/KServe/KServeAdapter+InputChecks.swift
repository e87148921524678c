import RampartCore

extension KServeAdapter {
    /// Stage 6 on a classifier route: the evasion monitor (stateful query hashing after Blacklight) on the input alone,
    /// per client. Its alert goes into the decision record whether it blocks or only flags.
    func inputChecks(_ input: ServedModel.Input, served: ServedModel, clients: [String], draft: inout DecisionDraft) throws(GatewayRefusal) {
        let verdict = served.monitor.beforeInference(clients: clients, rows: input.tensor)
        draft.findings += verdict.findings
        if let refusal = verdict.refusal { throw refusal }
    }
}
