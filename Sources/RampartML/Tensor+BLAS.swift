import COpenBLAS

extension Tensor {
    /// `alpha · op(a) · op(b) + beta · c` for 2-D tensors, as ONNX Gemm defines it (`c` broadcast to the result).
    public static func gemm(_ a: Tensor, _ b: Tensor, c: Tensor? = nil, alpha: Float = 1, beta: Float = 1,
                            transA: Bool = false, transB: Bool = false) throws(TensorError) -> Tensor {
        guard a.rank == 2, b.rank == 2 else { throw .incompatibleShapes("gemm needs 2-D inputs, got \(a.shape) and \(b.shape)") }
        let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
        let kb = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1]
        guard k == kb else {
            throw .incompatibleShapes("gemm: inner dimensions differ: \(a.shape)\(transA ? "ᵀ" : "") · \(b.shape)\(transB ? "ᵀ" : "")")
        }
        var out: [Float]
        if let c, beta != 0 {
            out = try c.broadcast(to: [m, n]).data
        } else {
            out = Array(repeating: 0, count: m * n)
        }
        guard m > 0, n > 0 else { return try Tensor(shape: [m, n], data: out) }
        let effectiveBeta: Float = c == nil ? 0 : beta
        if k > 0 {
            a.data.withUnsafeBufferPointer { pa in
                b.data.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { pc in
                        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                                    Int32(m), Int32(n), Int32(k), alpha, pa.baseAddress, Int32(a.shape[1]), pb.baseAddress, Int32(b.shape[1]),
                                    effectiveBeta, pc.baseAddress, Int32(n))
                    }
                }
            }
        } else if effectiveBeta != 1 {
            for i in out.indices { out[i] *= effectiveBeta }
        }
        return try Tensor(shape: [m, n], data: out)
    }

    /// Matrix product with NumPy's rules (ONNX MatMul): 1-D operands are promoted and the added axis removed again;
    /// leading batch dimensions broadcast.
    public func matmul(_ other: Tensor) throws(TensorError) -> Tensor {
        guard rank >= 1, other.rank >= 1 else { throw .incompatibleShapes("matmul needs tensors of rank ≥ 1, got \(shape) and \(other.shape)") }
        let a = rank == 1 ? try reshaped([1, shape[0]]) : self
        let b = other.rank == 1 ? try other.reshaped([other.shape[0], 1]) : other
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        let batch = try Tensor.broadcastShape(batchA, batchB)
        let (m, k) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (kb, n) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        guard k == kb else { throw .incompatibleShapes("matmul: inner dimensions differ: \(shape) · \(other.shape)") }
        let aFull = try a.broadcast(to: batch + [m, k]), bFull = try b.broadcast(to: batch + [kb, n])
        let batches = try Tensor.count(of: batch)
        var out: [Float] = []
        out.reserveCapacity(batches * m * n)
        for index in 0..<batches {
            let left = try Tensor(shape: [m, k], data: Array(aFull.data[(index * m * k)..<((index + 1) * m * k)]))
            let right = try Tensor(shape: [k, n], data: Array(bFull.data[(index * k * n)..<((index + 1) * k * n)]))
            out += try Tensor.gemm(left, right).data
        }
        var resultShape = batch + [m, n]
        if rank == 1 { resultShape.remove(at: resultShape.count - 2) }
        if other.rank == 1 { resultShape.removeLast() }
        return try Tensor(shape: resultShape, data: out)
    }
}
