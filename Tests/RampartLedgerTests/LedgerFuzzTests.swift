import Foundation
import RampartCore
import RampartStoreTesting
import Testing
@testable import RampartLedger
@testable import RampartStore

/// Seeded mutation fuzzing of the ledger's parsers of untrusted input — proof documents (`check-proof` reads them from
/// anyone), signed checkpoints and receipts, verifier keys, PEM key files: every mutant is answered with a result or
/// an error, never a crash or a hang, and a proof is only ever accepted when it still says what the original said.
@Suite struct LedgerFuzzTests {
    static let origin = "fuzz.test/ledger"

    /// A proof of inclusion and of consistency from a real 30-entry ledger, the checkpoint and the key.
    static func material() async throws -> (inclusion: Data, consistency: Data, checkpoint: String, key: LedgerSigningKey) {
        try await TestBackend.sqlite.withStore { store, _ in
            let key = try LedgerSigningKey.generate(name: origin)
            let ledger = try await Ledger.open(store: store, origin: origin, signingKey: key)
            try await ledger.append((0..<10).map { LedgerEvent(kind: "note", body: #"{"n":\#($0)}"#) })
            try await ledger.checkpoint()
            try await ledger.append((10..<30).map { LedgerEvent(kind: "note", subjectRef: "sub_\($0 % 3)", body: #"{"n":\#($0)}"#) })
            let note = try await ledger.checkpoint()
            let encoder = JSONEncoder()
            return (try encoder.encode(try await ledger.inclusionProof(seq: 17)), try encoder.encode(try await ledger.consistencyProof(from: 10, to: 30)),
                    note, key)
        }
    }

    @Test(arguments: [21, 22, 23] as [UInt64])
    func proofDocumentsSurviveMutants(seed: UInt64) async throws {
        let (inclusion, consistency, _, key) = try await Self.material()
        let original = try JSONDecoder().decode(InclusionProofDocument.self, from: inclusion)
        let originalConsistency = try JSONDecoder().decode(ConsistencyProofDocument.self, from: consistency)
        #expect(ProofCheck.check(json: inclusion, verifierKey: key.verifierKey).valid)
        var rng = SeededRandom(seed: seed)
        var accepted = 0
        for _ in 0..<1000 {
            for (document, isInclusion) in [(inclusion, true), (consistency, false)] {
                let mutant = Data(Mutations.mutate(Array(document), rng: &rng))
                let result = ProofCheck.check(json: mutant, verifierKey: key.verifierKey)
                #expect(!result.message.isEmpty)
                guard result.valid else { continue }
                accepted += 1
                // Accepted only if it still states the same proof: the same positions, hashes and checkpoint sizes and
                // roots. (Hex may change case; the notes' text may differ: a signed note may carry extra signature lines
                // from other keys, which verifiers ignore — C2SP signed-note.)
                let text = String(decoding: mutant, as: UTF8.self)
                if isInclusion {
                    let doc = try JSONDecoder().decode(InclusionProofDocument.self, from: mutant)
                    #expect(doc.index == original.index && doc.size == original.size && doc.entry == original.entry && doc.leafHash.lowercased() == original.leafHash
                            && doc.proof.map { $0.lowercased() } == original.proof && doc.origin == original.origin, "\(text)")
                    let opened = try Checkpoint.open(doc.checkpoint, verifierKey: key.verifierKey)
                    let was = try Checkpoint.open(original.checkpoint, verifierKey: key.verifierKey)
                    #expect(opened.size == was.size && opened.root == was.root, "\(text)")
                } else {
                    let doc = try JSONDecoder().decode(ConsistencyProofDocument.self, from: mutant)
                    let o = originalConsistency
                    #expect(doc.from == o.from && doc.to == o.to && doc.proof.map { $0.lowercased() } == o.proof && doc.origin == o.origin, "\(text)")
                    for (note, was) in [(doc.oldCheckpoint, o.oldCheckpoint), (doc.newCheckpoint, o.newCheckpoint)] {
                        let a = try Checkpoint.open(note, verifierKey: key.verifierKey), b = try Checkpoint.open(was, verifierKey: key.verifierKey)
                        #expect(a.size == b.size && a.root == b.root, "\(text)")
                    }
                }
            }
        }
        #expect(accepted < 2000, "most mutants change the proof and must be refused")
    }

    @Test(arguments: [31, 32] as [UInt64])
    func signedNotesAndKeysSurviveMutants(seed: UInt64) async throws {
        let (_, _, note, key) = try await Self.material()
        let checkpoint = try Checkpoint.open(note, verifierKey: key.verifierKey)
        var rng = SeededRandom(seed: seed)
        for mutant in Mutations.of(note, count: 1500, alphabet: Array("\n— +/=0123456789abcdef ".utf8), rng: &rng) {
            // A mutated checkpoint either fails to open, or opens to the same size and root (e.g. a changed time line
            // breaks the signature; trailing bytes after the signature are refused).
            if let opened = try? Checkpoint.open(mutant, verifierKey: key.verifierKey) {
                #expect(opened.size == checkpoint.size && opened.root == checkpoint.root)
            }
        }
        for mutant in Mutations.of(key.verifierKey, count: 1500, alphabet: Array("+/=abc0123456789".utf8), rng: &rng) {
            _ = try? Checkpoint.validate(verifierKey: mutant)
            _ = try? Checkpoint.open(note, verifierKey: mutant)
        }
        let pem = key.pem
        for mutant in Mutations.of(pem, count: 1500, alphabet: Array("-\n+/=ABCDEFabcdef0123456789 ".utf8), rng: &rng) {
            do {
                _ = try LedgerSigningKey(name: Self.origin, pem: mutant)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
