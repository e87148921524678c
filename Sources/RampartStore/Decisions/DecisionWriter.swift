import Foundation
import Logging
import RampartCore
import ServiceLifecycle

/// Writes decision records with group commit: every record that arrives while one transaction is being
/// committed goes into the next one, so one fsync (or WAL append) serves many requests and durability does not
/// cost throughput. No timer and no added latency when the gateway is idle: a lone record commits at once.
///
/// Run it as a `Service`; on graceful shutdown it commits what is pending, then stops accepting.
///
/// ```swift
/// let writer = DecisionWriter(store: store)
/// let seq = try await writer.append(record)      // strict: returns once committed
/// ```
public actor DecisionWriter: Service {
    private struct Pending {
        let record: DecisionRecord
        let continuation: CheckedContinuation<Int64, any Error>?
    }

    private let decisions: DecisionStore
    private let maxBatch: Int
    private let logger: Logger
    private var pending: [Pending] = []
    private var wakeUp: CheckedContinuation<Void, Never>?
    private var accepting = true
    private var stopping = false
    private var committed: Int64 = 0
    private let onCommit: @Sendable (_ records: Int, _ seconds: Double) -> Void

    /// - Parameters:
    ///   - maxBatch: most records one transaction writes.
    ///   - onCommit: called after each group commit with its size and duration (for metrics).
    public init(store: Store, maxBatch: Int = 512, logger: Logger = Logger(label: "rampart.decisions"),
                onCommit: @escaping @Sendable (_ records: Int, _ seconds: Double) -> Void = { _, _ in }) {
        self.decisions = store.decisions
        self.maxBatch = max(1, maxBatch)
        self.logger = logger
        self.onCommit = onCommit
    }

    /// Queues `record` and returns its sequence number once it is committed.
    /// Throws ``StoreError`` (`closed` after shutdown, `query_failed` if the commit failed).
    public func append(_ record: DecisionRecord) async throws -> Int64 {
        guard accepting else { throw StoreError(code: "closed", message: "the decision writer has shut down") }
        return try await withCheckedThrowingContinuation { continuation in
            pending.append(Pending(record: record, continuation: continuation))
            signal()
        }
    }

    /// Queues `record` without waiting for its commit (relaxed durability).
    public func enqueue(_ record: DecisionRecord) throws {
        guard accepting else { throw StoreError(code: "closed", message: "the decision writer has shut down") }
        pending.append(Pending(record: record, continuation: nil))
        signal()
    }

    /// Records committed since start.
    public var committedCount: Int64 { committed }

    private func signal() {
        if let wakeUp {
            self.wakeUp = nil
            wakeUp.resume()
        }
    }

    public func run() async throws {
        // Graceful shutdown and cancellation both end the loop only after pending records are committed.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await self.loop()
            } onGracefulShutdown: {
                Task { await self.stop() }
            }
        } onCancel: {
            Task { await self.stop() }
        }
    }

    /// Stops accepting records, commits what is pending, and lets ``run()`` return.
    public func stop() {
        accepting = false
        stopping = true
        signal()
    }

    private func loop() async {
        while true {
            if pending.isEmpty {
                if stopping { break }
                await withCheckedContinuation { wakeUp = $0 }
                continue
            }
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let seqs = try await decisions.append(batch.map(\.record))
                onCommit(batch.count, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                committed += Int64(batch.count)
                for (item, seq) in zip(batch, seqs) { item.continuation?.resume(returning: seq) }
            } catch {
                logger.error("decision records could not be committed", metadata: ["count": "\(batch.count)", "error": "\(error)"])
                for item in batch { item.continuation?.resume(throwing: error) }
            }
        }
        logger.info("decision writer stopped", metadata: ["committed": "\(committed)"])
    }
}
