import RampartCore

/// safetensors: an 8-byte header length, a JSON header (`{"name": {"dtype", "shape", "data_offsets"}, …,
/// "__metadata__": {…}}`), then the tensors' bytes. It holds no code; what can go wrong is the header: a size that
/// overflows, tensors that overlap, leave gaps, or point past the file, types and shapes that disagree with the
/// bytes. The reference loader refuses each of these; so does the scanner, as `malformed`.
enum SafetensorsFile {
    /// Bits per element of each type the format defines.
    static let bits: [String: Int] = [
        "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
        "I32": 32, "U32": 32, "F32": 32, "F64": 64, "I64": 64, "U64": 64, "C64": 64, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
    ]
    static let maximumHeader: UInt64 = 100 << 20

    static func scan(_ input: ScanInput, in scan: ScanContext, location: String) throws(ScanFailure) -> String {
        let reader = input.reader()
        let length = try reader.uint64()
        guard length <= maximumHeader else { throw .malformed("a safetensors header of \(length) bytes (the format allows 100 MB)") }
        guard Int(length) <= scan.options.maximumDocument else { throw .limit("a safetensors header of \(length) bytes") }
        let header = try reader.bytes(Int(length))
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(header) } catch { throw .malformed("the safetensors header is not JSON: \(error)") }
        guard case .object(let entries) = parsed else { throw .malformed("the safetensors header is not a JSON object") }
        if Set(entries.map(\.key)).count != entries.count {
            scan.findings.add(.suspicious, "safetensors.duplicate-names", "a tensor name occurs twice in the header: loaders disagree on which one they use", at: location)
        }
        // The data section: everything after the header (counted by skipping, not reading).
        let dataStart = 8 + Int64(length)
        var dataLength: Int64 = 0
        if let size = input.size {
            dataLength = size - dataStart
        } else {
            while try !reader.atEnd {
                let before = reader.offset
                try reader.skip(min(1 << 20, Int64.max))
                dataLength += reader.offset - before
            }
        }
        var ranges: [(start: Int64, end: Int64, name: String)] = []
        for (name, value) in entries {
            let here = location.isEmpty ? "tensor `\(name)`" : "\(location) tensor `\(name)`"
            if name == "__metadata__" {
                guard case .object(let metadata) = value, metadata.allSatisfy({ $0.value.stringValue != nil }) else {
                    throw .malformed("__metadata__ must map strings to strings")
                }
                continue
            }
            guard case .object = value, let dtype = value["dtype"]?.stringValue, let shape = value["shape"]?.arrayValue,
                  let offsets = value["data_offsets"]?.arrayValue, offsets.count == 2 else {
                throw .malformed("\(here) lacks dtype, shape or data_offsets")
            }
            guard let elementBits = bits[dtype] else { throw .malformed("\(here) has dtype `\(dtype.prefix(20))`, which safetensors does not define") }
            var elements: Int64 = 1
            for d in shape {
                guard let n = integer(d), n >= 0 else { throw .malformed("\(here) has a shape with a dimension that is not a non-negative integer") }
                let (p, overflow) = elements.multipliedReportingOverflow(by: n)
                guard !overflow else { throw .malformed("\(here) has a shape whose size overflows") }
                elements = p
            }
            guard let start = integer(offsets[0]), let end = integer(offsets[1]), start >= 0, end >= start else {
                throw .malformed("\(here) has data_offsets that are not an increasing pair of integers")
            }
            let (totalBits, overflow) = elements.multipliedReportingOverflow(by: Int64(elementBits))
            guard !overflow, totalBits % 8 == 0 else { throw .malformed("\(here): \(elements) elements of \(dtype) are not a whole number of bytes") }
            guard end - start == totalBits / 8 else {
                throw .malformed("\(here): its shape and dtype need \(totalBits / 8) bytes, its offsets give \(end - start)")
            }
            guard end <= dataLength else { throw .malformed("\(here) ends at byte \(end) of a data section of \(dataLength) bytes") }
            ranges.append((start, end, name))
        }
        // The tensors must tile the data section: no overlap, no gap, nothing after.
        ranges.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        var cursor: Int64 = 0
        for r in ranges {
            if r.start < cursor { throw .malformed("tensor `\(r.name)` overlaps the tensor before it (bytes \(r.start)..<\(r.end))") }
            if r.start > cursor { throw .malformed("\(r.start - cursor) bytes before tensor `\(r.name)` belong to no tensor") }
            cursor = r.end
        }
        if cursor != dataLength {
            throw .malformed("\(dataLength - cursor) bytes after the last tensor belong to no tensor")
        }
        return "safetensors"
    }

    /// A JSON integer (no fraction, no exponent), as the reference loader reads them.
    static func integer(_ value: JSONValue) -> Int64? {
        guard case .number(let text) = value else { return nil }
        return Int64(text)
    }
}
