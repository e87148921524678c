import Foundation
import Logging
import RampartCore
import RampartLedger
import RampartStore
import ServiceLifecycle
import Synchronization

/// Polls the store's keys generation and reloads the ring when it changes.
/// Reloads keys (and the consent book, which the CLI or another replica may have changed) every `interval`.
struct KeyRefresher: Service {
    let ring: KeyRing
    let consents: ConsentBook?
    let store: Store
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(every: interval) { [ring, consents, store, logger] in
            do {
                try await ring.refresh(from: store)
            } catch {
                logger.warning("could not reload API keys; keeping the ones loaded", metadata: ["error": "\(error)"])
            }
            do {
                try await consents?.refresh(from: store)
            } catch {
                logger.warning("could not read new consent events; keeping the consents loaded", metadata: ["error": "\(error)"])
            }
        }
    }
}
