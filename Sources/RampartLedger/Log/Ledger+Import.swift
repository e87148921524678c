extension Ledger {
    /// A line of an import: its bytes, or a line too long to read.
    public enum ImportLine: Sendable {
        case line([UInt8])
        case tooLong(limit: Int)
    }

    /// What an import appended, and the line it stopped at if any.
    public struct ImportOutcome: Sendable, Equatable {
        public var appended = 0
        public var first: Int64?
        public var last: Int64?
        /// Why the import stopped early: `line N …`. Everything before that line was appended, nothing from it on.
        public var problem: String?
    }

    /// Appends the events of JSON lines (`{"kind", "body"}`; blank lines are skipped) in group commits of
    /// `batchSize` — one transaction and one frontier update per group, which is what makes a bulk import fast — and
    /// stops at the first line that is not an event, after committing everything before it.
    ///
    /// - Parameters:
    ///   - next: the next line, nil at the end (the CLI reads a file or standard input in blocks).
    ///   - progress: called with the running count after each group.
    nonisolated public func importEvents(batchSize: Int = 4_000, next: () -> ImportLine?, progress: (Int) -> Void = { _ in }) async throws -> ImportOutcome {
        var outcome = ImportOutcome()
        var batch: [LedgerEvent] = []
        batch.reserveCapacity(batchSize)
        var number = 0
        while let line = next() {
            number += 1
            guard case .line(let bytes) = line else {
                try await commit(batch, into: &outcome, progress: progress)
                if case .tooLong(let limit) = line { outcome.problem = "line \(number) is longer than \(limit) bytes" }
                return outcome
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            do {
                batch.append(try LedgerEvent(jsonLine: bytes))
            } catch {
                try await commit(batch, into: &outcome, progress: progress)
                outcome.problem = "line \(number) \(error)"
                return outcome
            }
            if batch.count == batchSize {
                try await commit(batch, into: &outcome, progress: progress)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try await commit(batch, into: &outcome, progress: progress)
        return outcome
    }

    /// One group commit of an import.
    nonisolated private func commit(_ batch: [LedgerEvent], into outcome: inout ImportOutcome, progress: (Int) -> Void) async throws {
        guard !batch.isEmpty else { return }
        let entries = try await append(batch)
        outcome.first = outcome.first ?? entries.first?.seq
        outcome.last = entries.last?.seq
        outcome.appended += entries.count
        progress(outcome.appended)
    }
}
