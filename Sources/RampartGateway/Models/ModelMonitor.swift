import Crypto
import Foundation
import Logging
import RampartCore
import RampartML
import RampartStore
import ServiceLifecycle
import Synchronization

/// A classifier route's model-access monitors (the guide's "monitoring model access" and "detection of
/// manipulation"), kept per client: per API key, and per API key and `Rampart-Subject` when the request names one —
/// so one client's queries are judged against its own history, and a caller cannot start a clean history by
/// inventing a new subject for every query (the key's own history still sees them all):
///
/// - **evasion** (`QueryHashDetector`): a query that nearly repeats an earlier one from the same client is what
///   black-box evasion attacks (HopSkipJump, Square, SimBA) send; `block` refuses it, `flag` records it;
/// - **extraction** (`PRADADetector`): a client whose query distances stop looking normal is extracting the model.
///
/// State lives in memory, sharded by client, at most `monitor.max_clients` clients (the least recently seen are
/// forgotten), and is written to the store every `monitor.persist_seconds` and at shutdown, so a restart does not hand
/// an attacker a clean slate. Clients are stored as SHA-256 of key id and subject.
final class ModelMonitor: Sendable {
    struct Client: Sendable {
        var hashes: QueryHashDetector.History?
        var prada: PRADADetector.State?
        var lastSeen: UInt64 = 0
    }

    final class Shard: Sendable {
        let state = Mutex<(clients: [String: Client], dirty: Set<String>)>(([:], []))
    }

    /// What the monitors concluded about one request.
    struct Verdict: Sendable {
        var findings: [Finding] = []
        var refusal: GatewayRefusal?
    }

    let route: String
    let hashing: QueryHashDetector?
    let evasionAction: ClassifierConfig.MonitorAction
    let prada: PRADADetector?
    let extractionAction: ClassifierConfig.MonitorAction
    let maxClients: Int
    let shards: [Shard]
    let clock = Atomic<UInt64>(0)
    /// Clients forgotten by eviction, whose stored rows the keeper deletes.
    let forgotten = Mutex<Set<String>>([])

    init(route: RouteConfig, config: ClassifierConfig) {
        self.route = route.name
        if let evasion = config.evasion {
            // The quantization step is a fraction of the declared range, so one setting fits pixels in [0, 1] and [0, 255].
            let range = config.inputRanges.values.first.map { $0.upperBound - $0.lowerBound }.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
            let step = Float(range.map { $0 * evasion.quantization } ?? evasion.quantization)
            hashing = QueryHashDetector(.init(step: step, window: evasion.window, hashes: evasion.hashes, threshold: evasion.threshold,
                                              history: evasion.history))
        } else {
            hashing = nil
        }
        evasionAction = config.evasion?.action ?? .flag
        prada = config.extraction.map { PRADADetector(.init(delta: $0.delta, minimum: $0.minimum, perClass: $0.perClass, distances: $0.distances)) }
        extractionAction = config.extraction?.action ?? .flag
        maxClients = config.monitorMaxClients
        shards = (0..<16).map { _ in Shard() }
    }

    var isActive: Bool { hashing != nil || prada != nil }

    /// The clients a request counts for, as stored: SHA-256 of the key id, and of key id and subject when there is one.
    static func clients(keyID: String, subject: String?) -> [String] {
        func id(_ text: String) -> String { Hex.encode(SHA256.hash(data: Data("rampart-monitor-client-v1\n\(text)".utf8))) }
        return [id("key\n\(keyID)")] + (subject.map { [id("subject\n\(keyID)\n\($0)")] } ?? [])
    }

    private func shard(_ client: String) -> Shard {
        shards[Int(client.utf8.prefix(2).reduce(0) { $0 &* 31 &+ Int($1) }) & 15]
    }

    /// Before the model runs: the evasion monitor on every row of the request.
    func beforeInference(clients: [String], rows: Tensor) -> Verdict {
        guard let hashing else { return Verdict() }
        let n = rows.shape.first ?? 0, d = n > 0 ? rows.count / n : 0
        let signatures = (0..<n).map { hashing.signature(rows.data[($0 * d)..<(($0 + 1) * d)]) }
        let now = clock.add(1, ordering: .relaxed).newValue
        var worst = 0
        for client in clients { shard(client).state.withLock { state in
            var entry = state.clients[client] ?? Client()
            var history = entry.hashes ?? QueryHashDetector.History()
            for signature in signatures { worst = Swift.max(worst, history.observe(signature, history: hashing.parameters.history)) }
            entry.hashes = history
            entry.lastSeen = now
            state.clients[client] = entry
            state.dirty.insert(client)
        } }
        evictIfNeeded()
        guard worst >= hashing.parameters.threshold else { return Verdict() }
        let blocked = evasionAction == .block
        var verdict = Verdict(findings: [Finding(guardName: "evasion", type: "STATEFUL_QUERY_MATCH", severity: blocked ? "high" : "low",
                                                 location: "inputs[0]", score: Double(worst) / Double(hashing.parameters.hashes),
                                                 action: blocked ? "blocked" : "flagged")])
        if blocked {
            verdict.refusal = GatewayRefusal(.evasionSuspected, "this query nearly repeats an earlier one from this client (\(worst) of \(hashing.parameters.hashes) window hashes), as query-based evasion attacks do; the request is refused (docs/models.md)")
        }
        return verdict
    }

    /// After the model runs: the extraction monitor on every row and its predicted class.
    func afterInference(clients: [String], rows: Tensor, classes: [Int]) -> Verdict {
        guard let prada else { return Verdict() }
        let n = rows.shape.first ?? 0, d = n > 0 ? rows.count / n : 0
        let now = clock.add(1, ordering: .relaxed).newValue
        var lowest: Double?
        for client in clients { shard(client).state.withLock { state in
            var entry = state.clients[client] ?? Client()
            var pradaState = entry.prada ?? PRADADetector.State()
            for (row, label) in zip(0..<n, classes) {
                if let w = pradaState.observe(rows.data[(row * d)..<((row + 1) * d)], label: label, parameters: prada.parameters) {
                    lowest = Swift.min(lowest ?? w, w)
                }
            }
            entry.prada = pradaState
            entry.lastSeen = now
            state.clients[client] = entry
            state.dirty.insert(client)
        } }
        evictIfNeeded()
        guard let w = lowest, w < prada.parameters.delta else { return Verdict() }
        let blocked = extractionAction == .block
        var verdict = Verdict(findings: [Finding(guardName: "extraction", type: "PRADA_NOT_NORMAL", severity: blocked ? "high" : "low",
                                                 location: "inputs[0]", score: w, action: blocked ? "blocked" : "flagged")])
        if blocked {
            verdict.refusal = GatewayRefusal(.extractionSuspected, "this client's queries no longer look like natural inputs (PRADA: Shapiro–Wilk W \(String(format: "%.3f", w)) < \(prada.parameters.delta)), as model extraction does; the request is refused (docs/models.md)")
        }
        return verdict
    }

    /// Forgets the least recently seen clients beyond `maxClients` (a tenth at a time, so eviction is rare).
    private func evictIfNeeded() {
        let total = shards.reduce(0) { $0 + $1.state.withLock { $0.clients.count } }
        guard total > maxClients else { return }
        var seen: [(UInt64, String, Int)] = []
        for (index, shard) in shards.enumerated() {
            shard.state.withLock { state in for (client, entry) in state.clients { seen.append((entry.lastSeen, client, index)) } }
        }
        let excess = total - maxClients + Swift.max(1, maxClients / 10)
        for (_, client, index) in seen.sorted(by: { $0.0 < $1.0 }).prefix(excess) {
            shards[index].state.withLock { state in
                state.clients[client] = nil
                state.dirty.remove(client)
            }
            forgotten.withLock { _ = $0.insert(client) }
        }
    }

    // MARK: Persistence

    /// The changed clients' state as store rows (and marks them clean).
    func takeDirty() -> [MonitorStore.Row] {
        var rows: [MonitorStore.Row] = []
        let encoder = JSONEncoder()
        for shard in shards {
            let changed: [(String, Client)] = shard.state.withLock { state in
                defer { state.dirty.removeAll() }
                return state.dirty.compactMap { client in state.clients[client].map { (client, $0) } }
            }
            for (client, entry) in changed {
                if let hashes = entry.hashes, let data = try? encoder.encode(hashes) {
                    rows.append(.init(route: route, client: client, detector: "evasion", state: String(decoding: data, as: UTF8.self)))
                }
                if let prada = entry.prada, let data = try? encoder.encode(prada) {
                    rows.append(.init(route: route, client: client, detector: "extraction", state: String(decoding: data, as: UTF8.self)))
                }
            }
        }
        return rows
    }

    /// Marks clients to be written again (after a failed save).
    func markDirty(_ clients: [String]) {
        for client in clients { shard(client).state.withLock { state in if state.clients[client] != nil { state.dirty.insert(client) } } }
    }

    /// Restores state written by `takeDirty` (rows that do not decode are skipped and counted).
    @discardableResult
    func restore(_ rows: [MonitorStore.Row]) -> (restored: Int, skipped: Int) {
        let decoder = JSONDecoder()
        var restored = 0, skipped = 0
        // The most recently updated `maxClients` clients (rows come oldest first); older ones are forgotten.
        var kept = Set<String>()
        for row in rows.reversed() where kept.count < maxClients { kept.insert(row.client) }
        forgotten.withLock { $0.formUnion(Set(rows.map(\.client)).subtracting(kept)) }
        for row in rows where kept.contains(row.client) {
            let data = Data(row.state.utf8)
            shard(row.client).state.withLock { state in
                var entry = state.clients[row.client] ?? Client()
                switch row.detector {
                case "evasion" where hashing != nil:
                    guard let history = try? decoder.decode(QueryHashDetector.History.self, from: data) else { skipped += 1; return }
                    entry.hashes = history
                case "extraction" where prada != nil:
                    guard let prada = try? decoder.decode(PRADADetector.State.self, from: data), prada.isConsistent else { skipped += 1; return }
                    entry.prada = prada
                default:
                    return
                }
                state.clients[row.client] = entry
                restored += 1
            }
        }
        return (restored, skipped)
    }
}
