import Foundation

/// A line chart in SVG: one polyline per target, linear axes (log-scaled x for ROC curves, where the low false-positive
/// rates matter).
struct Chart {
    var title: String
    var series: [(String, ProbeReport.Curve)]

    static let colors = ["#1a73e8", "#d93025", "#188038", "#f29900", "#9334e6", "#12b5cb"]

    func svg() -> String {
        let width = 480.0, height = 300.0, left = 56.0, right = 12.0, top = 28.0, bottom = 44.0
        let logX = title.lowercased().contains("roc")
        let points = series.flatMap { $0.1.points }.filter { $0.count == 2 && $0[0].isFinite && $0[1].isFinite }
        guard !points.isEmpty, let curve = series.first?.1 else { return "" }
        func tx(_ x: Double) -> Double { logX ? Foundation.log10(Swift.max(x, 1e-4)) : x }
        var xs = points.map { tx($0[0]) }, ys = points.map { $0[1] }
        if logX { xs += [-4, 0]; ys += [0, 1] }
        let (x0, x1) = (xs.min()!, xs.max()! > xs.min()! ? xs.max()! : xs.min()! + 1)
        let (y0, y1) = (Swift.min(0, ys.min()!), ys.max()! > Swift.min(0, ys.min()!) ? ys.max()! : 1)
        func px(_ x: Double) -> Double { left + (tx(x) - x0) / (x1 - x0) * (width - left - right) }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom) }
        var out = #"<figure><svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" viewBox="0 0 \#(Int(width)) \#(Int(height))" font-size="11">"#
        out += #"<rect x="\#(left)" y="\#(top)" width="\#(width - left - right)" height="\#(height - top - bottom)" fill="none" stroke="silver"/>"#
        for k in 0...4 {
            let y = y0 + (y1 - y0) * Double(k) / 4
            out += #"<text x="\#(left - 4)" y="\#(py(y) + 4)" text-anchor="end">\#(format(y))</text>"#
            let xt = x0 + (x1 - x0) * Double(k) / 4
            let label = logX ? format(Foundation.pow(10, xt)) : format(xt)
            out += #"<text x="\#(left + (xt - x0) / (x1 - x0) * (width - left - right))" y="\#(height - bottom + 14)" text-anchor="middle">\#(label)</text>"#
        }
        out += #"<text x="\#(width / 2)" y="\#(height - 8)" text-anchor="middle">\#(escape(curve.x))\#(logX ? " (log)" : "")</text>"#
        out += #"<text x="12" y="\#(top + (height - top - bottom) / 2)" transform="rotate(-90 12 \#(top + (height - top - bottom) / 2))" text-anchor="middle">\#(escape(curve.y))</text>"#
        for (i, (target, curve)) in series.enumerated() {
            let color = Self.colors[i % Self.colors.count]
            let path = curve.points.filter { $0.count == 2 && $0[0].isFinite && $0[1].isFinite }
                .map { "\(String(format: "%.1f", px($0[0]))),\(String(format: "%.1f", py($0[1])))" }.joined(separator: " ")
            out += #"<polyline fill="none" stroke="\#(color)" stroke-width="2" points="\#(path)"/>"#
            out += #"<text x="\#(left + 8)" y="\#(top + 14 + Double(i) * 14)" fill="\#(color)">\#(escape(target))</text>"#
        }
        out += "</svg><figcaption>\(escape(title))</figcaption></figure>"
        return out
    }
}
