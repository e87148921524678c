import Foundation
import RampartML

extension TargetAnswer {
    /// The answer for a contiguous range of its rows.
    func rows(_ range: Range<Int>) -> TargetAnswer {
        var slice: Tensor?
        if let p = probabilities, p.rank == 2 {
            let c = p.shape[1]
            slice = try? Tensor(shape: [range.count, c], data: Array(p.data[(range.lowerBound * c)..<(range.upperBound * c)]))
        }
        return TargetAnswer(labels: Array(labels[range]), probabilities: slice, kind: kind)
    }
}
