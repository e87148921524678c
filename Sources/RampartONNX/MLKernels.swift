import Foundation
import RampartML

/// The `ai.onnx.ml` operators skl2onnx emits for tabular models, with onnxruntime's conventions for the binary cases.
enum MLKernels {
    static func make(_ op: String, _ a: Attributes) throws(ONNXError) -> Kernel {
        switch op {
        case "LinearClassifier": return try linearClassifier(a)
        case "LinearRegressor": return try linearRegressor(a)
        case "TreeEnsembleClassifier": return try TreeEnsemble(a, classifier: true).kernel()
        case "TreeEnsembleRegressor": return try TreeEnsemble(a, classifier: false).kernel()
        case "Normalizer": return try normalizer(a)
        case "Scaler": return try scaler(a)
        case "ZipMap": return try zipMap(a)
        case "ArrayFeatureExtractor": return arrayFeatureExtractor()
        case "SVMClassifier": return try SVMClassifier(a).kernel()
        default: throw a.error("unsupported operator")
        }
    }

    /// An `N×F` float input (a 1-D input is one row).
    static func rows(_ inputs: [ONNXValue?], features: Int? = nil) throws -> Tensor {
        var x: Tensor
        switch inputs.first ?? nil {
        case .floats(let t)?: x = t
        case .ints(let t)?: x = try Tensor(shape: t.shape, data: t.data.map { Float($0) })
        default: throw KernelFailure("input 0 must be a numeric tensor")
        }
        if x.rank == 1 { x = try x.reshaped([1, x.count]) }
        guard x.rank == 2 else { throw KernelFailure("input 0 must be N×F, got \(x.shape)") }
        if let features, x.shape[1] != features { throw KernelFailure("input 0 has \(x.shape[1]) features, the model expects \(features)") }
        return x
    }

    // MARK: Linear models

    static func linearClassifier(_ a: Attributes) throws(ONNXError) -> Kernel {
        let labels = try a.classLabels(ints: "classlabels_ints", strings: "classlabels_strings")
        guard let coefficients = try a.floats("coefficients"), !coefficients.isEmpty else { throw a.error("lacks `coefficients`") }
        let intercepts = try a.floats("intercepts") ?? []
        let transform = try PostTransform(a)
        let targets = intercepts.isEmpty ? (labels.count == 2 && coefficients.count % 2 == 1 ? 1 : labels.count) : intercepts.count
        guard targets > 0, coefficients.count % targets == 0 else { throw a.error("\(coefficients.count) coefficients do not split into \(targets) classes") }
        guard intercepts.isEmpty || intercepts.count == targets else { throw a.error("\(intercepts.count) intercepts for \(targets) classes") }
        let features = coefficients.count / targets
        let weights = try! Tensor(shape: [targets, features], data: coefficients)
        let bias = intercepts.isEmpty ? nil : try! Tensor(shape: [targets], data: intercepts)
        let binary = targets == 1 && labels.count == 2
        guard binary || targets == 1 || targets == labels.count else { throw a.error("\(targets) classes of coefficients for \(labels.count) labels") }

        @Sendable func scores(_ x: Tensor) throws -> (raw: [Float], out: [Float], columns: Int) {
            let raw = try Tensor.gemm(x, weights, c: bias, transB: true).data
            let n = x.shape[0]
            var out = raw, columns = targets
            if binary {
                out = []
                out.reserveCapacity(2 * n)
                for v in raw { out += [-v, v] }
                columns = 2
            }
            transform.apply(&out, rows: n, columns: columns)
            return (raw, out, columns)
        }
        return Kernel(forward: { inputs in
            let x = try rows(inputs, features: features)
            let n = x.shape[0]
            let (_, out, columns) = try scores(x)
            var picked: [Int] = []
            picked.reserveCapacity(n)
            if columns == 1 {
                // One target and not two labels: positive class where the score passes the threshold.
                let threshold: Float = transform == .none ? 0 : 0.5
                for row in 0..<n { picked.append(out[row] >= threshold ? 0 : -1) }
                let values: [Int64] = picked.map { index in
                    guard index >= 0, case .ints(let l) = labels else { return 0 }
                    return l[index]
                }
                return [.ints(try IntTensor(shape: [n], data: values)), .floats(try Tensor(shape: [n, 1], data: out))]
            }
            for row in 0..<n {
                var best = 0
                for j in 1..<columns where out[row * columns + j] > out[row * columns + best] { best = j }
                picked.append(best)
            }
            return [try labels.pick(picked, shape: [n]), .floats(try Tensor(shape: [n, columns], data: out))]
        }, backward: { inputs, outputs, gradients in
            guard gradients.count > 1, let dy = gradients[1] else { return [nil] }
            let x = try rows(inputs, features: features)
            let n = x.shape[0], y = try floatOutput(outputs, 1)
            let columns = y.shape.last ?? 1
            var draw = try transform.backward(y: y.data, dy: dy.data, rows: n, columns: columns)
            if binary { draw = (0..<n).map { draw[2 * $0 + 1] - draw[2 * $0] } }
            let dx = try Tensor.gemm(try Tensor(shape: [n, targets], data: draw), weights)
            return [try dx.reshaped(try floatInput(inputs, 0).shape)]
        })
    }

    static func linearRegressor(_ a: Attributes) throws(ONNXError) -> Kernel {
        guard let coefficients = try a.floats("coefficients"), !coefficients.isEmpty else { throw a.error("lacks `coefficients`") }
        let targets = Int(clamping: try a.int("targets", default: 1))
        guard targets > 0, coefficients.count % targets == 0 else { throw a.error("\(coefficients.count) coefficients do not split into \(targets) targets") }
        let intercepts = try a.floats("intercepts") ?? []
        guard intercepts.isEmpty || intercepts.count == targets else { throw a.error("\(intercepts.count) intercepts for \(targets) targets") }
        guard try PostTransform(a) == .none else { throw a.error("LinearRegressor supports post_transform NONE only") }
        let features = coefficients.count / targets
        let weights = try! Tensor(shape: [targets, features], data: coefficients)
        let bias = intercepts.isEmpty ? nil : try! Tensor(shape: [targets], data: intercepts)
        return Kernel(forward: { inputs in
            [.floats(try Tensor.gemm(try rows(inputs, features: features), weights, c: bias, transB: true))]
        }, backward: { inputs, _, gradients in
            guard let dy = gradients[0] else { return [nil] }
            return [try Tensor.gemm(dy, weights).reshaped(try floatInput(inputs, 0).shape)]
        })
    }

    // MARK: Preprocessing

    /// Row-wise normalization by the L1 or L2 norm or the largest magnitude (at least 1e-30, as onnxruntime).
    static func normalizer(_ a: Attributes) throws(ONNXError) -> Kernel {
        let norm = try a.string("norm", default: "MAX")
        guard ["MAX", "L1", "L2"].contains(norm) else { throw a.error("unknown norm `\(norm)`") }
        @Sendable func divisors(_ x: Tensor) -> [Float] {
            let f = x.shape[1]
            return (0..<x.shape[0]).map { row in
                let values = x.data[(row * f)..<((row + 1) * f)]
                let d: Float = switch norm {
                case "L1": values.reduce(0) { $0 + abs($1) }
                case "L2": values.reduce(0) { $0 + $1 * $1 }.squareRoot()
                default: values.reduce(0) { Swift.max($0, abs($1)) }
                }
                return Swift.max(d, 1e-30)
            }
        }
        return Kernel(forward: { inputs in
            let x = try rows(inputs)
            let d = divisors(x), f = x.shape[1]
            var out = x.data
            for i in out.indices { out[i] /= d[i / Swift.max(f, 1)] }
            return [.floats(try Tensor(shape: x.shape, data: out))]
        }, backward: { inputs, outputs, gradients in
            guard let dy = gradients[0] else { return [nil] }
            let x = try rows(inputs), y = try floatOutput(outputs, 0)
            let d = divisors(x), f = x.shape[1]
            var dx = [Float](repeating: 0, count: x.count)
            for row in 0..<x.shape[0] {
                let range = (row * f)..<((row + 1) * f)
                var dot: Float = 0
                for i in range { dot += dy.data[i] * y.data[i] }
                // y = x / d(x): dx = (dy − (dy·y) ∂d/∂x) / d, with ∂d/∂x = y (L2), sign(x) (L1), sign at the maximum (MAX).
                let top = range.max { abs(x.data[$0]) < abs(x.data[$1]) }
                for i in range {
                    let partial: Float = switch norm {
                    case "L2": y.data[i]
                    case "L1": x.data[i] > 0 ? 1 : (x.data[i] < 0 ? -1 : 0)
                    default: i == top ? (x.data[i] >= 0 ? 1 : -1) : 0
                    }
                    dx[i] = (dy.data[i] - dot * partial) / d[row]
                }
            }
            return [try Tensor(shape: try floatInput(inputs, 0).shape, data: dx)]
        })
    }

    /// `(x − offset) · scale`, per feature (or one value for all).
    static func scaler(_ a: Attributes) throws(ONNXError) -> Kernel {
        let offset = try a.floats("offset") ?? [0], scale = try a.floats("scale") ?? [1]
        guard !offset.isEmpty, !scale.isEmpty else { throw a.error("empty offset or scale") }
        @Sendable func check(_ x: Tensor) throws -> Int {
            let f = x.shape.last ?? 1
            guard offset.count == 1 || offset.count == f, scale.count == 1 || scale.count == f else {
                throw KernelFailure("Scaler has \(offset.count) offsets and \(scale.count) scales for \(f) features")
            }
            return f
        }
        return Kernel(forward: { inputs in
            let x = try rows(inputs)
            let f = try check(x)
            var out = x.data
            for i in out.indices {
                let j = i % Swift.max(f, 1)
                out[i] = (out[i] - offset[offset.count == 1 ? 0 : j]) * scale[scale.count == 1 ? 0 : j]
            }
            return [.floats(try Tensor(shape: x.shape, data: out))]
        }, backward: { inputs, _, gradients in
            guard let dy = gradients[0] else { return [nil] }
            let f = try check(try rows(inputs))
            var dx = dy.data
            for i in dx.indices { dx[i] *= scale[scale.count == 1 ? 0 : i % Swift.max(f, 1)] }
            return [try Tensor(shape: try floatInput(inputs, 0).shape, data: dx)]
        })
    }

    // MARK: Outputs

    static func zipMap(_ a: Attributes) throws(ONNXError) -> Kernel {
        let labels = try a.classLabels(ints: "classlabels_int64s", strings: "classlabels_strings")
        return Kernel(forward: { inputs in
            let p = try rows(inputs)
            guard p.shape[1] == labels.count else { throw KernelFailure("ZipMap has \(labels.count) labels for \(p.shape[1]) columns") }
            return [.maps(labels: labels, probabilities: p)]
        })
    }

    /// Picks entries of the last axis (onnxruntime's shapes: a 1-D input gives one row).
    static func arrayFeatureExtractor() -> Kernel {
        Kernel(forward: { inputs in
            guard let data = inputs[0] else { throw KernelFailure("input 0 is missing") }
            let indices = try intInput(inputs, 1).data
            guard !indices.isEmpty else { throw KernelFailure("no indices") }
            let shape = data.shape
            let last = shape.last ?? 1
            if let bad = indices.first(where: { $0 < 0 || $0 >= Int64(last) }) {
                throw KernelFailure("index \(bad) is out of range for a last axis of \(last)")
            }
            let outShape = shape.count <= 1 ? [1, indices.count] : Array(shape.dropLast()) + [indices.count]
            let outer = shape.count <= 1 ? 1 : shape.dropLast().reduce(1, *)
            func gather<T>(_ values: [T]) -> [T] {
                var out: [T] = []
                out.reserveCapacity(outer * indices.count)
                for row in 0..<outer { for i in indices { out.append(values[row * last + Int(i)]) } }
                return out
            }
            switch data {
            case .floats(let t): return [.floats(try Tensor(shape: outShape, data: gather(t.data)))]
            case .ints(let t): return [.ints(try IntTensor(shape: outShape, data: gather(t.data), elementType: t.elementType))]
            case .strings(let t): return [.strings(try StringTensor(shape: outShape, data: gather(t.data)))]
            case .maps: throw KernelFailure("ArrayFeatureExtractor of a sequence of maps")
            }
        })
    }
}
