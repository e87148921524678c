import COpenBLAS
import Foundation

/// A multilayer perceptron classifier trained natively — ReLU hidden layers, softmax output, cross-entropy loss with
/// an L2 penalty, mini-batch Adam — with scikit-learn's `MLPClassifier` defaults (Glorot-uniform initialisation,
/// α = 1e-4, batch min(200, n), learning rate 1e-3, stop after 10 epochs without a loss improvement of 1e-4). All
/// randomness (initialisation, shuffling) comes from the generator given: a seeded one reproduces the model.
///
/// The probe trains the attacker's models with it: surrogates for model theft (fitting hard labels or the target's
/// probabilities) and the shadow models of membership inference (LiRA).
public struct MLPClassifier: Sendable, Equatable {
    public struct Options: Sendable, Equatable {
        public var hidden: [Int]
        public var epochs: Int
        public var batchSize: Int
        public var learningRate: Float
        public var l2: Float
        public var tolerance: Float
        public var patience: Int

        public init(hidden: [Int] = [64], epochs: Int = 200, batchSize: Int = 200, learningRate: Float = 1e-3, l2: Float = 1e-4,
                    tolerance: Float = 1e-4, patience: Int = 10) {
            self.hidden = hidden
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.l2 = l2
            self.tolerance = tolerance
            self.patience = patience
        }
    }

    /// `weights[l]` is `inputs × outputs` (row-major), `biases[l]` has `outputs` values.
    public var weights: [[Float]]
    public var biases: [[Float]]
    public var sizes: [Int]
    /// Epochs run, and the training loss after the last.
    public var epochsRun: Int
    public var loss: Float

    public var features: Int { sizes[0] }
    public var classes: Int { sizes[sizes.count - 1] }

    /// Trains on rows `x` (`n × d`) against `targets` (`n × classes`: one-hot labels, or probabilities to imitate);
    /// from `initial`'s weights when given (a warm start: its layer sizes must match), else from Glorot's.
    public static func train(_ x: Tensor, targets: Tensor, options: Options = Options(), from initial: MLPClassifier? = nil,
                             using generator: inout some RandomNumberGenerator) throws(TensorError) -> MLPClassifier {
        guard x.rank == 2, targets.rank == 2, x.shape[0] == targets.shape[0], x.shape[0] > 0 else {
            throw .incompatibleShapes("training needs n × d rows and n × classes targets, got \(x.shape) and \(targets.shape)")
        }
        let n = x.shape[0], d = x.shape[1], c = targets.shape[1]
        guard d > 0, c > 1, options.hidden.allSatisfy({ $0 > 0 }) else {
            throw .incompatibleShapes("training needs features, at least two classes and non-empty hidden layers")
        }
        let sizes = [d] + options.hidden + [c]
        var model = MLPClassifier(weights: [], biases: [], sizes: sizes, epochsRun: 0, loss: .infinity)
        for l in 0..<(sizes.count - 1) {
            let bound = (6 / Float(sizes[l] + sizes[l + 1])).squareRoot()
            model.weights.append((0..<(sizes[l] * sizes[l + 1])).map { _ in (Float.random(in: 0..<1, using: &generator) * 2 - 1) * bound })
            model.biases.append((0..<sizes[l + 1]).map { _ in (Float.random(in: 0..<1, using: &generator) * 2 - 1) * bound })
        }
        if let initial {
            var consistent = initial.weights.count == sizes.count - 1 && initial.biases.count == sizes.count - 1
            for l in 0..<(sizes.count - 1) where consistent {
                let weights: Int = sizes[l] * sizes[l + 1]
                consistent = initial.weights[l].count == weights && initial.biases[l].count == sizes[l + 1]
            }
            guard initial.sizes == sizes, consistent else { throw .incompatibleShapes("a warm start needs layers \(sizes), got \(initial.sizes)") }
            model.weights = initial.weights
            model.biases = initial.biases
        }
        var adam = Adam(shapes: model.weights.map(\.count) + model.biases.map(\.count), rate: options.learningRate)
        let batch = Swift.max(1, Swift.min(options.batchSize, n))
        var order = Array(0..<n)
        var best = Float.infinity, stale = 0
        for epoch in 0..<Swift.max(1, options.epochs) {
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
            var total: Float = 0
            for start in stride(from: 0, to: n, by: batch) {
                let rows = Array(order[start..<Swift.min(n, start + batch)])
                let (loss, gradients) = model.lossAndGradients(x: x, targets: targets, rows: rows, l2: options.l2, total: n)
                total += loss * Float(rows.count)
                // The parameters move out of the model for the step and back, so no array is copied on write.
                var parameters = model.weights + model.biases
                model.weights = []
                model.biases = []
                adam.step(&parameters, gradients)
                let layers = parameters.count / 2
                model.weights = Array(parameters[0..<layers])
                model.biases = Array(parameters[layers...])
            }
            model.loss = total / Float(n)
            model.epochsRun = epoch + 1
            if model.loss > best - options.tolerance { stale += 1 } else { stale = 0 }
            best = Swift.min(best, model.loss)
            if stale >= options.patience { break }
        }
        return model
    }

    /// One-hot targets for integer labels in `0..<classes` (other labels give a zero row).
    public static func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        var data = [Float](repeating: 0, count: labels.count * classes)
        for (r, y) in labels.enumerated() where y >= 0 && y < classes { data[r * classes + y] = 1 }
        return try! Tensor(shape: [labels.count, classes], data: data)
    }

    /// Class probabilities for `x` (`n × features`).
    public func probabilities(_ x: Tensor) throws(TensorError) -> Tensor {
        guard x.rank == 2, x.shape[1] == features else { throw .incompatibleShapes("the model takes n × \(features) rows, got \(x.shape)") }
        let activations = forward(x.data, rows: x.shape[0])
        return try Tensor(shape: [x.shape[0], classes], data: Self.softmax(activations.last!, classes: classes))
    }

    public func labels(_ x: Tensor) throws(TensorError) -> [Int] {
        let p = try probabilities(x)
        return (0..<x.shape[0]).map { r in
            var best = 0
            for j in 1..<classes where p.data[r * classes + j] > p.data[r * classes + best] { best = j }
            return best
        }
    }

    /// Activations of every layer (input first; the last is the logits).
    func forward(_ input: [Float], rows: Int) -> [[Float]] {
        var activations = [input]
        for l in 0..<weights.count {
            let (k, m) = (sizes[l], sizes[l + 1])
            var out = [Float](repeating: 0, count: rows * m)
            biases[l].withUnsafeBufferPointer { bias in
                out.withUnsafeMutableBufferPointer { out in
                    for r in 0..<rows { UnsafeMutableRawPointer(out.baseAddress! + r * m).copyMemory(from: bias.baseAddress!, byteCount: m * 4) }
                }
            }
            Self.gemm(activations[l], weights[l], &out, m: rows, n: m, k: k, transA: false, transB: false)
            if l < weights.count - 1 { out.withUnsafeMutableBufferPointer { out in for i in 0..<out.count { out[i] = Swift.max(out[i], 0) } } }
            activations.append(out)
        }
        return activations
    }

    private func lossAndGradients(x: Tensor, targets: Tensor, rows: [Int], l2: Float, total: Int) -> (Float, [[Float]]) {
        let b = rows.count, d = sizes[0], c = classes
        var input = [Float](repeating: 0, count: b * d), target = [Float](repeating: 0, count: b * c)
        input.withUnsafeMutableBufferPointer { input in
            target.withUnsafeMutableBufferPointer { target in
                x.data.withUnsafeBufferPointer { x in
                    targets.data.withUnsafeBufferPointer { t in
                        for (i, r) in rows.enumerated() {
                            UnsafeMutableRawPointer(input.baseAddress! + i * d).copyMemory(from: x.baseAddress! + r * d, byteCount: d * 4)
                            UnsafeMutableRawPointer(target.baseAddress! + i * c).copyMemory(from: t.baseAddress! + r * c, byteCount: c * 4)
                        }
                    }
                }
            }
        }
        let activations = forward(input, rows: b)
        let p = Self.softmax(activations.last!, classes: c)
        var loss: Float = 0
        var delta = [Float](repeating: 0, count: b * c)
        // ∂(−Σ t·log p)/∂logits = p·Σt − t: right for targets that do not sum to 1 too (an unknown label's zero row
        // contributes nothing; rounded or top-k probabilities need no renormalising).
        for r in 0..<b {
            var mass: Float = 0
            for j in 0..<c { mass += target[r * c + j] }
            for j in 0..<c {
                let i = r * c + j
                if target[i] > 0 { loss -= target[i] * Foundation.log(Swift.max(p[i], 1e-12)) }
                delta[i] = (p[i] * mass - target[i]) / Float(b)
            }
        }
        loss /= Float(b)
        // scikit-learn's penalty: α/2 · Σw² per sample of the batch.
        let penalty = weights.reduce(Float(0)) { $0 + $1.reduce(0) { $0 + $1 * $1 } }
        loss += 0.5 * l2 * penalty / Float(b)
        var weightGradients = [[Float]](repeating: [], count: weights.count)
        var biasGradients = [[Float]](repeating: [], count: weights.count)
        for l in stride(from: weights.count - 1, through: 0, by: -1) {
            let (k, m) = (sizes[l], sizes[l + 1])
            var gw = weights[l].map { l2 * $0 / Float(b) }
            Self.gemm(activations[l], delta, &gw, m: k, n: m, k: b, transA: true, transB: false)
            var gb = [Float](repeating: 0, count: m)
            gb.withUnsafeMutableBufferPointer { gb in
                delta.withUnsafeBufferPointer { delta in for r in 0..<b { for j in 0..<m { gb[j] += delta[r * m + j] } } }
            }
            weightGradients[l] = gw
            biasGradients[l] = gb
            if l > 0 {
                var previous = [Float](repeating: 0, count: b * k)
                Self.gemm(delta, weights[l], &previous, m: b, n: k, k: m, transA: false, transB: true)
                activations[l].withUnsafeBufferPointer { a in
                    previous.withUnsafeMutableBufferPointer { previous in for i in 0..<previous.count where a[i] <= 0 { previous[i] = 0 } }
                }
                delta = previous
            }
        }
        return (loss, weightGradients + biasGradients)
    }

    /// `c += op(a) · op(b)` with `op(a)` m × k and `op(b)` k × n, row-major.
    static func gemm(_ a: [Float], _ b: [Float], _ c: inout [Float], m: Int, n: Int, k: Int, transA: Bool, transB: Bool) {
        guard m > 0, n > 0, k > 0 else { return }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(transA ? m : k), pb.baseAddress, Int32(transB ? k : n),
                                1, pc.baseAddress, Int32(n))
                }
            }
        }
    }

    static func softmax(_ logits: [Float], classes c: Int) -> [Float] {
        var out = logits
        for r in 0..<(logits.count / c) {
            let row = (r * c)..<((r + 1) * c)
            let top = out[row].max()!
            var sum: Float = 0
            for i in row { out[i] = Foundation.exp(out[i] - top); sum += out[i] }
            for i in row { out[i] /= sum }
        }
        return out
    }
}
