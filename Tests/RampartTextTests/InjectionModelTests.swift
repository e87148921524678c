import Foundation
import Testing
@testable import RampartText

/// The Swift model computes exactly what the training script's reference implementation computes
/// (scripts/injection/features.py), on the vectors train.py wrote next to the weights.
@Suite struct InjectionModelTests {
    struct Vector: Decodable {
        var text: String
        var score: Double
        var windows: Int
    }

    struct File: Decodable {
        var vectors: [Vector]
    }

    static let vectors: [Vector] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/injection/test_vectors.json")
        return (try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)).vectors) ?? []
    }()

    @Test func vectorsAreThere() {
        #expect(Self.vectors.count >= 20)
        #expect(InjectionModel.shared.weights.contains { $0 != 0 })
    }

    @Test func scoresMatchTheReferenceImplementation() {
        for vector in Self.vectors {
            let bytes = Array(NormalizedText(vector.text).utf8)
            let score = InjectionModel.shared.score(bytes).score
            #expect(abs(score - vector.score) < 1e-9, "\(vector.text.prefix(60)): \(score) vs \(vector.score)")
        }
    }
}
