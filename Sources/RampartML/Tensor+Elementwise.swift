import Foundation

extension Tensor {
    /// The shape two shapes broadcast to (NumPy / ONNX multidirectional broadcasting).
    public static func broadcastShape(_ a: [Int], _ b: [Int]) throws(TensorError) -> [Int] {
        let rank = Swift.max(a.count, b.count)
        var out = Array(repeating: 0, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else { throw .incompatibleShapes("shapes \(a) and \(b) do not broadcast (axis \(i): \(x) vs \(y))") }
            out[i] = x == 1 ? y : x
        }
        return out
    }

    /// This tensor's values repeated to `target` (which it must broadcast to).
    public func broadcast(to target: [Int]) throws(TensorError) -> Tensor {
        if shape == target { return self }
        guard try Tensor.broadcastShape(shape, target) == target else { throw .incompatibleShapes("\(shape) does not broadcast to \(target)") }
        let total = try Tensor.count(of: target)
        let padded = Array(repeating: 1, count: target.count - rank) + shape
        let sourceStrides = Tensor.strides(of: padded).enumerated().map { padded[$0.offset] == 1 ? 0 : $0.element }
        let targetStrides = Tensor.strides(of: target)
        var out = [Float](repeating: 0, count: total)
        for index in 0..<total {
            var rest = index, source = 0
            for axis in 0..<target.count {
                let coordinate = rest / targetStrides[axis]
                rest -= coordinate * targetStrides[axis]
                source += coordinate * sourceStrides[axis]
            }
            out[index] = data[source]
        }
        return try Tensor(shape: target, data: out)
    }

    /// `f(a, b)` element by element, broadcasting both.
    public static func zip(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) throws(TensorError) -> Tensor {
        if a.shape == b.shape {
            var out = a.data
            for i in out.indices { out[i] = f(out[i], b.data[i]) }
            return try Tensor(shape: a.shape, data: out)
        }
        let shape = try broadcastShape(a.shape, b.shape)
        let x = try a.broadcast(to: shape), y = try b.broadcast(to: shape)
        var out = x.data
        for i in out.indices { out[i] = f(out[i], y.data[i]) }
        return try Tensor(shape: shape, data: out)
    }

    public static func + (a: Tensor, b: Tensor) throws(TensorError) -> Tensor { try zip(a, b, +) }
    public static func - (a: Tensor, b: Tensor) throws(TensorError) -> Tensor { try zip(a, b, -) }
    public static func * (a: Tensor, b: Tensor) throws(TensorError) -> Tensor { try zip(a, b, *) }
    public static func / (a: Tensor, b: Tensor) throws(TensorError) -> Tensor { try zip(a, b, /) }

    /// `f` applied to every element.
    public func map(_ f: (Float) -> Float) -> Tensor {
        var out = self
        for i in out.data.indices { out.data[i] = f(out.data[i]) }
        return out
    }

    public func relu() -> Tensor { map { Swift.max(0, $0) } }
    public func sigmoid() -> Tensor { map { $0 >= 0 ? 1 / (1 + Foundation.exp(-$0)) : Foundation.exp($0) / (1 + Foundation.exp($0)) } }
    public func tanh() -> Tensor { map { Foundation.tanh($0) } }
    public func exp() -> Tensor { map { Foundation.exp($0) } }
    public func clip(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor { map { Swift.min(Swift.max($0, low), high) } }

    /// Runs `body` over every 1-D slice along `axis`: (offset of the slice's first element, stride between its elements,
    /// length).
    func forEachLane(axis: Int, _ body: (_ start: Int, _ stride: Int, _ length: Int) -> Void) {
        let length = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        let outer = shape[..<axis].reduce(1, *)
        for o in 0..<outer {
            for i in 0..<inner { body(o * length * inner + i, inner, length) }
        }
    }

    /// The largest value of one lane (the shift that keeps softmax's exponentials finite).
    private func laneMax(_ start: Int, _ stride: Int, _ length: Int) -> Float {
        var high = -Float.infinity
        for j in 0..<length { high = Swift.max(high, data[start + j * stride]) }
        return high
    }

    /// Softmax along `axis` (ONNX opset 13 semantics), computed stably (the lane's maximum subtracted first).
    public func softmax(axis: Int = -1) throws(TensorError) -> Tensor {
        let axis = try Tensor.axis(axis, rank: rank)
        guard rank > 0 else { return Tensor(scalar: 1) }
        var out = self
        forEachLane(axis: axis) { start, stride, length in
            guard length > 0 else { return }
            let high = laneMax(start, stride, length)
            var sum: Float = 0
            for j in 0..<length {
                let e = Foundation.exp(data[start + j * stride] - high)
                out.data[start + j * stride] = e
                sum += e
            }
            for j in 0..<length { out.data[start + j * stride] /= sum }
        }
        return out
    }

    /// Log-softmax along `axis`, computed as `x - max - log Σ exp(x - max)`.
    public func logSoftmax(axis: Int = -1) throws(TensorError) -> Tensor {
        let axis = try Tensor.axis(axis, rank: rank)
        guard rank > 0 else { return Tensor(scalar: 0) }
        var out = self
        forEachLane(axis: axis) { start, stride, length in
            guard length > 0 else { return }
            let high = laneMax(start, stride, length)
            var sum: Float = 0
            for j in 0..<length { sum += Foundation.exp(data[start + j * stride] - high) }
            let shift = high + Foundation.log(sum)
            for j in 0..<length { out.data[start + j * stride] = data[start + j * stride] - shift }
        }
        return out
    }

    /// `combine` folded along `axis` from `initial`; the axis is kept with size 1 when `keepDims`.
    public func reduce(axis: Int, keepDims: Bool = true, initial: Float, _ combine: (Float, Float) -> Float) throws(TensorError) -> Tensor {
        let axis = try Tensor.axis(axis, rank: rank)
        var outShape = shape
        outShape[axis] = 1
        var out: [Float] = []
        out.reserveCapacity(try Tensor.count(of: outShape))
        forEachLane(axis: axis) { start, stride, length in
            var value = initial
            for j in 0..<length { value = combine(value, data[start + j * stride]) }
            out.append(value)
        }
        if !keepDims { outShape.remove(at: axis) }
        return try Tensor(shape: outShape, data: out)
    }

    public func sum(axis: Int, keepDims: Bool = true) throws(TensorError) -> Tensor { try reduce(axis: axis, keepDims: keepDims, initial: 0, +) }
    public func max(axis: Int, keepDims: Bool = true) throws(TensorError) -> Tensor {
        try reduce(axis: axis, keepDims: keepDims, initial: -.infinity) { Swift.max($0, $1) }
    }

    /// Index of the largest value along `axis` — on ties the first one, or the last with `lastIndex` (ONNX ArgMax's
    /// `select_last_index`).
    public func argmax(axis: Int, keepDims: Bool = true, lastIndex: Bool = false) throws(TensorError) -> Tensor {
        guard rank >= 1 else { throw .invalidShape("argmax of a scalar") }
        let axis = try Tensor.axis(axis, rank: rank)
        guard shape[axis] > 0 else { throw .invalidShape("argmax over an empty axis \(axis) of \(shape)") }
        var outShape = shape
        outShape[axis] = 1
        var out: [Float] = []
        forEachLane(axis: axis) { start, stride, length in
            var best = 0
            for j in 1..<Swift.max(length, 1) {
                let value = data[start + j * stride], current = data[start + best * stride]
                if value > current || (lastIndex && value == current) { best = j }
            }
            out.append(Float(best))
        }
        if !keepDims { outShape.remove(at: axis) }
        return try Tensor(shape: outShape, data: out)
    }

    /// The sum of this tensor over the axes it was broadcast along, back to `target` — the gradient of a broadcast.
    public func sum(to target: [Int]) throws(TensorError) -> Tensor {
        if shape == target { return self }
        guard try Tensor.broadcastShape(target, shape) == shape else { throw .incompatibleShapes("\(shape) is not a broadcast of \(target)") }
        let padded = Array(repeating: 1, count: rank - target.count) + target
        var out = [Float](repeating: 0, count: try Tensor.count(of: target))
        let targetStrides = Tensor.strides(of: padded).enumerated().map { padded[$0.offset] == 1 ? 0 : $0.element }
        let strides = Tensor.strides(of: shape)
        for index in 0..<count {
            var rest = index, destination = 0
            for axis in 0..<rank {
                let coordinate = rest / strides[axis]
                rest -= coordinate * strides[axis]
                destination += coordinate * targetStrides[axis]
            }
            out[destination] += data[index]
        }
        return try Tensor(shape: target, data: out)
    }

    /// Tensors joined along `axis` (ONNX Concat): all other dimensions must agree.
    public static func concat(_ parts: [Tensor], axis: Int) throws(TensorError) -> Tensor {
        let (shape, data) = try concatenate(parts.map { ($0.shape, $0.data) }, axis: axis)
        return try Tensor(shape: shape, data: data)
    }

    /// Row-major arrays of any element type joined along `axis`: the shape and values of the result.
    public static func concatenate<Element>(_ parts: [(shape: [Int], data: [Element])], axis: Int) throws(TensorError) -> ([Int], [Element]) {
        guard let first = parts.first else { throw .invalidShape("concat of no tensors") }
        guard !first.shape.isEmpty else { throw .invalidShape("concat of scalars") }
        let axis = try Tensor.axis(axis, rank: first.shape.count)
        var shape = first.shape
        shape[axis] = 0
        var expected = first.shape
        expected[axis] = 0
        for part in parts {
            var other = part.shape
            guard other.count == first.shape.count else { throw .incompatibleShapes("concat: ranks differ, \(first.shape) and \(part.shape)") }
            shape[axis] += other[axis]
            other[axis] = 0
            guard other == expected else { throw .incompatibleShapes("concat on axis \(axis): \(first.shape) and \(part.shape) differ elsewhere") }
        }
        let outer = first.shape[..<axis].reduce(1, *)
        var out: [Element] = []
        out.reserveCapacity(try Tensor.count(of: shape))
        for block in 0..<outer {
            for part in parts {
                let inner = part.shape[axis...].reduce(1, *)
                out += part.data[(block * inner)..<((block + 1) * inner)]
            }
        }
        return (shape, out)
    }

    /// The axes reordered by `permutation` (ONNX Transpose; default: reversed).
    public func transposed(_ permutation: [Int]? = nil) throws(TensorError) -> Tensor {
        let perm = permutation ?? Array((0..<rank).reversed())
        guard perm.count == rank, Set(perm) == Set(0..<rank) else { throw .invalidAxis("transpose: \(perm) is not a permutation of 0..<\(rank)") }
        let outShape = perm.map { shape[$0] }
        let sourceStrides = Tensor.strides(of: shape)
        let outStrides = Tensor.strides(of: outShape)
        var out = [Float](repeating: 0, count: count)
        for index in 0..<count {
            var rest = index, source = 0
            for axis in 0..<rank {
                let coordinate = rest / outStrides[axis]
                rest -= coordinate * outStrides[axis]
                source += coordinate * sourceStrides[perm[axis]]
            }
            out[index] = data[source]
        }
        return try Tensor(shape: outShape, data: out)
    }
}
