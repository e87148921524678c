import Crypto
import Foundation
import Logging
import RampartCore
import RampartML
import RampartStore
import ServiceLifecycle
import Synchronization

/// Writes the monitors' changed state to the store every `interval`, and once more at shutdown.
struct MonitorKeeper: Service {
    let monitors: [ModelMonitor]
    let store: Store
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(every: interval, immediately: false) { await self.save() }
        await save()
    }

    func save() async {
        for monitor in monitors {
            let gone = monitor.forgotten.withLock { set in defer { set.removeAll() }; return Array(set) }
            guard !gone.isEmpty else { continue }
            do {
                try await store.monitors.delete(route: monitor.route, clients: gone)
            } catch {
                monitor.forgotten.withLock { $0.formUnion(gone) }
            }
        }
        let taken = monitors.map { ($0, $0.takeDirty()) }
        let rows = taken.flatMap(\.1)
        guard !rows.isEmpty else { return }
        do {
            try await store.monitors.save(rows)
        } catch {
            for (monitor, rows) in taken { monitor.markDirty(rows.map(\.client)) }
            logger.error("could not store the monitors' state; retrying at the next interval", metadata: ["error": "\(error)"])
        }
    }
}
