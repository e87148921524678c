import Foundation
import RampartCore
import RampartStore

/// The ledger: an append-only log of events in the store, a Merkle tree over it, and signed checkpoints of the tree
/// (guide: transparency and traceability; consent records "protected from tampering").
///
/// One `Ledger` appends for a process; appends are serialized by the actor and each batch is one atomic insert.
/// The actor keeps only the tree's frontier (a few dozen hashes), so memory does not grow with the log; proofs are
/// built from the stored leaf hashes when asked for.
///
/// ```swift
/// let ledger = try await Ledger.open(store: store, origin: "rampart.example/ledger", signingKey: key)
/// try await ledger.append([LedgerEvent(kind: "consent.given", subjectRef: ref, body: #"{"purpose":"support"}"#)])
/// let note = try await ledger.checkpoint()          // signed, stored
/// let report = try await ledger.verify()            // recompute everything, check every checkpoint
/// ```
public actor Ledger {
    public let origin: String
    let store: Store
    let signingKey: LedgerSigningKey?
    /// The tree's frontier, read from the stored leaf hashes the first time an append, a checkpoint or the root
    /// needs it — `verify`, `prove` and the rights commands never do.
    private var frontierCache: MerkleFrontier?
    let now: @Sendable () -> Date

    init(origin: String, store: Store, signingKey: LedgerSigningKey?, now: @escaping @Sendable () -> Date) {
        self.origin = origin
        self.store = store
        self.signingKey = signingKey
        self.now = now
    }

    /// Opens the ledger in `store`. The signing key, when given, must be named `origin`; without it the ledger appends
    /// and verifies but cannot sign.
    public static func open(store: Store, origin: String, signingKey: LedgerSigningKey?,
                            now: @escaping @Sendable () -> Date = { Date() }) async throws -> Ledger {
        if let signingKey, signingKey.name != origin {
            throw LedgerError.config("the signing key is named \(signingKey.name) but the ledger's origin is \(origin)")
        }
        return Ledger(origin: origin, store: store, signingKey: signingKey, now: now)
    }

    /// The frontier, rebuilt from the stored leaf hashes (32 bytes per entry) on first use.
    func frontier() async throws -> MerkleFrontier {
        if let frontierCache { return frontierCache }
        let (count, maxSeq) = try await store.ledger.extent()
        guard count == (maxSeq.map { $0 + 1 } ?? 0) else {
            throw LedgerError.tampered(position: nil, "the store holds \(count) entries but positions up to \(maxSeq ?? -1): run `rampart ledger verify`")
        }
        var frontier = MerkleFrontier()
        for hash in try await store.ledger.leafHashes(upTo: count) {
            guard let leaf = MerkleHash(bytes: hash) else { throw LedgerError.tampered(position: Int64(frontier.size), "a stored leaf hash is not 32 bytes") }
            frontier.append(leaf)
        }
        frontierCache = frontier
        return frontier
    }

    /// Brings the cached frontier up to the stored log: another process (the CLI beside `rampart serve`, or another
    /// replica on PostgreSQL) may have appended since it was read.
    func catchUp() async throws -> MerkleFrontier {
        guard var frontier = frontierCache else { return try await frontier() }
        let stored = try await store.ledger.nextSeq()
        if stored > Int64(frontier.size) {
            for hash in try await store.ledger.leafHashes(from: Int64(frontier.size), upTo: stored) {
                guard let leaf = MerkleHash(bytes: hash) else { throw LedgerError.tampered(position: Int64(frontier.size), "a stored leaf hash is not 32 bytes") }
                frontier.append(leaf)
            }
            guard Int64(frontier.size) == stored else {
                throw LedgerError.tampered(position: Int64(frontier.size), "positions below \(stored) are missing: run `rampart ledger verify`")
            }
            frontierCache = frontier
        }
        return frontier
    }

    /// Size and root of one and the same tree, caught up with the stored log (for statements that name both).
    public func state() async throws -> (size: Int, root: MerkleHash) {
        let frontier = try await serially { try await self.catchUp() }
        return (frontier.size, frontier.root)
    }

    /// Number of entries.
    public var size: Int { get async throws { try await serially { try await self.catchUp() }.size } }

    /// The current root.
    public var root: MerkleHash { get async throws { try await serially { try await self.catchUp() }.root } }

    /// Appends and checkpoints wait for the ones queued before them: an actor lets a second call in while the first
    /// awaits the store, and two appends must never number their entries from the same size.
    private let gate = SerialGate()

    /// Runs `work` after every append and checkpoint queued before it.
    private func serially<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await gate.run(work)
    }

    /// Appends `events` in order and returns them as stored. Batches larger than the store takes at once are split;
    /// each part is atomic, and the tree only grows by what was stored. Concurrent appends are applied one after
    /// another.
    @discardableResult
    public func append(_ events: [LedgerEvent]) async throws -> [LedgerEntry] {
        try await serially { try await self.appendNow(events) }
    }

    private func appendNow(_ events: [LedgerEvent]) async throws -> [LedgerEntry] {
        var out: [LedgerEntry] = []
        out.reserveCapacity(events.count)
        var start = 0
        var conflicts = 0
        while start < events.count {
            let part = events[start..<min(start + LedgerStore.maxAppend, events.count)]
            start += part.count
            let time = now()
            var next = try await frontier()
            var entries: [LedgerEntry] = []
            var rows: [LedgerStore.Row] = []
            for event in part {
                let entry = LedgerEntry(seq: Int64(next.size), time: time, kind: event.kind, subjectRef: event.subjectRef, body: event.body)
                let leaf = entry.leafHash
                next.append(leaf)
                entries.append(entry)
                rows.append(LedgerStore.Row(seq: entry.seq, timeMs: Millis.from(time), kind: entry.kind, subjectRef: entry.subjectRef,
                                            body: entry.body, leafHash: leaf.bytes))
            }
            do {
                try await store.ledger.append(rows)
            } catch let error as StoreError where error.code == "conflict" {
                // Another process took these positions: catch up with what it appended and number this part again.
                conflicts += 1
                guard conflicts <= 100 else { throw error }
                _ = try await catchUp()
                start -= part.count
                continue
            }
            frontierCache = next
            out += entries
        }
        return out
    }

    /// Whether the ledger has a signing key (and so can sign checkpoints and receipts).
    public nonisolated var canSign: Bool { signingKey != nil }

    /// Signs and stores a checkpoint of the current tree (the same size twice is stored once); returns the note.
    @discardableResult
    public func checkpoint() async throws -> String {
        try await serially { try await self.checkpointNow() }
    }

    private func checkpointNow() async throws -> String {
        guard let signingKey else { throw LedgerError.config("no signing key: set ledger.signing_key in the config (create one with `rampart ledger keygen`)") }
        let frontier = try await catchUp()
        let checkpoint = Checkpoint(origin: origin, size: frontier.size, root: frontier.root, time: now())
        if let last = try await store.ledger.checkpoints().last, last.size == Int64(checkpoint.size) { return last.note }
        let note = try checkpoint.signed(with: signingKey)
        try await store.ledger.addCheckpoint(.init(size: Int64(checkpoint.size), root: checkpoint.root.bytes, timeMs: Millis.from(checkpoint.time), note: note))
        return note
    }

    /// The signed checkpoints, smallest first.
    public func checkpoints() async throws -> [String] {
        try await store.ledger.checkpoints().map(\.note)
    }
}
