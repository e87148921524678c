import COpenBLAS

/// Where a 2-D window (a convolution kernel or a pooling window) falls on an `N×C×H×W` tensor, as ONNX Conv, MaxPool
/// and AveragePool describe it. Every array has one entry per spatial axis (height, width); `pads` is
/// `[top, left, bottom, right]`.
public struct Window2D: Sendable, Equatable {
    public var kernel: [Int]
    public var strides: [Int]
    public var dilations: [Int]
    public var pads: [Int]
    /// Pooling only: the output size rounds up, and a window that would start in the bottom or right padding is dropped.
    public var ceilMode: Bool

    public init(kernel: [Int], strides: [Int] = [1, 1], dilations: [Int] = [1, 1], pads: [Int] = [0, 0, 0, 0], ceilMode: Bool = false) throws(TensorError) {
        guard kernel.count == 2, strides.count == 2, dilations.count == 2, pads.count == 4 else {
            throw .invalidShape("a 2-D window needs 2 kernel sizes, 2 strides, 2 dilations and 4 pads; got \(kernel), \(strides), \(dilations), \(pads)")
        }
        guard kernel.allSatisfy({ $0 >= 1 }), strides.allSatisfy({ $0 >= 1 }), dilations.allSatisfy({ $0 >= 1 }), pads.allSatisfy({ $0 >= 0 }),
              kernel.allSatisfy({ $0 <= 1 << 16 }), strides.allSatisfy({ $0 <= 1 << 16 }), dilations.allSatisfy({ $0 <= 1 << 16 }),
              pads.allSatisfy({ $0 <= 1 << 16 })
        else { throw .invalidShape("window: kernel \(kernel), strides \(strides) and dilations \(dilations) must be ≥ 1 and pads \(pads) ≥ 0") }
        self.kernel = kernel
        self.strides = strides
        self.dilations = dilations
        self.pads = pads
        self.ceilMode = ceilMode
    }

    /// ONNX `auto_pad`: `SAME_UPPER` / `SAME_LOWER` pad so that the output is `ceil(input / stride)`, the odd pixel at the
    /// end or at the start; `VALID` pads nothing. Anything else keeps the explicit pads.
    public mutating func autoPad(_ mode: String, height: Int, width: Int) {
        guard mode == "SAME_UPPER" || mode == "SAME_LOWER" || mode == "VALID" else { return }
        guard mode != "VALID" else {
            pads = [0, 0, 0, 0]
            return
        }
        for (axis, size) in [height, width].enumerated() {
            let out = (size + strides[axis] - 1) / strides[axis]
            let total = Swift.max(0, (out - 1) * strides[axis] + dilations[axis] * (kernel[axis] - 1) + 1 - size)
            let begin = mode == "SAME_UPPER" ? total / 2 : total - total / 2
            pads[axis] = begin
            pads[axis + 2] = total - begin
        }
    }

    /// Output height and width for an input of `height × width`; refuses windows whose work (output pixels × kernel
    /// area, per plane) would run for minutes — a hostile model's 65536×65536 pooling window.
    public func outputSize(height: Int, width: Int) throws(TensorError) -> [Int] {
        var out = [0, 0]
        for (axis, size) in [height, width].enumerated() {
            let span = dilations[axis] * (kernel[axis] - 1) + 1
            let room = size + pads[axis] + pads[axis + 2] - span
            guard room >= 0 else { throw .invalidShape("a window of \(kernel) (dilations \(dilations), pads \(pads)) does not fit an input of \(height)×\(width)") }
            var n = (ceilMode ? (room + strides[axis] - 1) / strides[axis] : room / strides[axis]) + 1
            if ceilMode, (n - 1) * strides[axis] >= size + pads[axis] { n -= 1 }
            out[axis] = n
        }
        let (work, overflow) = (out[0] * out[1]).multipliedReportingOverflow(by: kernel[0] * kernel[1])
        guard !overflow, work <= 1 << 30 else { throw .invalidShape("a window of \(kernel) over an output of \(out[0])×\(out[1]) is too much work") }
        return out
    }
}
