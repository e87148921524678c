import COpenBLAS
import Foundation

/// Adam (Kingma & Ba 2015) over a list of flat parameter arrays.
struct Adam {
    var rate: Float
    var beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
    var m: [[Float]], v: [[Float]]
    var t = 0

    init(shapes: [Int], rate: Float) {
        self.rate = rate
        m = shapes.map { [Float](repeating: 0, count: $0) }
        v = m
    }

    mutating func step(_ parameters: inout [[Float]], _ gradients: [[Float]]) {
        t += 1
        let correction = rate * (1 - Foundation.pow(beta2, Float(t))).squareRoot() / (1 - Foundation.pow(beta1, Float(t)))
        let (beta1, beta2, epsilon) = (beta1, beta2, epsilon)
        for p in parameters.indices {
            // Through raw buffers: nested-array subscripts in this loop cost more than the arithmetic.
            gradients[p].withUnsafeBufferPointer { g in
                m[p].withUnsafeMutableBufferPointer { m in
                    v[p].withUnsafeMutableBufferPointer { v in
                        parameters[p].withUnsafeMutableBufferPointer { x in
                            for i in 0..<x.count {
                                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                                x[i] -= correction * m[i] / (v[i].squareRoot() + epsilon)
                            }
                        }
                    }
                }
            }
        }
    }
}
