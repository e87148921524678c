import Foundation
import RampartML

/// Why an attack stopped.
public enum ProbeError: Error, Equatable, CustomStringConvertible {
    /// The query budget does not cover the rows asked for; nothing was sent.
    case budgetExhausted(used: Int, budget: Int, asked: Int)
    /// The target cannot answer as the attack needs (e.g. label-only when probabilities are required).
    case unsuitableTarget(String)
    /// The target (or the transport) failed after retries.
    case targetFailed(String)
    /// The target refused the query on purpose — e.g. Rampart's gateway blocking a client its monitors flagged (403)
    /// or a spent quota. The attack is over: the control worked.
    case refused(status: Int, code: String?, message: String)

    public var description: String {
        switch self {
        case let .budgetExhausted(used, budget, asked): "the query budget is spent: \(used) of \(budget) rows used, \(asked) more asked for"
        case .unsuitableTarget(let why), .targetFailed(let why): why
        case let .refused(status, code, message): "the target refused the query (HTTP \(status)\(code.map { ", \($0)" } ?? "")): \(message)"
        }
    }
}
