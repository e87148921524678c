/// A whole file compressed with gzip, zlib, xz, lzma or bzip2 (joblib's `compress=`, `.tar.gz` source
/// distributions): decompressed as it is read, and the content scanned as what its bytes say it is.
enum CompressedFile {
    static func scan(_ input: ScanInput, head: [UInt8], in scan: ScanContext, location: String, depth: Int) throws(ScanFailure) -> String {
        guard let compression = Compression.detect(head) else { throw .malformed("not a compressed stream this scanner reads") }
        let reader = try compression.reader(over: input.reader(), limit: scan.options.maximumExpanded)
        var inner = input.name
        for suffix in [".gz", ".tgz", ".xz", ".txz", ".bz2", ".lzma", ".z"] where inner.lowercased().hasSuffix(suffix) {
            inner = String(inner.dropLast(suffix.count)) + (suffix.hasPrefix(".t") ? ".tar" : "")
        }
        let content = ScanInput(stream: reader, name: inner)
        let format = scan.scan(content, location: location, depth: depth + 1) ?? "data"
        return "\(format)+\(compression.rawValue)"
    }

    /// joblib before 0.10 (`ZF` + the length in hex, padded to 5 characters, then a zlib stream of the pickle).
    static func scanJoblibZF(_ input: ScanInput, in scan: ScanContext, location: String, depth: Int) throws(ScanFailure) -> String {
        let reader = input.reader()
        let header = try reader.bytes(2)
        guard header == Array("ZF".utf8) else { throw .malformed("not a joblib ZF file") }
        // The length: "0x" then hex digits, left-justified to 5 characters with spaces (joblib's _write_fileobject).
        _ = try reader.bytes(5)
        while let next = try reader.peek(), next == 0x20 || (next >= 0x30 && next <= 0x39) || (next | 0x20 >= 0x61 && next | 0x20 <= 0x66) {
            if Compression.detect(try reader.prefix(3)) == .zlib { break }
            _ = try reader.byte()
        }
        let content = ScanInput(stream: try Compression.zlib.reader(over: reader, limit: scan.options.maximumExpanded), name: input.name + ".pkl")
        _ = try PickleFile.scan(content, in: scan, location: location, depth: depth + 1)
        return "joblib+zf"
    }
}
