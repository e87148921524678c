import Foundation
import Synchronization

/// A text as the scanners read it: Unicode NFKC (so `ｆｕｌｌｗｉｄｔｈ`, `ﬁ`, `①` and `𝐛𝐨𝐥𝐝` read as plain
/// letters and digits), with invisible characters taken out and reported, kept as UTF-8 bytes with a map back
/// to the scalar offsets of the original.
///
/// Normalization runs per combining sequence (a scalar and the marks, joiners and selectors that extend it),
/// so every byte maps to the sequence it came from and a finding's
/// span never cuts a character of the original in half. ASCII text without control characters — most
/// traffic — is used as it is, without a map.
public struct NormalizedText: Sendable {
    /// The normalized text, UTF-8.
    public let utf8: [UInt8]
    /// Per byte of `utf8`: the first original scalar of its cluster (`nil`: byte offset = scalar offset).
    private let starts: [Int32]?
    /// Per byte of `utf8`: one past the last original scalar of its cluster.
    private let ends: [Int32]?
    /// Scalars in the original text.
    public let scalarCount: Int
    /// The invisible characters that were taken out, merged into runs of one class.
    public let invisible: [TextFinding]
    /// Text hidden in tag characters (U+E0020–E007E spell ASCII): each run's original span and its ASCII
    /// payload, for decode-and-rescan ("ASCII smuggling").
    public let smuggled: [(range: Range<Int>, text: [UInt8])]

    /// Normalizes `text`.
    public init(_ text: String) {
        var isPlain = true
        for byte in text.utf8 where byte >= 0x80 || (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F {
            isPlain = false
            break
        }
        if isPlain {
            utf8 = Array(text.utf8)
            starts = nil
            ends = nil
            scalarCount = utf8.count
            invisible = []
            smuggled = []
            return
        }
        var builder = Builder(capacity: text.utf8.count)
        builder.run(text)
        utf8 = builder.bytes
        starts = builder.starts
        ends = builder.ends
        scalarCount = builder.scalarIndex
        invisible = builder.findings
        smuggled = builder.smuggled
    }

    /// The original scalar range that the normalized bytes `range` came from.
    public func originalRange(_ range: Range<Int>) -> Range<Int> {
        guard let starts, let ends else { return range }
        guard !range.isEmpty else {
            let at = range.lowerBound < starts.count ? Int(starts[range.lowerBound]) : scalarCount
            return at..<at
        }
        return Int(starts[range.lowerBound])..<Int(ends[range.upperBound - 1])
    }

    private struct Builder {
        var bytes: [UInt8] = []
        var starts: [Int32] = []
        var ends: [Int32] = []
        var scalarIndex = 0
        var findings: [TextFinding] = []
        var smuggled: [(range: Range<Int>, text: [UInt8])] = []
        var run: (kind: InvisibleCharacter, start: Int, end: Int, legitimate: Bool)?
        var tagPayload: [UInt8] = []
        var previous: Unicode.Scalar?

        init(capacity: Int) {
            bytes.reserveCapacity(capacity)
            starts.reserveCapacity(capacity)
            ends.reserveCapacity(capacity)
        }

        mutating func run(_ text: String) {
            var text = text
            text.withUTF8 { run(bytes: $0) }
        }

        /// Printable ASCII, tab and line breaks.
        @inline(__always) static func isPlainASCII(_ b: UInt8) -> Bool {
            b < 0x80 && ((b >= 0x20 && b != 0x7F) || b == 0x09 || b == 0x0A || b == 0x0D)
        }

        /// One scalar of valid UTF-8 at `i`, and its length in bytes.
        @inline(__always) static func decode(_ u: UnsafeBufferPointer<UInt8>, at i: Int) -> (scalar: Unicode.Scalar, length: Int) {
            let b = u[i]
            if b < 0x80 { return (Unicode.Scalar(b), 1) }
            let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
            var value = UInt32(b) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for k in 1..<length where i + k < u.count { value = value << 6 | UInt32(u[i + k] & 0x3F) }
            return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
        }

        mutating func run(bytes u: UnsafeBufferPointer<UInt8>) {
            let n = u.count
            var kept = String.UnicodeScalarView()
            var i = 0
            while i < n {
                let b = u[i]
                // Printable ASCII, tab and line breaks not followed by a scalar that extends them (those are all
                // ≥ U+0300, whose UTF-8 lead byte is ≥ 0xCC): the byte is its own normalized cluster.
                if Self.isPlainASCII(b), i + 1 == n || u[i + 1] < 0xCC {
                    // The whole run of such bytes at once.
                    var j = i + 1
                    while j < n, Self.isPlainASCII(u[j]), j + 1 == n || u[j + 1] < 0xCC { j += 1 }
                    if run != nil { flushRun() }
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[i..<j]))
                    let first = Int32(truncatingIfNeeded: scalarIndex)
                    let count = Int32(j - i)
                    starts.append(contentsOf: first..<first + count)
                    ends.append(contentsOf: first + 1..<first + count + 1)
                    previous = Unicode.Scalar(u[j - 1])
                    scalarIndex += j - i
                    i = j
                    continue
                }
                // A cluster: a scalar and the scalars that extend it (combining marks, joiners, selectors, tags,
                // conjoining jamo) — the units NFKC can change together.
                let (first, firstLength) = Self.decode(u, at: i)
                var e = i + firstLength
                var count = 1
                while e < n, u[e] >= 0xCC {
                    let (next, length) = Self.decode(u, at: e)
                    guard Self.extends(next) else { break }
                    e += length
                    count += 1
                }
                let clusterStart = scalarIndex
                if count == 1 {
                    if let kind = InvisibleCharacter.classify(first) {
                        note(kind, scalar: first, at: scalarIndex)
                    } else {
                        flushRun()
                        if first.value < 0x80 {
                            append(byte: UInt8(first.value), start: clusterStart, end: clusterStart + 1)
                        } else {
                            for byte in NFKC.of(first) { append(byte: byte, start: clusterStart, end: clusterStart + 1) }
                        }
                        previous = first
                    }
                    scalarIndex += 1
                    i = e
                    continue
                }
                kept.removeAll(keepingCapacity: true)
                var k = i
                while k < e {
                    let (scalar, length) = Self.decode(u, at: k)
                    k += length
                    if let kind = InvisibleCharacter.classify(scalar) {
                        note(kind, scalar: scalar, at: scalarIndex)
                    } else {
                        flushRun()
                        kept.append(scalar)
                        previous = scalar
                    }
                    scalarIndex += 1
                }
                i = e
                guard !kept.isEmpty else { continue }
                let normalized: [UInt8] = kept.count == 1 ? NFKC.of(kept.first!) : Array(String(kept).precomposedStringWithCompatibilityMapping.utf8)
                for byte in normalized { append(byte: byte, start: clusterStart, end: scalarIndex) }
            }
            flushRun()
        }

        /// Whether `scalar` attaches to the scalar before it for normalization purposes.
        static func extends(_ scalar: Unicode.Scalar) -> Bool {
            let v = scalar.value
            if v < 0x300 { return false }
            switch v {
            case 0x200C, 0x200D, 0xFE00...0xFE0F, 0xE0000...0xE007F, 0xE0100...0xE01EF, 0x1F3FB...0x1F3FF: return true
            case 0x1160...0x11FF, 0xD7B0...0xD7FF: return true  // Hangul medial vowels and final consonants
            default: break
            }
            let properties = scalar.properties
            if properties.canonicalCombiningClass != .notReordered { return true }
            switch properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: return true
            default: return false
            }
        }

        mutating func append(byte: UInt8, start: Int, end: Int) {
            bytes.append(byte)
            starts.append(Int32(truncatingIfNeeded: start))
            ends.append(Int32(truncatingIfNeeded: end))
        }

        mutating func note(_ kind: InvisibleCharacter, scalar: Unicode.Scalar, at index: Int) {
            if let current = run, current.kind == kind, current.end == index {
                run!.end = index + 1
            } else {
                flushRun()
                run = (kind, index, index + 1, InvisibleCharacter.isLegitimate(kind, scalar: scalar, previous: previous))
            }
            if kind == .tag, (0xE0020...0xE007E).contains(scalar.value) {
                tagPayload.append(UInt8(scalar.value - 0xE0000))
            }
            previous = scalar
        }

        mutating func flushRun() {
            guard let current = run else { return }
            run = nil
            if !current.legitimate {
                findings.append(TextFinding(kind: .invisible, type: current.kind.rawValue, start: current.start, end: current.end, score: 1))
                if current.kind == .tag, !tagPayload.isEmpty {
                    smuggled.append((current.start..<current.end, tagPayload))
                }
            }
            tagPayload.removeAll(keepingCapacity: true)
        }
    }
}
