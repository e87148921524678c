import Foundation
import Logging
import RampartCore
import RampartLedger
import RampartStore
import ServiceLifecycle

/// The ledger's background work in `rampart serve`: records the declared purposes at start (new or changed ones,
/// and retired ones), signs a checkpoint every `ledger.checkpoint_interval_seconds` when the log has grown (with a
/// signing key), records the new decision records as ledger events every
/// `ledger.decisions_interval_seconds`, and applies the purposes' retention at start and every
/// `ledger.retention_interval_seconds` (docs/ledger.md#decision-records-and-retention).
///
/// Decision inserts commit in `seq` order (one writer on SQLite; an advisory lock around each insert on PostgreSQL), so
/// recording in `seq` order never skips a record; one process at a time records (an advisory lock, or a lock file on
/// SQLite). It stops after the decision writer, and records what is committed on the way out.
struct LedgerKeeper: Service {
    let ledger: Ledger
    let store: Store
    let config: RampartConfig
    let logger: Logger

    init(ledger: Ledger, store: Store, config: RampartConfig, logger: Logger) {
        self.ledger = ledger
        self.store = store
        self.config = config
        self.logger = logger
    }

    func run() async throws {
        do {
            let recorded = try await ledger.recordPurposes(config.purposes)
            if !recorded.isEmpty {
                logger.notice("purposes recorded in the ledger", metadata: ["entries": "\(recorded.map(\.seq))"])
            }
        } catch {
            logger.warning("could not record the declared purposes in the ledger", metadata: ["error": "\(error)"])
        }
        await cancelWhenGracefulShutdown {
            var nextRetention = Date()
            let checkpointEvery = config.ledger.checkpointIntervalSeconds
            var nextCheckpoint = Date().addingTimeInterval(checkpointEvery)
            while !Task.isCancelled {
                if config.ledger.recordDecisions { await recordDecisions() }
                if Date() >= nextRetention {
                    nextRetention = Date().addingTimeInterval(config.ledger.retentionIntervalSeconds)
                    await applyRetention()
                }
                if ledger.canSign, checkpointEvery > 0, Date() >= nextCheckpoint {
                    nextCheckpoint = Date().addingTimeInterval(checkpointEvery)
                    await checkpoint()
                }
                try? await Task.sleep(for: .milliseconds(Int64(config.ledger.decisionsIntervalSeconds * 1000)))
            }
        }
        if config.ledger.recordDecisions { await recordDecisions() }
    }

    private func recordDecisions() async {
        do {
            // Decision inserts commit in `seq` order on both backends (one writer on SQLite, an advisory lock on
            // PostgreSQL), so everything up to the newest committed `seq` can be recorded.
            try await ledger.recordDecisions()
        } catch {
            logger.warning("could not record decisions in the ledger; retrying", metadata: ["error": "\(error)"])
        }
    }

    /// Signs a checkpoint when the log has grown since the last one (the same size is stored once, also across
    /// replicas).
    private func checkpoint() async {
        do {
            _ = try await ledger.checkpoint()
        } catch {
            logger.warning("could not sign a checkpoint; retrying at the next interval", metadata: ["error": "\(error)"])
        }
    }

    private func applyRetention() async {
        do {
            for outcome in try await ledger.applyRetention(purposes: config.purposes) where outcome.decisionsUnlinked > 0 {
                logger.notice("retention applied", metadata: [
                    "purpose": "\(outcome.purpose)", "retention_days": "\(outcome.retentionDays)",
                    "decisions_unlinked": "\(outcome.decisionsUnlinked)", "entry": "\(outcome.entry ?? -1)",
                ])
            }
        } catch {
            logger.warning("could not apply retention; retrying at the next interval", metadata: ["error": "\(error)"])
        }
    }
}
