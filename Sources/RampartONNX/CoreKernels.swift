import Foundation
import RampartML

/// The `ai.onnx` operators the runtime supports, compiled from a node's attributes at the opset the model imports.
enum CoreKernels {
    static func make(_ op: String, _ a: Attributes, opset: Int64) throws(ONNXError) -> Kernel {
        switch op {
        case "Gemm": return try gemm(a, opset: opset)
        case "MatMul": return matmul()
        case "Add": return binary(+) { dy, x, y, _ in (dy, dy) }
        case "Sub": return binary(-) { dy, x, y, _ in (dy, dy.map { -$0 }) }
        case "Mul": return binary(*) { dy, x, y, _ in (try dy * y, try dy * x) }
        case "Div": return binary(/) { dy, x, y, out in (try dy / y, try Tensor.zip(try dy * out, y) { -$0 / $1 }) }
        case "Relu": return .unary({ $0.relu() }, derivative: { x, _, dy in try Tensor.zip(dy, x) { $1 > 0 ? $0 : 0 } })
        case "Sigmoid": return .unary({ $0.sigmoid() }, derivative: { _, y, dy in try Tensor.zip(dy, y) { $0 * $1 * (1 - $1) } })
        case "Tanh": return .unary({ $0.tanh() }, derivative: { _, y, dy in try Tensor.zip(dy, y) { $0 * (1 - $1 * $1) } })
        case "Softmax", "LogSoftmax": return try softmax(a, opset: opset, log: op == "LogSoftmax")
        case "Flatten": return try flatten(a)
        case "Reshape": return try reshape(a, opset: opset)
        case "Transpose": return try transpose(a)
        case "Concat": return try concat(a)
        case "Cast": return try cast(a)
        case "Identity":
            return Kernel(forward: { inputs in
                guard let x = inputs[0] else { throw KernelFailure("input 0 is missing") }
                return [x]
            }, backward: { _, _, dy in [dy[0]] })
        case "Clip": return try clip(a, opset: opset)
        case "ArgMax": return try argmax(a)
        case "Constant": return try constant(a)
        case "Conv": return try conv(a)
        case "MaxPool", "AveragePool": return try pool(a, max: op == "MaxPool")
        case "BatchNormalization": return try batchNormalization(a)
        default: throw a.error("unsupported operator")
        }
    }

    // MARK: Linear algebra

    static func gemm(_ a: Attributes, opset: Int64) throws(ONNXError) -> Kernel {
        let alpha = try a.float("alpha", default: 1), beta = try a.float("beta", default: 1)
        let transA = try a.int("transA", default: 0) != 0, transB = try a.int("transB", default: 0) != 0
        return Kernel(forward: { inputs in
            [.floats(try Tensor.gemm(try floatInput(inputs, 0), try floatInput(inputs, 1), c: try optionalFloatInput(inputs, 2),
                                     alpha: alpha, beta: beta, transA: transA, transB: transB))]
        }, backward: { inputs, _, gradients in
            guard let dy = gradients[0] else { return [nil, nil, nil] }
            let x = try floatInput(inputs, 0), w = try floatInput(inputs, 1)
            let dx = transA ? try Tensor.gemm(w, dy, alpha: alpha, transA: transB, transB: true)
                : try Tensor.gemm(dy, w, alpha: alpha, transB: !transB)
            let dw = transB ? try Tensor.gemm(dy, x, alpha: alpha, transA: true, transB: transA)
                : try Tensor.gemm(x, dy, alpha: alpha, transA: !transA)
            let dc = try optionalFloatInput(inputs, 2).map { c in try dy.map { $0 * beta }.sum(to: c.shape) }
            return [dx, dw, dc]
        })
    }

    static func matmul() -> Kernel {
        Kernel(forward: { inputs in [.floats(try floatInput(inputs, 0).matmul(try floatInput(inputs, 1)))] },
               backward: { inputs, _, gradients in
                   guard let dy = gradients[0] else { return [nil, nil] }
                   let x = try floatInput(inputs, 0), w = try floatInput(inputs, 1)
                   let x2 = x.rank == 1 ? try x.reshaped([1, x.shape[0]]) : x
                   let w2 = w.rank == 1 ? try w.reshaped([w.shape[0], 1]) : w
                   var shape = dy.shape
                   if x.rank == 1 { shape.insert(1, at: Swift.max(shape.count - (w.rank == 1 ? 0 : 1), 0)) }
                   if w.rank == 1 { shape.append(1) }
                   let dy2 = try dy.reshaped(shape)
                   let dx = try dy2.matmul(try swapLastTwo(w2)).sum(to: x2.shape).reshaped(x.shape)
                   let dw = try swapLastTwo(x2).matmul(dy2).sum(to: w2.shape).reshaped(w.shape)
                   return [dx, dw]
               })
    }

    /// An element-wise operator with broadcasting; `derivative(dy, x, y, out)` gives both operands' gradients before
    /// they are summed back over the broadcast axes.
    static func binary(_ f: @escaping @Sendable (Float, Float) -> Float,
                       derivative: @escaping @Sendable (Tensor, Tensor, Tensor, Tensor) throws -> (Tensor, Tensor)) -> Kernel {
        Kernel(forward: { inputs in [.floats(try Tensor.zip(try floatInput(inputs, 0), try floatInput(inputs, 1), f))] },
               backward: { inputs, outputs, gradients in
                   guard let dy = gradients[0] else { return [nil, nil] }
                   let x = try floatInput(inputs, 0), y = try floatInput(inputs, 1), out = try floatOutput(outputs, 0)
                   let full = try Tensor.broadcastShape(x.shape, y.shape)
                   let (dx, dyy) = try derivative(dy, try x.broadcast(to: full), try y.broadcast(to: full), out)
                   return [try dx.sum(to: x.shape), try dyy.sum(to: y.shape)]
               })
    }

    // MARK: Activations

    /// Softmax / LogSoftmax: from opset 13 along one axis (default −1); before, over the input coerced to 2-D at `axis`
    /// (default 1).
    static func softmax(_ a: Attributes, opset: Int64, log: Bool) throws(ONNXError) -> Kernel {
        let modern = opset >= 13
        let axisAttribute = Int(try a.int("axis", default: modern ? -1 : 1))
        @Sendable func lanes(_ x: Tensor) throws -> (Tensor, Int) {
            guard !modern else { return (x, try Tensor.axis(axisAttribute, rank: x.rank)) }
            let axis = try Tensor.axis(axisAttribute, rank: x.rank)
            let outer = x.shape[..<axis].reduce(1, *)
            return (try x.reshaped([outer, x.count / Swift.max(outer, 1)]), 1)
        }
        return Kernel(forward: { inputs in
            let x = try floatInput(inputs, 0)
            let (view, axis) = try lanes(x)
            return [.floats(try (log ? view.logSoftmax(axis: axis) : view.softmax(axis: axis)).reshaped(x.shape))]
        }, backward: { inputs, outputs, gradients in
            guard let dy = gradients[0] else { return [nil] }
            let x = try floatInput(inputs, 0)
            let (y, axis) = try lanes(try floatOutput(outputs, 0))
            let (g, _) = try lanes(dy)
            let dx: Tensor
            if log {
                dx = try g - (try y.exp() * (try g.sum(axis: axis)))
            } else {
                dx = try y * (try g - (try (try g * y).sum(axis: axis)))
            }
            return [try dx.reshaped(x.shape)]
        })
    }

    static func clip(_ a: Attributes, opset: Int64) throws(ONNXError) -> Kernel {
        let low = opset < 11 ? try a.float("min", default: -.infinity) : -.infinity
        let high = opset < 11 ? try a.float("max", default: .infinity) : .infinity
        @Sendable func bounds(_ inputs: [ONNXValue?]) throws -> (Float, Float) {
            guard opset >= 11 else { return (low, high) }
            let lo = try optionalFloatInput(inputs, 1), hi = try optionalFloatInput(inputs, 2)
            for (name, t) in [("min", lo), ("max", hi)] where t != nil && t!.count != 1 { throw KernelFailure("Clip's \(name) must be a scalar") }
            return (lo?.data[0] ?? -.infinity, hi?.data[0] ?? .infinity)
        }
        return Kernel(forward: { inputs in
            let (lo, hi) = try bounds(inputs)
            return [.floats(try floatInput(inputs, 0).clip(min: lo, max: hi))]
        }, backward: { inputs, _, gradients in
            guard let dy = gradients[0] else { return [nil, nil, nil] }
            let (lo, hi) = try bounds(inputs)
            return [try Tensor.zip(dy, try floatInput(inputs, 0)) { $1 >= lo && $1 <= hi ? $0 : 0 }, nil, nil]
        })
    }

    // MARK: Shapes

    static func flatten(_ a: Attributes) throws(ONNXError) -> Kernel {
        let axisAttribute = Int(try a.int("axis", default: 1))
        return Kernel(forward: { inputs in
            guard let x = inputs[0] else { throw KernelFailure("input 0 is missing") }
            let shape = x.shape
            let axis = axisAttribute < 0 ? axisAttribute + shape.count : axisAttribute
            guard axis >= 0, axis <= shape.count else { throw KernelFailure("axis \(axisAttribute) is out of range for rank \(shape.count)") }
            return [try x.reshaped([shape[..<axis].reduce(1, *), shape[axis...].reduce(1, *)])]
        }, backward: reshapeBack)
    }

    static func reshape(_ a: Attributes, opset: Int64) throws(ONNXError) -> Kernel {
        let allowZero = try a.int("allowzero", default: 0) != 0
        let attributeShape = try a.ints("shape")
        return Kernel(forward: { inputs in
            guard let x = inputs[0] else { throw KernelFailure("input 0 is missing") }
            let requested = opset >= 5 ? try intInput(inputs, 1).data : (attributeShape ?? [])
            var shape: [Int] = []
            for (i, d) in requested.enumerated() {
                guard d >= -1, d <= Int64(Int32.max) else { throw KernelFailure("Reshape to \(requested): dimension \(d) is invalid") }
                if d == 0 && !allowZero {
                    guard i < x.shape.count else { throw KernelFailure("Reshape to \(requested): dimension \(i) is 0 but the input has rank \(x.shape.count)") }
                    shape.append(x.shape[i])
                } else {
                    shape.append(Int(d))
                }
            }
            if let inferred = shape.firstIndex(of: -1) {
                var known = 1
                for (i, d) in shape.enumerated() where i != inferred {
                    let (product, overflow) = known.multipliedReportingOverflow(by: d)
                    guard !overflow, product <= 1 << 31 else { throw KernelFailure("Reshape to \(requested): too many elements") }
                    known = product
                }
                let total = x.shape.reduce(1, *)
                guard known > 0, total % known == 0 else { throw KernelFailure("cannot reshape \(x.shape) to \(requested)") }
                guard shape.filter({ $0 == -1 }).count == 1 else { throw KernelFailure("Reshape to \(requested): more than one -1") }
                shape[inferred] = total / known
            }
            return [try x.reshaped(shape)]
        }, backward: reshapeBack)
    }

    /// The gradient of an operator that only changes the shape: the output's gradient under the input's shape.
    static let reshapeBack: Kernel.Backward = { inputs, _, gradients in
        guard let dy = gradients[0], let x = inputs[0] else { return [nil, nil] }
        return [try dy.reshaped(x.shape), nil]
    }

    static func transpose(_ a: Attributes) throws(ONNXError) -> Kernel {
        let perm = try a.ints("perm")?.map { Int($0) }
        return Kernel(forward: { inputs in [.floats(try floatInput(inputs, 0).transposed(perm))] },
                      backward: { inputs, _, gradients in
                          guard let dy = gradients[0] else { return [nil] }
                          let rank = try floatInput(inputs, 0).rank
                          let p = perm ?? Array((0..<rank).reversed())
                          var inverse = Array(repeating: 0, count: p.count)
                          for (i, axis) in p.enumerated() { inverse[axis] = i }
                          return [try dy.transposed(inverse)]
                      })
    }

    static func concat(_ a: Attributes) throws(ONNXError) -> Kernel {
        let axis = Int(try a.int("axis"))
        return Kernel(forward: { inputs in
            let values = inputs.compactMap { $0 }
            guard let first = values.first else { throw KernelFailure("Concat of no inputs") }
            switch first {
            case .floats:
                return [.floats(try Tensor.concat(try values.indices.map { try floatInput(values, $0) }, axis: axis))]
            case .ints(let t):
                let parts = try values.indices.map { i in try intInput(values, i) }
                let (shape, data) = try Tensor.concatenate(parts.map { ($0.shape, $0.data) }, axis: axis)
                return [.ints(try IntTensor(shape: shape, data: data, elementType: t.elementType))]
            default:
                throw KernelFailure("Concat of \(first.typeName) is not supported")
            }
        }, backward: { inputs, _, gradients in
            let present = inputs.compactMap { $0 }   // Concat's inputs are all required; the graph pads with absent ones
            guard let dy = gradients[0] else { return present.map { _ in nil } }
            let parts = try present.indices.map { try floatInput(present, $0) }
            let axis = try Tensor.axis(axis, rank: dy.rank)
            let outer = dy.shape[..<axis].reduce(1, *), rowLength = dy.shape[axis...].reduce(1, *)
            var offset = 0
            return try parts.map { part in
                let inner = part.shape[axis...].reduce(1, *)
                var data: [Float] = []
                data.reserveCapacity(part.count)
                for block in 0..<outer { data += dy.data[(block * rowLength + offset)..<(block * rowLength + offset + inner)] }
                offset += inner
                return try Tensor(shape: part.shape, data: data)
            }
        })
    }

    // MARK: Types and constants

    static func cast(_ a: Attributes) throws(ONNXError) -> Kernel {
        let code = Int32(truncatingIfNeeded: try a.int("to"))
        guard let target = ONNXElementType(rawValue: code), target != .string else {
            throw a.error("Cast to \(ONNXModel.elementName(code)) is not supported")
        }
        return Kernel(forward: { inputs in
            guard let x = inputs[0] else { throw KernelFailure("input 0 is missing") }
            switch x {
            case .floats(let t) where !target.isInteger:
                return [.floats(t)]
            case .floats(let t):
                // C++'s conversion, as onnxruntime does it: toward zero (bool: non-zero is true).
                let data = t.data.map { v -> Int64 in
                    if target == .bool { return v != 0 ? 1 : 0 }
                    guard v.isFinite, abs(v) < 9.2e18 else { return v > 0 ? Int64.max : Int64.min }
                    return Int64(v.rounded(.towardZero))
                }
                return [.ints(try IntTensor(shape: t.shape, data: data, elementType: target))]
            case .ints(let t) where !target.isInteger:
                return [.floats(try Tensor(shape: t.shape, data: t.data.map { Float($0) }))]
            case .ints(let t):
                return [.ints(try IntTensor(shape: t.shape, data: target == .bool ? t.data.map { $0 != 0 ? 1 : 0 } : t.data, elementType: target))]
            default:
                throw KernelFailure("Cast of \(x.typeName) to \(target.name) is not supported")
            }
        }, backward: { inputs, outputs, gradients in
            guard case .floats? = inputs[0], case .floats? = outputs.first else { return [nil] }
            return [gradients[0]]
        })
    }

    static func constant(_ a: Attributes) throws(ONNXError) -> Kernel {
        let value: ONNXValue
        do {
            if let tensor = try a.tensor("value") {
                value = tensor
            } else if a.has("value_float") {
                value = .floats(Tensor(scalar: try a.float("value_float")))
            } else if let floats = try a.ints("value_floats").map({ $0.map { Float($0) } }) ?? (a.has("value_floats") ? try a.floats("value_floats") : nil) {
                value = .floats(try Tensor(shape: [floats.count], data: floats))
            } else if a.has("value_int") {
                value = .ints(try IntTensor(shape: [], data: [try a.int("value_int")]))
            } else if let ints = try a.ints("value_ints") {
                value = .ints(try IntTensor(shape: [ints.count], data: ints))
            } else if a.has("value_string") {
                value = .strings(try StringTensor(shape: [], data: [try a.string("value_string")]))
            } else if let strings = try a.strings("value_strings") {
                value = .strings(try StringTensor(shape: [strings.count], data: strings))
            } else {
                throw a.error("Constant has no value attribute")
            }
        } catch let error as ONNXError {
            throw error
        } catch {
            throw a.error("\(error)")
        }
        return Kernel(forward: { _ in [value] })
    }

    static func argmax(_ a: Attributes) throws(ONNXError) -> Kernel {
        let axis = Int(try a.int("axis", default: 0)), keepDims = try a.int("keepdims", default: 1) != 0
        let last = try a.int("select_last_index", default: 0) != 0
        return Kernel(forward: { inputs in
            let t = try floatInput(inputs, 0).argmax(axis: axis, keepDims: keepDims, lastIndex: last)
            return [.ints(try IntTensor(shape: t.shape, data: t.data.map { Int64($0) }))]
        })
    }

    // MARK: Images

    /// The window of a Conv or pooling node for an input of `height × width`, `auto_pad` resolved.
    static func window(_ a: Attributes, kernel: [Int]?, ceil: Bool) throws(ONNXError) -> @Sendable (Int, Int, [Int]) throws -> Window2D {
        let kernelShape = try a.ints("kernel_shape")?.map { Int(clamping: $0) } ?? kernel
        let strides = try a.ints("strides")?.map { Int(clamping: $0) }
        let dilations = try a.ints("dilations")?.map { Int(clamping: $0) }
        let pads = try a.ints("pads")?.map { Int(clamping: $0) }
        let autoPad = try a.string("auto_pad", default: "NOTSET")
        guard ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"].contains(autoPad) else { throw a.error("unknown auto_pad `\(autoPad)`") }
        for list in [kernelShape, strides, dilations] where list != nil && list!.count != 2 {
            throw a.error("only 2-D windows are supported (got \(list!))")
        }
        if let pads, pads.count != 4 { throw a.error("only 2-D windows are supported (pads \(pads))") }
        return { height, width, weightKernel in
            var window = try Window2D(kernel: kernelShape ?? weightKernel, strides: strides ?? [1, 1], dilations: dilations ?? [1, 1],
                                      pads: pads ?? [0, 0, 0, 0], ceilMode: ceil)
            window.autoPad(autoPad, height: height, width: width)
            return window
        }
    }

    static func conv(_ a: Attributes) throws(ONNXError) -> Kernel {
        let group = Int(clamping: try a.int("group", default: 1))
        let window = try window(a, kernel: nil, ceil: false)
        @Sendable func geometry(_ x: Tensor, _ w: Tensor) throws -> Window2D {
            guard x.rank == 4, w.rank == 4 else { throw KernelFailure("Conv supports 2-D images only (input \(x.shape), weight \(w.shape))") }
            return try window(x.shape[2], x.shape[3], Array(w.shape[2...]))
        }
        return Kernel(forward: { inputs in
            let x = try floatInput(inputs, 0), w = try floatInput(inputs, 1)
            return [.floats(try Tensor.conv2d(x, weight: w, bias: try optionalFloatInput(inputs, 2), window: try geometry(x, w), group: group))]
        }, backward: { inputs, _, gradients in
            guard let dy = gradients[0] else { return [nil, nil, nil] }
            let x = try floatInput(inputs, 0), w = try floatInput(inputs, 1)
            return [try Tensor.conv2dInputGradient(dy, weight: w, inputShape: x.shape, window: try geometry(x, w), group: group), nil, nil]
        })
    }

    static func pool(_ a: Attributes, max: Bool) throws(ONNXError) -> Kernel {
        guard a.has("kernel_shape") else { throw a.error("lacks the required attribute `kernel_shape`") }
        let window = try window(a, kernel: nil, ceil: try a.int("ceil_mode", default: 0) != 0)
        let includePad = try a.int("count_include_pad", default: 0) != 0
        if max, try a.int("storage_order", default: 0) != 0 { throw a.error("storage_order 1 is not supported") }
        @Sendable func geometry(_ x: Tensor) throws -> Window2D {
            guard x.rank == 4 else { throw KernelFailure("pooling supports 2-D images only (input \(x.shape))") }
            return try window(x.shape[2], x.shape[3], [])
        }
        if max {
            return Kernel(forward: { inputs in
                let x = try floatInput(inputs, 0)
                return [.floats(try x.maxPool2d(window: try geometry(x)).output)]
            }, backward: { inputs, _, gradients in
                guard let dy = gradients[0] else { return [nil] }
                let x = try floatInput(inputs, 0)
                let indices = try x.maxPool2d(window: try geometry(x)).indices
                var dx = [Float](repeating: 0, count: x.count)
                for (i, source) in indices.enumerated() where source >= 0 { dx[source] += dy.data[i] }
                return [try Tensor(shape: x.shape, data: dx)]
            })
        }
        return Kernel(forward: { inputs in
            let x = try floatInput(inputs, 0)
            return [.floats(try x.averagePool2d(window: try geometry(x), countIncludePad: includePad))]
        }, backward: { inputs, _, gradients in
            guard let dy = gradients[0] else { return [nil] }
            let x = try floatInput(inputs, 0)
            return [try Tensor.averagePool2dInputGradient(dy, inputShape: x.shape, window: try geometry(x), countIncludePad: includePad)]
        })
    }

    /// Inference-mode batch normalization: per channel (axis 1), `scale · (x − mean) / √(var + ε) + B`.
    static func batchNormalization(_ a: Attributes) throws(ONNXError) -> Kernel {
        let epsilon = try a.float("epsilon", default: 1e-5)
        if try a.int("training_mode", default: 0) != 0 { throw a.error("training_mode is not supported (inference only)") }
        @Sendable func affine(_ inputs: [ONNXValue?]) throws -> (Tensor, [Float], [Float]) {
            let x = try floatInput(inputs, 0)
            let parameters = try (1...4).map { try floatInput(inputs, $0) }
            guard x.rank >= 2, parameters.allSatisfy({ $0.count == x.shape[1] }) else {
                throw KernelFailure("BatchNormalization: input \(x.shape) and per-channel parameters \(parameters.map(\.shape)) disagree")
            }
            let (scale, bias, mean, variance) = (parameters[0].data, parameters[1].data, parameters[2].data, parameters[3].data)
            let factor = (0..<x.shape[1]).map { scale[$0] / (variance[$0] + epsilon).squareRoot() }
            return (x, factor, (0..<x.shape[1]).map { bias[$0] - mean[$0] * factor[$0] })
        }
        @Sendable func perChannel(_ x: Tensor, _ f: (Int, Float) -> Float) throws -> Tensor {
            let channels = x.shape[1], inner = x.shape[2...].reduce(1, *)
            var out = x.data
            for i in out.indices { out[i] = f((i / inner) % channels, out[i]) }
            return try Tensor(shape: x.shape, data: out)
        }
        return Kernel(forward: { inputs in
            let (x, factor, shift) = try affine(inputs)
            return [.floats(try perChannel(x) { c, v in v * factor[c] + shift[c] })]
        }, backward: { inputs, _, gradients in
            guard let dy = gradients[0] else { return [nil, nil, nil, nil, nil] }
            let (_, factor, _) = try affine(inputs)
            return [try perChannel(dy) { c, v in v * factor[c] }, nil, nil, nil, nil]
        })
    }
}
