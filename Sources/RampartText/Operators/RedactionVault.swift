/// The placeholders and pseudonyms one request sent upstream, and the values they stand for, so the response can
/// carry the caller's own values again.
///
/// A vault belongs to one request and is a value: it is never shared between requests (LLM Guard's shared vault
/// is not thread-safe; this one cannot race), never written to disk and never logged — its `description` shows only
/// how many entries it holds.
public struct RedactionVault: Sendable, CustomStringConvertible {
    private var placeholderByValue: [String: String] = [:]
    private var valueByPlaceholder: [String: String] = [:]
    private var counters: [String: Int] = [:]

    public init() {}

    public var isEmpty: Bool { valueByPlaceholder.isEmpty }
    public var count: Int { valueByPlaceholder.count }
    public var description: String { "RedactionVault(\(count) entries)" }

    /// `<TYPE_n>` for `value`: the same value gets the same placeholder within the request.
    public mutating func placeholder(type: String, value: String) -> String {
        let key = type + "\u{0}" + value
        if let known = placeholderByValue[key] { return known }
        let n = (counters[type] ?? 0) + 1
        counters[type] = n
        let placeholder = "<\(type)_\(n)>"
        placeholderByValue[key] = placeholder
        valueByPlaceholder[placeholder] = value
        return placeholder
    }

    /// Records a replacement made elsewhere (a pseudonym) so ``restore(_:)`` can undo it.
    public mutating func remember(_ replacement: String, for value: String) {
        valueByPlaceholder[replacement] = value
    }

    /// `text` with every placeholder this vault knows replaced by its value; other `<…>` text is left alone.
    public func restore(_ text: String) -> String {
        guard !valueByPlaceholder.isEmpty, text.utf8.contains(UInt8(ascii: "<")) else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<"), let close = Self.placeholderEnd(bytes, from: i),
               let value = valueByPlaceholder[String(decoding: bytes[i...close], as: UTF8.self)] {
                out.append(contentsOf: value.utf8)
                i = close + 1
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Longest placeholder this vault can emit, in bytes (a stream holds back this much at a cut).
    public static let maxPlaceholderBytes = 96

    /// The index of the `>` closing a placeholder-shaped run `<[A-Z0-9_]+>` starting at `start`.
    static func placeholderEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var j = start + 1
        let limit = min(bytes.count, start + maxPlaceholderBytes)
        while j < limit {
            let b = bytes[j]
            if b == UInt8(ascii: ">") { return j > start + 1 ? j : nil }
            guard ASCII.isAlnum(b) || b == UInt8(ascii: "_") else { return nil }
            j += 1
        }
        return nil
    }

    /// Where a placeholder that is not complete yet begins near the end of `scalars[..<end]`, so a stream does not
    /// release half of one: the offset of an unclosed `<` followed only by placeholder characters, if any.
    public static func openPlaceholderStart(in scalars: [Unicode.Scalar], before end: Int) -> Int? {
        var j = end - 1
        let floor = max(0, end - maxPlaceholderBytes)
        while j >= floor {
            let s = scalars[j]
            if s == "<" { return j }
            guard s.isASCII, ASCII.isAlnum(UInt8(s.value)) || s == "_" else { return nil }
            j -= 1
        }
        return nil
    }
}
