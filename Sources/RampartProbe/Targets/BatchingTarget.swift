import Foundation
import RampartML

/// Micro-batching (research notes §5.1): coalesces the rows of concurrent `answer` calls — typically one attack task
/// per attacked sample — into one request to the wrapped target, then splits the answer back to the callers. Over
/// loopback HTTP a KServe endpoint answers ~800 rows/s one row at a time and ~11 000 rows/s 64 at a time.
///
/// A batch leaves when it holds `maxBatch` rows, or when every registered caller is waiting (`register` /
/// `unregister` tell it how many there are), or — with no registered callers, or after `maxDelay` — on its own. At
/// most `maxInFlight` requests are outstanding. Batching changes how rows travel, never what a row's answer is, so
/// results do not depend on it.
public actor BatchingTarget: ProbeTarget {
    public nonisolated let features: Int
    public nonisolated let inner: any ProbeTarget
    public nonisolated let maxBatch: Int
    public nonisolated let maxInFlight: Int
    public nonisolated let maxDelay: Duration
    /// Requests sent to the wrapped target, and rows in them.
    public private(set) var requests = 0
    public private(set) var rowsSent = 0

    private struct Waiter {
        var rows: Tensor
        var continuation: CheckedContinuation<TargetAnswer, any Error>
    }

    private var waiting: [Waiter] = []
    private var waitingRows = 0
    private var callers = 0
    private var inFlight = 0
    private var timer: Task<Void, Never>?

    public init(_ inner: any ProbeTarget, maxBatch: Int = 256, maxInFlight: Int = 4, maxDelay: Duration = .milliseconds(2)) {
        self.inner = inner
        features = inner.features
        self.maxBatch = Swift.max(1, maxBatch)
        self.maxInFlight = Swift.max(1, maxInFlight)
        self.maxDelay = maxDelay
    }

    /// One more caller will query concurrently: a batch can leave as soon as all of them wait.
    public func register() { callers += 1 }

    public func unregister() {
        callers = Swift.max(0, callers - 1)
        flushIfReady()
    }

    public func answer(_ rows: Tensor) async throws -> TargetAnswer {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiter(rows: rows, continuation: continuation))
            waitingRows += rows.shape.first ?? 0
            flushIfReady()
            if !waiting.isEmpty, timer == nil {
                let delay = callers == 0 ? Duration.zero : maxDelay
                timer = Task { [weak self] in
                    if delay == .zero { await Task.yield() } else { try? await Task.sleep(for: delay) }
                    await self?.timerFired()
                }
            }
        }
    }

    public nonisolated func answerAlone(_ rows: Tensor) async throws -> TargetAnswer {
        try await inner.answerAlone(rows)
    }

    private func timerFired() {
        timer = nil
        flush(force: true)
    }

    private func flushIfReady() {
        let everyoneWaits = callers > 0 && waiting.count >= callers
        if waitingRows >= maxBatch || everyoneWaits { flush(force: true) }
    }

    /// Sends what is waiting, as long as requests may be added.
    private func flush(force: Bool) {
        while !waiting.isEmpty, inFlight < maxInFlight {
            var taken: [Waiter] = []
            var count = 0
            while let next = waiting.first, taken.isEmpty || count + (next.rows.shape.first ?? 0) <= maxBatch {
                taken.append(waiting.removeFirst())
                count += next.rows.shape.first ?? 0
            }
            waitingRows -= count
            inFlight += 1
            requests += 1
            rowsSent += count
            let inner = inner, d = features
            Task { [taken, count] in
                do {
                    let batch = taken.count == 1 ? taken[0].rows : try Tensor(shape: [count, d], data: taken.flatMap(\.rows.data))
                    let answer = try await inner.answer(batch)
                    guard answer.labels.count == count else {
                        throw ProbeError.targetFailed("the target answered \(answer.labels.count) rows for \(count)")
                    }
                    if let p = answer.probabilities, p.rank != 2 || p.shape[0] != count {
                        throw ProbeError.targetFailed("the target's scores have shape \(p.shape) for \(count) rows")
                    }
                    var offset = 0
                    for waiter in taken {
                        let n = waiter.rows.shape.first ?? 0
                        waiter.continuation.resume(returning: answer.rows(offset..<(offset + n)))
                        offset += n
                    }
                } catch {
                    for waiter in taken { waiter.continuation.resume(throwing: error) }
                }
                self.finished()
            }
            if !force { break }
        }
    }

    private func finished() {
        inFlight -= 1
        if !waiting.isEmpty { flush(force: true) }
    }
}
