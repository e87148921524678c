import Foundation

extension ProbeReport {
    /// A self-contained HTML page (no scripts, no external files): what was attacked, a table of each attack's
    /// metrics per target — the closed loop reads across a row — the thresholds, and SVG charts of each attack's
    /// curves with one line per target.
    public func html() -> String {
        var out = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Rampart probe report</title><style>
            body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1d1d1f;padding:0 1em}
            h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
            table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:.3em .6em;text-align:right}
            th{background:#f5f5f7}td:first-child,th:first-child,td.l{text-align:left}.pass{color:#137333}.fail{color:#b3261e;font-weight:600}
            .err{color:#b3261e}figure{display:inline-block;margin:1em 1em 0 0}figcaption{font-size:.9em;color:#555}
            </style></head><body>
            <h1>Rampart probe report</h1>
            <p>Seed <b>\(seed)</b> · \(escape(created)) · Rampart \(escape(rampart)). Every number below is reproducible with the same seed.</p>
            <h2>Targets</h2><table><tr><th>name</th><th>URL or file</th><th>output</th></tr>
            """
        for target in targets {
            out += "<tr><td>\(escape(target.name))</td><td class=l>\(escape(target.url))</td><td>\(escape(target.outputKind ?? "–"))</td></tr>"
        }
        out += "</table>"
        let attacks = results.map(\.attack).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for attack in attacks {
            let rows = results.filter { $0.attack == attack }
            out += "<h2>\(escape(attack)) <small>(\(escape(rows[0].risk)))</small></h2>"
            let metricNames = rows.flatMap { $0.metrics.keys }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.sorted()
            out += "<table><tr><th>target</th><th>budget</th>" + metricNames.map { "<th>\(escape($0))</th>" }.joined() + "<th>seconds</th></tr>"
            for row in rows {
                out += "<tr><td>\(escape(row.target))</td><td>\(row.budget.map(String.init) ?? "–")</td>"
                if let error = row.error {
                    out += "<td class='l err' colspan=\(metricNames.count)>\(escape(error))</td>"
                } else {
                    out += metricNames.map { "<td>\(row.metrics[$0].map(format) ?? "–")</td>" }.joined()
                }
                out += "<td>\(format(row.seconds))</td></tr>"
            }
            out += "</table>"
            let thresholds = rows.flatMap { row in row.thresholds.map { (row.target, $0) } }
            if !thresholds.isEmpty {
                out += "<table><tr><th>target</th><th>threshold</th><th>result</th></tr>"
                for (target, threshold) in thresholds {
                    let verdict = threshold.passed == true ? "<span class=pass>passed</span>" : "<span class=fail>failed</span>"
                    out += "<tr><td>\(escape(target))</td><td class=l>\(escape(threshold.description))</td><td>\(verdict)</td></tr>"
                }
                out += "</table>"
            }
            let chartNames = rows.flatMap { $0.curves.map(\.name) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for name in chartNames {
                let series = rows.compactMap { row in row.curves.first { $0.name == name }.map { (row.target, $0) } }
                out += Chart(title: name, series: series).svg()
            }
            for row in rows where !(row.images ?? []).isEmpty {
                out += "<p><b>\(escape(row.target))</b></p><div>" + (row.images ?? []).map(picture).joined() + "</div>"
            }
        }
        out += "</body></html>\n"
        return out
    }

    /// JUnit XML for CI: one test case per result and threshold (a failed threshold is a failure, an attack that
    /// could not run is an error), so a build can fail on "extraction fidelity must stay below 0.5".
    public func junit() -> String {
        var cases: [String] = []
        var failures = 0, errors = 0
        for result in results {
            let name = "\(result.attack) against \(result.target)"
            if let error = result.error {
                errors += 1
                cases.append(#"<testcase classname="rampart.probe.\#(xml(result.risk))" name="\#(xml(name))" time="\#(result.seconds)"><error message="\#(xml(error))"/></testcase>"#)
                continue
            }
            if result.thresholds.isEmpty {
                cases.append(#"<testcase classname="rampart.probe.\#(xml(result.risk))" name="\#(xml(name))" time="\#(result.seconds)"/>"#)
            }
            for threshold in result.thresholds {
                let label = "\(name): \(threshold.description)"
                if threshold.passed == true {
                    cases.append(#"<testcase classname="rampart.probe.\#(xml(result.risk))" name="\#(xml(label))" time="\#(result.seconds)"/>"#)
                } else {
                    failures += 1
                    let value = result.metrics[threshold.metric].map(format) ?? "missing"
                    cases.append(#"<testcase classname="rampart.probe.\#(xml(result.risk))" name="\#(xml(label))" time="\#(result.seconds)"><failure message="\#(xml("\(threshold.metric) = \(value)"))"/></testcase>"#)
                }
            }
        }
        let time = results.reduce(0) { $0 + $1.seconds }
        return #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
            + #"<testsuite name="rampart probe" tests="\#(cases.count)" failures="\#(failures)" errors="\#(errors)" time="\#(time)">"# + "\n"
            + cases.joined(separator: "\n") + "\n</testsuite>\n"
    }
}

/// A grey-scale picture as SVG squares, dark where the value is high (ink on paper).
func picture(_ image: ProbeReport.Image) -> String {
    let cell = Swift.max(2, 64 / Swift.max(1, Swift.max(image.width, image.height)))
    guard image.width > 0, image.height > 0, image.pixels.count == image.width * image.height else { return "" }
    var out = #"<figure><svg xmlns="http://www.w3.org/2000/svg" width="\#(image.width * cell)" height="\#(image.height * cell)" shape-rendering="crispEdges">"#
    for (i, value) in image.pixels.enumerated() {
        let grey = Int((255 * (1 - Swift.min(Swift.max(value.isFinite ? value : 0, 0), 1))).rounded())
        out += #"<rect x="\#((i % image.width) * cell)" y="\#((i / image.width) * cell)" width="\#(cell)" height="\#(cell)" fill="rgb(\#(grey),\#(grey),\#(grey))"/>"#
    }
    return out + "</svg><figcaption>\(escape(image.name))</figcaption></figure>"
}

func escape(_ text: String) -> String {
    var out = ""
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}

/// Text for XML: escaped, and without the control characters XML 1.0 forbids (a server's error message may hold them).
func xml(_ text: String) -> String {
    let allowed = text.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    return escape(String(String.UnicodeScalarView(allowed)))
}
