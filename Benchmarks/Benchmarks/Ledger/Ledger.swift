// The ledger (targets: a 1 M-event verify ≤ 3 s; inclusion-proof generation and verification time;
// consent check ≤ 5 µs from cache). A verify recomputes every leaf hash from its entry and the root from the leaves, so
// "tree · 1M entries" is the hashing part of a 1 M-event verify (reading the rows is measured in bench/ledger).
import Benchmark
import Foundation
import RampartCore
import RampartLedger
import RampartStore

/// Entries the size of a decision record's canonical JSON (~240 bytes), distinct per index.
func entry(_ i: Int) -> [UInt8] {
    Array(#"{"kind":"decision","id":"dec_\#(i)","tenant":"acme","route":"chat","status":200,"model":"gpt-4o-mini","prompt_sha256":"5f0c6d…","at":"2026-11-27T21:30:00.000Z","findings":[]}"#.utf8)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(5), maxIterations: 1_000)
    let entries = (0..<1_000_000).map(entry)
    Benchmark("tree · 1M entries: leaf hashes and root", configuration: .init(maxIterations: 3)) { benchmark in
        for _ in benchmark.scaledIterations {
            var tree = MerkleTree()
            for e in entries { tree.append(MerkleHash.leaf(e)) }
            blackHole(tree.root)
        }
    }
    Benchmark("frontier · 1M entries: leaf hashes and root", configuration: .init(maxIterations: 3)) { benchmark in
        for _ in benchmark.scaledIterations {
            var frontier = MerkleFrontier()
            for e in entries { frontier.append(MerkleHash.leaf(e)) }
            blackHole(frontier.root)
        }
    }
    let tree = MerkleTree(leaves: entries.map { MerkleHash.leaf($0) })
    let size = tree.size - 12_345  // an earlier tree, with an uneven right edge
    let root = try! tree.root(size: size)
    Benchmark("inclusion proof · generate, 1M-entry tree") { benchmark in
        for i in benchmark.scaledIterations { blackHole(try! tree.inclusionProof(leaf: (i &* 7919) % size, size: size)) }
    }
    let proof = try! tree.inclusionProof(leaf: 777_777, size: size)
    Benchmark("inclusion proof · verify, 1M-entry tree") { benchmark in
        for _ in benchmark.scaledIterations {
            try! MerkleProof.verifyInclusion(leaf: tree.leaf(777_777), index: 777_777, size: size, proof: proof, root: root)
        }
    }
    let consistency = try! tree.consistencyProof(from: 500_001, to: size)
    let oldRoot = try! tree.root(size: 500_001)
    Benchmark("consistency proof · generate and verify, 500,001 → 987,655") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! tree.consistencyProof(from: 500_001, to: size))
            try! MerkleProof.verifyConsistency(oldSize: 500_001, newSize: size, oldRoot: oldRoot, newRoot: root, proof: consistency)
        }
    }
    // The gateway's consent check: the subject header hashed, two dictionary lookups — against a book of 2,000
    // subjects (half with consent), for a subject with consent and one without.
    // 1,000 checks per sample (scalingFactor .kilo): the p50 is in µs per 1,000 checks = ns per check.
    Benchmark("consent check × 1,000 · from the in-memory book, 2,000 subjects", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let book = consentBook(subjects: 2_000)
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { blackHole(book.isCurrent(subject: "user-\(i % 2_000)", purpose: "support", now: Date())) }
        benchmark.stopMeasurement()
    }
}

/// A consent book folded from a real ledger in a temporary SQLite file.
func consentBook(subjects: Int) -> ConsentBook {
    let box = BookBox()
    let done = DispatchSemaphore(value: 0)
    Task {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-bench-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try! await Store.openSQLite(path: folder.appendingPathComponent("rampart.db").path)
        let ledger = try! await Ledger.open(store: store, origin: "bench/ledger", signingKey: nil)
        let purposes = [PurposeConfig(id: "support", lawfulBasis: .consent)]
        for i in stride(from: 0, to: subjects, by: 2) {
            try! await ledger.giveConsent(ConsentRequest(subject: "user-\(i)", purpose: "support"), purposes: purposes)
        }
        try! await box.book.refresh(from: store)
        await store.close()
        try? FileManager.default.removeItem(at: folder)
        done.signal()
    }
    done.wait()
    return box.book
}

final class BookBox: Sendable {
    let book = ConsentBook()
}
