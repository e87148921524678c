import Foundation

/// The Shapiro–Wilk W statistic of normality (Royston 1992's approximation of the coefficients, as in AS R94 and
/// scipy.stats.shapiro): near 1 for normal samples, smaller the less normal they are. PRADA (Juuti et al. 2019) tests
/// a client's minimum query distances with it.
public enum ShapiroWilk {
    /// The coefficients aᵢ for `n` sorted values (3 ≤ n ≤ 5000).
    public static func coefficients(_ n: Int) -> [Double] {
        precondition(n >= 3)
        if n == 3 { return [-0.5.squareRoot(), 0, 0.5.squareRoot()] }
        let m = (1...n).map { Normal.quantile((Double($0) - 0.375) / (Double(n) + 0.25)) }
        let summ2 = m.reduce(0) { $0 + $1 * $1 }
        let norm = summ2.squareRoot()
        let u = 1 / Double(n).squareRoot()
        func poly(_ c: [Double]) -> Double { c.reversed().reduce(0) { $0 * u + $1 } }
        let an = m[n - 1] / norm + poly([0, 0.221157, -0.147981, -2.071190, 4.434685, -2.706056])
        var a = [Double](repeating: 0, count: n)
        if n > 5 {
            let an1 = m[n - 2] / norm + poly([0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633])
            let phi = (summ2 - 2 * m[n - 1] * m[n - 1] - 2 * m[n - 2] * m[n - 2]) / (1 - 2 * an * an - 2 * an1 * an1)
            for i in 2..<(n - 2) { a[i] = m[i] / phi.squareRoot() }
            (a[n - 1], a[n - 2], a[0], a[1]) = (an, an1, -an, -an1)
        } else {
            let phi = (summ2 - 2 * m[n - 1] * m[n - 1]) / (1 - 2 * an * an)
            for i in 1..<(n - 1) { a[i] = m[i] / phi.squareRoot() }
            (a[n - 1], a[0]) = (an, -an)
        }
        return a
    }

    /// W for `sorted` values (ascending) with `coefficients(sorted.count)`; 1 when all values are equal.
    public static func w(sorted: [Double], coefficients a: [Double]) -> Double {
        let n = sorted.count
        let mean = sorted.reduce(0, +) / Double(n)
        var ss = 0.0, num = 0.0
        for i in 0..<n {
            ss += (sorted[i] - mean) * (sorted[i] - mean)
            num += a[i] * sorted[i]
        }
        guard ss > 0 else { return 1 }
        return Swift.min(1, num * num / ss)
    }

    public static func w(_ values: [Double]) -> Double {
        guard values.count >= 3 else { return 1 }
        return w(sorted: values.sorted(), coefficients: coefficients(values.count))
    }
}
