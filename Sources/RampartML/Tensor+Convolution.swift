import COpenBLAS

extension Tensor {
    private func nchw(_ operation: String) throws(TensorError) -> (n: Int, c: Int, h: Int, w: Int) {
        guard rank == 4 else { throw .invalidShape("\(operation) needs an N×C×H×W input, got \(shape)") }
        return (shape[0], shape[1], shape[2], shape[3])
    }

    /// 2-D convolution (ONNX Conv): `x` is `N×C×H×W`, `weight` is `M×(C/group)×kH×kW`, `bias` has `M` values. Each
    /// group is one `cblas_sgemm` over the unfolded input (im2col).
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, window: Window2D, group: Int = 1) throws(TensorError) -> Tensor {
        let (n, c, h, w) = try x.nchw("conv")
        guard weight.rank == 4 else { throw .invalidShape("conv weight must be M×C×kH×kW, got \(weight.shape)") }
        let (m, cg, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        guard group >= 1, c % group == 0, m % group == 0, cg == c / group else {
            throw .incompatibleShapes("conv: input \(x.shape) and weight \(weight.shape) do not agree for group \(group)")
        }
        guard [kh, kw] == window.kernel else { throw .incompatibleShapes("conv: kernel_shape \(window.kernel) but weight \(weight.shape)") }
        if let bias { guard bias.count == m else { throw .incompatibleShapes("conv: bias of \(bias.count) values for \(m) output channels") } }
        let outSize = try window.outputSize(height: h, width: w)
        let (oh, ow) = (outSize[0], outSize[1])
        let rows = cg * kh * kw, columns = oh * ow, mg = m / group
        var out = [Float](repeating: 0, count: try Tensor.count(of: [n, m, oh, ow]))
        var cols = [Float](repeating: 0, count: try Tensor.count(of: [rows, columns]))
        guard columns > 0, rows > 0 else { return try Tensor(shape: [n, m, oh, ow], data: out) }
        for image in 0..<n {
            for g in 0..<group {
                x.im2col(offset: (image * c + g * cg) * h * w, channels: cg, height: h, width: w, window: window, outHeight: oh, outWidth: ow, into: &cols)
                weight.data.withUnsafeBufferPointer { pw in
                    cols.withUnsafeBufferPointer { pc in
                        out.withUnsafeMutableBufferPointer { po in
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(mg), Int32(columns), Int32(rows), 1,
                                        pw.baseAddress! + g * mg * rows, Int32(rows), pc.baseAddress, Int32(columns), 0,
                                        po.baseAddress! + (image * m + g * mg) * columns, Int32(columns))
                        }
                    }
                }
            }
        }
        if let bias {
            for image in 0..<n {
                for channel in 0..<m {
                    let base = (image * m + channel) * columns, value = bias.data[channel]
                    for p in 0..<columns { out[base + p] += value }
                }
            }
        }
        return try Tensor(shape: [n, m, oh, ow], data: out)
    }

    /// The gradient of `conv2d` with respect to its input `x` (shape `inputShape`), given the output's gradient.
    public static func conv2dInputGradient(_ outputGradient: Tensor, weight: Tensor, inputShape: [Int], window: Window2D, group: Int = 1) throws(TensorError) -> Tensor {
        guard inputShape.count == 4, weight.rank == 4, outputGradient.rank == 4 else {
            throw .invalidShape("conv gradient needs 4-D shapes, got \(inputShape), \(weight.shape), \(outputGradient.shape)")
        }
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (m, cg, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        let (oh, ow) = (outputGradient.shape[2], outputGradient.shape[3])
        let rows = cg * kh * kw, columns = oh * ow, mg = m / group
        var gradient = [Float](repeating: 0, count: try Tensor.count(of: inputShape))
        var cols = [Float](repeating: 0, count: rows * columns)
        guard columns > 0, rows > 0, mg > 0 else { return try Tensor(shape: inputShape, data: gradient) }
        for image in 0..<n {
            for g in 0..<group {
                weight.data.withUnsafeBufferPointer { pw in
                    outputGradient.data.withUnsafeBufferPointer { pg in
                        cols.withUnsafeMutableBufferPointer { pc in
                            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(rows), Int32(columns), Int32(mg), 1,
                                        pw.baseAddress! + g * mg * rows, Int32(rows), pg.baseAddress! + (image * m + g * mg) * columns, Int32(columns), 0,
                                        pc.baseAddress, Int32(columns))
                        }
                    }
                }
                let offset = (image * c + g * cg) * h * w
                Tensor.forEachPatch(channels: cg, height: h, width: w, window: window, outHeight: oh, outWidth: ow) { row, column, source in
                    gradient[offset + source] += cols[row * columns + column]
                }
            }
        }
        return try Tensor(shape: inputShape, data: gradient)
    }

    private func im2col(offset: Int, channels: Int, height: Int, width: Int, window: Window2D, outHeight: Int, outWidth: Int, into cols: inout [Float]) {
        let columns = outHeight * outWidth
        for i in 0..<(channels * window.kernel[0] * window.kernel[1] * columns) { cols[i] = 0 }
        Tensor.forEachPatch(channels: channels, height: height, width: width, window: window, outHeight: outHeight, outWidth: outWidth) { row, column, source in
            cols[row * columns + column] = data[offset + source]
        }
    }

    /// Calls `body(row, column, source)` for every unfolded position that falls inside the input: `row` indexes
    /// (channel, kernel y, kernel x), `column` the output pixel and `source` the input element within the image.
    private static func forEachPatch(channels: Int, height: Int, width: Int, window: Window2D, outHeight: Int, outWidth: Int,
                                     _ body: (Int, Int, Int) -> Void) {
        let (kh, kw) = (window.kernel[0], window.kernel[1])
        for channel in 0..<channels {
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let row = (channel * kh + ky) * kw + kx
                    for oy in 0..<outHeight {
                        let iy = oy * window.strides[0] - window.pads[0] + ky * window.dilations[0]
                        guard iy >= 0, iy < height else { continue }
                        for ox in 0..<outWidth {
                            let ix = ox * window.strides[1] - window.pads[1] + kx * window.dilations[1]
                            guard ix >= 0, ix < width else { continue }
                            body(row, oy * outWidth + ox, (channel * height + iy) * width + ix)
                        }
                    }
                }
            }
        }
    }

    /// ONNX MaxPool over each channel: the output, and for each output element the flat index of the input element it
    /// took (the first of equal maxima) — what the gradient routes back to.
    public func maxPool2d(window: Window2D) throws(TensorError) -> (output: Tensor, indices: [Int]) {
        let (n, c, h, w) = try nchw("max pool")
        let size = try window.outputSize(height: h, width: w)
        var out: [Float] = [], indices: [Int] = []
        let total = try Tensor.count(of: [n, c, size[0], size[1]])
        out.reserveCapacity(total)
        indices.reserveCapacity(total)
        for plane in 0..<(n * c) {
            Tensor.forEachWindow(window, height: h, width: w, outSize: size, countPadding: false) { positions, _ in
                var best = -Float.infinity, index = -1
                for (y, x) in positions {
                    let source = (plane * h + y) * w + x
                    if index < 0 || data[source] > best {
                        best = data[source]
                        index = source
                    }
                }
                out.append(index < 0 ? -.greatestFiniteMagnitude : best)
                indices.append(index)
            }
        }
        return (try Tensor(shape: [n, c, size[0], size[1]], data: out), indices)
    }

    /// ONNX AveragePool over each channel. With `countIncludePad`, padding counts in the divisor (up to the end padding,
    /// not beyond it in `ceilMode`); without, only input elements do.
    public func averagePool2d(window: Window2D, countIncludePad: Bool) throws(TensorError) -> Tensor {
        let (n, c, h, w) = try nchw("average pool")
        let size = try window.outputSize(height: h, width: w)
        var out: [Float] = []
        out.reserveCapacity(try Tensor.count(of: [n, c, size[0], size[1]]))
        for plane in 0..<(n * c) {
            Tensor.forEachWindow(window, height: h, width: w, outSize: size, countPadding: countIncludePad) { positions, divisor in
                var sum: Float = 0
                for (y, x) in positions { sum += data[(plane * h + y) * w + x] }
                out.append(divisor > 0 ? sum / Float(divisor) : 0)
            }
        }
        return try Tensor(shape: [n, c, size[0], size[1]], data: out)
    }

    /// The gradient of `averagePool2d` with respect to its input (shape `inputShape`).
    public static func averagePool2dInputGradient(_ outputGradient: Tensor, inputShape: [Int], window: Window2D, countIncludePad: Bool) throws(TensorError) -> Tensor {
        guard inputShape.count == 4 else { throw .invalidShape("average pool gradient needs an N×C×H×W shape, got \(inputShape)") }
        let (h, w) = (inputShape[2], inputShape[3])
        let size = try window.outputSize(height: h, width: w)
        var gradient = [Float](repeating: 0, count: try Tensor.count(of: inputShape))
        var index = 0
        for plane in 0..<(inputShape[0] * inputShape[1]) {
            forEachWindow(window, height: h, width: w, outSize: size, countPadding: countIncludePad) { positions, divisor in
                let share = divisor > 0 ? outputGradient.data[index] / Float(divisor) : 0
                for (y, x) in positions { gradient[(plane * h + y) * w + x] += share }
                index += 1
            }
        }
        return try Tensor(shape: inputShape, data: gradient)
    }

    /// Calls `body(positions, divisor)` for every output pixel of one plane, in row-major order: the input positions the
    /// window covers, and the average's divisor (the positions, or the window clipped to the padded input).
    private static func forEachWindow(_ window: Window2D, height: Int, width: Int, outSize: [Int], countPadding: Bool,
                                      _ body: ([(Int, Int)], Int) -> Void) {
        var positions: [(Int, Int)] = []
        for oy in 0..<outSize[0] {
            let y0 = oy * window.strides[0] - window.pads[0]
            for ox in 0..<outSize[1] {
                let x0 = ox * window.strides[1] - window.pads[1]
                positions.removeAll(keepingCapacity: true)
                var rowsInPad = 0, columnsInPad = 0
                for ky in 0..<window.kernel[0] {
                    let y = y0 + ky * window.dilations[0]
                    if y < height + window.pads[2] { rowsInPad += 1 }
                    guard y >= 0, y < height else { continue }
                    for kx in 0..<window.kernel[1] {
                        let x = x0 + kx * window.dilations[1]
                        guard x >= 0, x < width else { continue }
                        positions.append((y, x))
                    }
                }
                for kx in 0..<window.kernel[1] where x0 + kx * window.dilations[1] < width + window.pads[3] { columnsInPad += 1 }
                body(positions, countPadding ? rowsInPad * columnsInPad : positions.count)
            }
        }
    }
}
