import Foundation
import RampartML

/// A classifier an attack can query: a local ONNX model, a KServe v2 endpoint or a generic JSON endpoint.
public protocol ProbeTarget: Sendable {
    /// Features per row.
    var features: Int { get }
    func answer(_ rows: Tensor) async throws -> TargetAnswer
    /// Answers `rows` in a request of their own — never coalesced with other callers' rows — for re-verifying a
    /// final adversarial example exactly as a lone client would see it.
    func answerAlone(_ rows: Tensor) async throws -> TargetAnswer
}

extension ProbeTarget {
    public func answerAlone(_ rows: Tensor) async throws -> TargetAnswer { try await answer(rows) }
}
