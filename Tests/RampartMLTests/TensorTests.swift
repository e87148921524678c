import Foundation
import RampartCore
import Testing
@testable import RampartML

/// The tensor layer against plain reference loops: matrix products through OpenBLAS (every transpose combination,
/// batched and 1-D MatMul), NumPy broadcasting, stable softmax, reductions, argmax, transpose — and clear errors for
/// shapes that do not fit.
@Suite struct TensorTests {
    /// Integer-valued random values, so Float sums are exact and results can be compared with `==`.
    static func random(_ shape: [Int], _ rng: inout SeededRandom) throws -> Tensor {
        try Tensor(shape: shape, data: (0..<(try Tensor.count(of: shape))).map { _ in Float(Int.random(in: -4...4, using: &rng)) })
    }

    static func naiveMatmul(_ a: [[Float]], _ b: [[Float]]) -> [[Float]] {
        a.map { row in (0..<b[0].count).map { j in zip(row, b.map { $0[j] }).map(*).reduce(0, +) } }
    }

    static func rows(_ t: Tensor) -> [[Float]] {
        (0..<t.shape[0]).map { Array(t.data[($0 * t.shape[1])..<(($0 + 1) * t.shape[1])]) }
    }

    @Test func gemmMatchesTheReferenceForEveryTranspose() throws {
        var rng = SeededRandom(seed: 1)
        for (m, k, n) in [(1, 1, 1), (2, 3, 4), (7, 5, 3), (16, 33, 9), (64, 64, 64)] {
            let a = try Self.random([m, k], &rng), b = try Self.random([k, n], &rng), c = try Self.random([1, n], &rng)
            let expected = Self.naiveMatmul(Self.rows(a), Self.rows(b))
            for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
                let left = transA ? try a.transposed() : a, right = transB ? try b.transposed() : b
                let product = try Tensor.gemm(left, right, transA: transA, transB: transB)
                #expect(product.shape == [m, n] && Self.rows(product) == expected, "\(m)×\(k)×\(n) transA \(transA) transB \(transB)")
            }
            // alpha · A·B + beta · C, with C broadcast over the rows (ONNX Gemm).
            let scaled = try Tensor.gemm(a, b, c: c, alpha: 2, beta: 3)
            let reference = expected.map { row in row.enumerated().map { 2 * $0.element + 3 * c.data[$0.offset] } }
            #expect(Self.rows(scaled) == reference)
        }
        #expect(throws: TensorError.self) { try Tensor.gemm(Tensor(repeating: 1, shape: [2, 3]), Tensor(repeating: 1, shape: [2, 3])) }
        #expect(throws: TensorError.self) { try Tensor.gemm(Tensor(repeating: 1, shape: [2]), Tensor(repeating: 1, shape: [2, 3])) }
        // Empty inner dimension: beta · C.
        let empty = try Tensor.gemm(Tensor(shape: [2, 0], data: []), Tensor(shape: [0, 2], data: []), c: Tensor(scalar: 5), beta: 2)
        #expect(empty.data == [10, 10, 10, 10])
    }

    @Test func matmulFollowsNumPy() throws {
        var rng = SeededRandom(seed: 2)
        let a = try Self.random([3, 2, 4], &rng), b = try Self.random([4, 5], &rng)
        let batched = try a.matmul(b)
        #expect(batched.shape == [3, 2, 5])
        for i in 0..<3 {
            let slice = try Tensor(shape: [2, 4], data: Array(a.data[(i * 8)..<((i + 1) * 8)]))
            #expect(Array(batched.data[(i * 10)..<((i + 1) * 10)]) == Self.naiveMatmul(Self.rows(slice), Self.rows(b)).flatMap { $0 })
        }
        let v = try Tensor(shape: [4], data: [1, 0, -1, 2])
        #expect(try b.transposed().matmul(v).shape == [5])
        #expect(try v.matmul(b).shape == [5])
        #expect(try v.matmul(v).shape == [])
        #expect(throws: TensorError.self) { try a.matmul(a) }
    }

    @Test func broadcastingAndElementwise() throws {
        let a = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        #expect(try (a + Tensor(shape: [3], data: [10, 20, 30])).data == [11, 22, 33, 14, 25, 36])
        #expect(try (a * Tensor(shape: [2, 1], data: [2, -1])).data == [2, 4, 6, -4, -5, -6])
        #expect(try (a - Tensor(scalar: 1)).data == [0, 1, 2, 3, 4, 5])
        #expect(try (Tensor(shape: [3, 1], data: [1, 2, 3]) / Tensor(shape: [1, 2], data: [1, 2])).shape == [3, 2])
        #expect(throws: TensorError.self) { try a + Tensor(shape: [2], data: [1, 2]) }
        let mixed = try Tensor(shape: [2], data: [-1, 2])
        #expect(a.relu().data == a.data && mixed.relu().data == [0, 2])
        #expect(try Tensor(shape: [3], data: [-3, 0.5, 3]).clip(min: -1, max: 1).data == [-1, 0.5, 1])
        let s = try Tensor(shape: [3], data: [-1000, 0, 1000]).sigmoid().data
        #expect(s[0] == 0 && s[1] == 0.5 && s[2] == 1 && s.allSatisfy { !$0.isNaN })
    }

    @Test func softmaxIsStableAndSumsToOne() throws {
        let x = try Tensor(shape: [2, 3], data: [1000, 1001, 1002, -5, 0, 5])
        let p = try x.softmax(axis: 1)
        for row in Self.rows(p) { #expect(abs(row.reduce(0, +) - 1) < 1e-6 && row.allSatisfy { $0.isFinite }) }
        #expect(abs(p.data[2] - 0.66524096) < 1e-6)
        let log = try x.logSoftmax(axis: -1)
        // Inputs near 1000 carry Float's rounding (one ulp of 1000 is 6e-5) into the log-probabilities.
        for (lp, q) in zip(log.data, p.data) { #expect(abs(Foundation.exp(lp) - q) < 1e-4) }
        let columns = try x.softmax(axis: 0)
        #expect(abs(columns.data[0] + columns.data[3] - 1) < 1e-6)
        #expect(throws: TensorError.self) { try x.softmax(axis: 2) }
    }

    @Test func reductionsArgmaxTransposeReshape() throws {
        let x = try Tensor(shape: [2, 3], data: [1, 7, 7, 4, -2, 0])
        #expect(try x.sum(axis: 1).data == [15, 2] && x.sum(axis: 0, keepDims: false).shape == [3])
        #expect(try x.max(axis: 1, keepDims: false).data == [7, 4])
        #expect(try x.argmax(axis: 1).data == [1, 0], "the first of equal maxima")
        #expect(try x.argmax(axis: 0, keepDims: false).data == [1, 0, 0])
        let t = try x.transposed()
        #expect(t.shape == [3, 2] && t.data == [1, 4, 7, -2, 7, 0])
        let cube = try Tensor(shape: [2, 3, 4], data: (0..<24).map(Float.init))
        let moved = try cube.transposed([2, 0, 1])
        #expect(moved.shape == [4, 2, 3] && moved.data[1] == 4 && moved.data[6] == 1)
        #expect(throws: TensorError.self) { try cube.transposed([0, 0, 1]) }
        #expect(try cube.reshaped([6, -1]).shape == [6, 4])
        #expect(throws: TensorError.self) { try cube.reshaped([5, -1]) }
        #expect(throws: TensorError.self) { try cube.reshaped([-1, -1]) }
        #expect(throws: TensorError.self) { try Tensor(shape: [2, 2], data: [1]) }
        #expect(throws: TensorError.self) { try Tensor(shape: [-1], data: []) }
        #expect(throws: TensorError.self) { try Tensor(shape: [1 << 20, 1 << 20], data: []) }
    }

    @Test func openBLASThreadsCanBeLimited() {
        BLAS.setThreads(1)
        #expect(BLAS.threads == 1)
        #expect(!BLAS.coreName.isEmpty)
    }
}
