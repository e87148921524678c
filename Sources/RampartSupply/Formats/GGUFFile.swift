/// GGUF (llama.cpp's format, versions 2 and 3, little- or big-endian): the header, every metadata key and value, and every tensor's
/// description are read and checked against the file — counts and lengths that cannot fit in it, unknown types,
/// tensors outside the data section — and the chat templates (`tokenizer.chat_template*`) are checked for
/// template injection. Tensor data is never read.
enum GGUFFile {
    /// ggml tensor types: bytes per block and elements per block (ggml.c's type traits).
    static let blocks: [UInt32: (bytes: Int64, elements: Int64)] = [
        0: (4, 1), 1: (2, 1), 2: (18, 32), 3: (20, 32), 6: (22, 32), 7: (24, 32), 8: (34, 32), 9: (40, 32),
        10: (84, 256), 11: (110, 256), 12: (144, 256), 13: (176, 256), 14: (210, 256), 15: (292, 256),
        16: (66, 256), 17: (74, 256), 18: (98, 256), 19: (50, 256), 20: (18, 32), 21: (110, 256), 22: (82, 256),
        23: (136, 256), 24: (1, 1), 25: (2, 1), 26: (4, 1), 27: (8, 1), 28: (8, 1), 29: (56, 256), 30: (2, 1),
        34: (54, 256), 35: (66, 256), 39: (17, 32), 40: (36, 64), 41: (18, 128),
    ]

    static func scan(_ input: ScanInput, in scan: ScanContext, location: String) throws(ScanFailure) -> String {
        let reader = input.reader()
        guard try reader.bytes(4) == Array("GGUF".utf8) else { throw .malformed("not a GGUF file") }
        // No byte-order flag: a big-endian file's version reads as 0x03000000.
        var version = try reader.uint32()
        let bigEndian = version & 0xFFFF == 0
        if bigEndian { version = version.byteSwapped }
        guard version == 2 || version == 3 else { throw .malformed("GGUF version \(version) (llama.cpp and gguf-py read versions 2 and 3)") }
        let size = input.size
        func u32() throws(ScanFailure) -> UInt32 { let v = try reader.uint32(); return bigEndian ? v.byteSwapped : v }
        func u64() throws(ScanFailure) -> UInt64 { let v = try reader.uint64(); return bigEndian ? v.byteSwapped : v }
        func count() throws(ScanFailure) -> UInt64 { try u64() }
        let tensorCount = try count(), keyCount = try count()
        // Every key and tensor takes at least a few bytes: counts beyond the file's size are lies.
        if let size {
            guard tensorCount <= UInt64(size), keyCount <= UInt64(size) else {
                throw .malformed("GGUF claims \(tensorCount) tensors and \(keyCount) keys in a file of \(size) bytes")
            }
        }
        guard tensorCount <= 1 << 24, keyCount <= 1 << 24 else { throw .limit("GGUF with \(tensorCount) tensors and \(keyCount) keys") }
        func string(limit: UInt64) throws(ScanFailure) -> (text: String?, length: UInt64) {
            let n = try count()
            if let size { guard n <= UInt64(size) else { throw .malformed("a GGUF string of \(n) bytes in a file of \(size)") } }
            if n <= limit { return (String(decoding: try reader.bytes(Int(n)), as: UTF8.self), n) }
            try reader.skip(Int64(n))
            return (nil, n)
        }
        func skipValue(type: UInt32, depth: Int) throws(ScanFailure) {
            switch type {
            case 0, 1, 7: try reader.skip(1)
            case 2, 3: try reader.skip(2)
            case 4, 5, 6: try reader.skip(4)
            case 10, 11, 12: try reader.skip(8)
            case 8: _ = try string(limit: 0)
            case 9:
                guard depth < 4 else { throw .limit("GGUF arrays nested deeper than 4") }
                let elementType = try u32()
                let n = try count()
                if let size { guard n <= UInt64(size) else { throw .malformed("a GGUF array of \(n) elements in a file of \(size) bytes") } }
                let fixed: [UInt32: Int64] = [0: 1, 1: 1, 7: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 10: 8, 11: 8, 12: 8]
                if let width = fixed[elementType] {
                    let (bytes, overflow) = Int64(n).multipliedReportingOverflow(by: width)
                    guard !overflow else { throw .malformed("a GGUF array whose size overflows") }
                    try reader.skip(bytes)
                } else {
                    for _ in 0..<n { try skipValue(type: elementType, depth: depth + 1) }
                }
            default:
                throw .malformed("GGUF value type \(type) is not one the format defines")
            }
        }
        var alignment: UInt64 = 32
        for _ in 0..<keyCount {
            guard let key = try string(limit: 65_536).text else { throw .malformed("a GGUF key longer than 64 KiB") }
            let type = try u32()
            let here = location.isEmpty ? "metadata `\(key)`" : "\(location) metadata `\(key)`"
            if key.hasPrefix("tokenizer.chat_template"), type == 8 {
                let template = try string(limit: UInt64(scan.options.maximumDocument))
                guard let text = template.text else { throw .limit("a chat template of \(template.length) bytes") }
                ChatTemplate.check(text, in: scan, location: here)
                continue
            }
            if key == "general.alignment", type == 4 {
                alignment = UInt64(try u32())
                guard alignment > 0, alignment & (alignment - 1) == 0 else { throw .malformed("general.alignment \(alignment) is not a power of two") }
                continue
            }
            try skipValue(type: type, depth: 0)
        }
        var extents: [(name: String, offset: UInt64, bytes: Int64)] = []
        for _ in 0..<tensorCount {
            guard let name = try string(limit: 65_536).text else { throw .malformed("a GGUF tensor name longer than 64 KiB") }
            let dimensions = try u32()
            guard dimensions <= 4 else { throw .malformed("tensor `\(name)` has \(dimensions) dimensions (ggml allows 4)") }
            var elements: Int64 = 1
            for _ in 0..<dimensions {
                let d = try u64()
                guard d <= UInt64(Int64.max) else { throw .malformed("tensor `\(name)` has a dimension out of range") }
                let (p, overflow) = elements.multipliedReportingOverflow(by: Int64(d))
                guard !overflow else { throw .malformed("tensor `\(name)` has a shape whose size overflows") }
                elements = p
            }
            let type = try u32()
            guard let block = blocks[type] else { throw .malformed("tensor `\(name)` has ggml type \(type), which the scanner does not know") }
            guard elements % block.elements == 0 else { throw .malformed("tensor `\(name)` has \(elements) elements, not a multiple of its type's block of \(block.elements)") }
            let (bytes, overflow) = (elements / block.elements).multipliedReportingOverflow(by: block.bytes)
            guard !overflow else { throw .malformed("tensor `\(name)` has a size that overflows") }
            let offset = try u64()
            guard offset % alignment == 0 else { throw .malformed("tensor `\(name)` starts at \(offset), not a multiple of the alignment \(alignment)") }
            extents.append((name, offset, bytes))
        }
        // The data section starts at the next multiple of the alignment.
        let headerEnd = UInt64(reader.offset)
        let dataStart = (headerEnd + alignment - 1) / alignment * alignment
        if let size {
            let dataLength = UInt64(max(0, size - Int64(min(dataStart, UInt64(size)))))
            for e in extents {
                let (end, overflow) = e.offset.addingReportingOverflow(UInt64(e.bytes))
                guard !overflow, end <= dataLength else {
                    throw .malformed("tensor `\(e.name)` (bytes \(e.offset)..<\(e.offset &+ UInt64(e.bytes)) of the data) ends past the file's \(dataLength) bytes of data")
                }
            }
            let sorted = extents.sorted { $0.offset < $1.offset }
            for (a, b) in zip(sorted, sorted.dropFirst()) where a.offset + UInt64(a.bytes) > b.offset {
                scan.findings.add(.suspicious, "gguf.overlapping-tensors", "tensors `\(a.name)` and `\(b.name)` share bytes", at: location)
            }
        }
        return "gguf"
    }
}
