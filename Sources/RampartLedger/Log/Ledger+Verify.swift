import Foundation
import RampartCore
import RampartStore

extension Ledger {
    /// Recomputes every entry's leaf hash from its row, the tree from the leaves, and checks every checkpoint's root
    /// (and signature, with the signing key or `verifierKey`) against it. Reports the first problem: a missing
    /// position (a deleted row), a row whose content no longer matches its hash (an edited row), or — when rows and
    /// hashes were both rewritten — the first checkpoint whose root no longer matches, which bounds the change to the
    /// entries since the checkpoint before it.
    public func verify(verifierKey: String? = nil, pageSize: Int64 = 10_000) async throws -> LedgerVerifyReport {
        let key = verifierKey ?? signingKey?.verifierKey
        let checkpoints = try await store.ledger.checkpoints()
        let (count, _) = try await store.ledger.extent()
        var report = LedgerVerifyReport(entries: 0, root: MerkleHash.empty.hex, checkpoints: checkpoints.count, signaturesChecked: key != nil,
                                        latestCheckpointSize: checkpoints.last.map { Int($0.size) }, problem: nil)
        var tree = MerkleFrontier()
        /// The report up to the problem: entries checked before it and their root.
        func fail(_ position: Int64?, _ message: String) -> LedgerVerifyReport {
            report.entries = tree.size
            report.root = tree.root.hex
            report.problem = .init(position: position, message: message)
            return report
        }
        // The checkpoints first: each must be signed by the key, name this log, and agree with its stored columns.
        var expected: [(size: Int64, root: MerkleHash)] = []
        for row in checkpoints {
            let checkpoint: Checkpoint
            do {
                checkpoint = try key.map { try Checkpoint.open(row.note, verifierKey: $0) } ?? Checkpoint.parse(body: SignedNote.body(of: row.note))
            } catch {
                return fail(nil, "checkpoint for size \(row.size): \(error)")
            }
            guard checkpoint.origin == origin, Int64(checkpoint.size) == row.size, checkpoint.root.bytes == row.root else {
                return fail(nil, "checkpoint for size \(row.size) does not match its own signed text")
            }
            expected.append((row.size, checkpoint.root))
        }
        var nextCheckpoint = 0
        var lastGood: Int64 = 0
        func checkCheckpoints() -> LedgerVerifyReport? {
            while nextCheckpoint < expected.count, expected[nextCheckpoint].size == Int64(tree.size) {
                guard tree.root == expected[nextCheckpoint].root else {
                    return fail(lastGood < Int64(tree.size) ? lastGood : nil,
                                "the entries do not match the checkpoint for size \(tree.size): an entry at position \(lastGood)..<\(tree.size) was changed, removed or reordered")
                }
                lastGood = Int64(tree.size)
                nextCheckpoint += 1
            }
            return nil
        }
        if let bad = checkCheckpoints() { return bad }
        var seq: Int64 = 0
        // Read the next page while this one is hashed: SQLite and the hashing run on different threads, so the two
        // cores overlap instead of taking turns.
        let ledgerStore = store.ledger
        func page(from start: Int64) -> Task<[LedgerStore.Row], any Error>? {
            start < count ? Task { try await ledgerStore.rows(start..<min(count, start + pageSize)) } : nil
        }
        var pending = page(from: 0)
        var nextStart = min(count, pageSize)
        while seq < count, let current = pending {
            let rows = try await current.value
            pending = page(from: nextStart)
            nextStart = min(count, nextStart + pageSize)
            if rows.isEmpty { pending?.cancel(); return fail(seq, "entry \(seq) is missing") }
            for row in rows {
                guard row.seq == seq else { pending?.cancel(); return fail(seq, "entry \(seq) is missing (the next stored entry is \(row.seq))") }
                let leaf = MerkleHash.leaf(LedgerEntry.leafData(seq: row.seq, timeMs: row.timeMs, kind: row.kind, subjectRef: row.subjectRef, body: row.body))
                guard MerkleHash(bytes: row.leafHash) == leaf else {
                    pending?.cancel()
                    return fail(seq, "entry \(seq) does not match its stored hash: its content was changed")
                }
                tree.append(leaf)
                if let bad = checkCheckpoints() { pending?.cancel(); return bad }
                seq += 1
            }
            // A short page means rows are missing (the next page starts where this one should have ended).
            if seq < min(count, nextStart - pageSize) { pending?.cancel(); return fail(seq, "entry \(seq) is missing") }
        }
        report.entries = tree.size
        report.root = tree.root.hex
        if nextCheckpoint < expected.count {
            return fail(Int64(tree.size), "a checkpoint covers \(expected[nextCheckpoint].size) entries but the log holds \(tree.size): entries were removed")
        }
        return report
    }

    /// Proof that entry `seq` is in the log, against the latest checkpoint (or the one of `size`).
    public func inclusionProof(seq: Int64, size: Int64? = nil) async throws -> InclusionProofDocument {
        let checkpoint = try await coveringCheckpoint(seq: seq, size: size)
        guard let row = try await store.ledger.rows(seq..<(seq + 1)).first else { throw LedgerError.notFound("entry \(seq) does not exist") }
        let tree = try await tree(size: checkpoint.size)
        let proof = try tree.inclusionProof(leaf: Int(seq), size: Int(checkpoint.size))
        return InclusionProofDocument(origin: origin, index: seq, size: checkpoint.size, entry: .init(LedgerEntry(row: row)),
                                      leafHash: MerkleHash(bytes: row.leafHash)?.hex ?? "", proof: proof.map(\.hex), checkpoint: checkpoint.note)
    }

    /// Proof that the log at checkpoint size `from` is a prefix of the log at checkpoint size `to`.
    public func consistencyProof(from: Int64, to: Int64) async throws -> ConsistencyProofDocument {
        let checkpoints = try await store.ledger.checkpoints()
        guard let old = checkpoints.first(where: { $0.size == from }) else {
            throw LedgerError.notFound("no checkpoint for size \(from); sizes with checkpoints: \(checkpoints.map { String($0.size) }.joined(separator: ", "))")
        }
        guard let new = checkpoints.first(where: { $0.size == to }) else {
            throw LedgerError.notFound("no checkpoint for size \(to); sizes with checkpoints: \(checkpoints.map { String($0.size) }.joined(separator: ", "))")
        }
        let tree = try await tree(size: to)
        let proof = try tree.consistencyProof(from: Int(from), to: Int(to))
        return ConsistencyProofDocument(origin: origin, from: from, to: to, proof: proof.map(\.hex), oldCheckpoint: old.note, newCheckpoint: new.note)
    }

    private func coveringCheckpoint(seq: Int64, size: Int64?) async throws -> LedgerStore.CheckpointRow {
        let checkpoints = try await store.ledger.checkpoints()
        let candidate = size.map { s in checkpoints.first { $0.size == s } } ?? checkpoints.last
        guard let checkpoint = candidate else {
            throw LedgerError.notFound(size.map { "no checkpoint for size \($0)" } ?? "the ledger has no checkpoint yet: run `rampart ledger checkpoint`")
        }
        guard seq >= 0, seq < checkpoint.size else {
            throw LedgerError.notFound("entry \(seq) is not covered by the checkpoint of size \(checkpoint.size)\(seq >= checkpoint.size ? ": run `rampart ledger checkpoint` first" : "")")
        }
        return checkpoint
    }

    /// The tree of the first `size` entries from the stored leaf hashes.
    private func tree(size: Int64) async throws -> MerkleTree {
        var tree = MerkleTree()
        for hash in try await store.ledger.leafHashes(upTo: size) {
            guard let leaf = MerkleHash(bytes: hash) else { throw LedgerError.tampered(position: Int64(tree.size), "a stored leaf hash is not 32 bytes") }
            tree.append(leaf)
        }
        guard Int64(tree.size) == size else { throw LedgerError.tampered(position: Int64(tree.size), "entries below \(size) are missing: run `rampart ledger verify`") }
        return tree
    }
}
