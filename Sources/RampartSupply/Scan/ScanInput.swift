/// What a format scanner reads: a window it can read anywhere (a file, a stored archive member) or a stream it can
/// read once (a decompressed member, a tar member). A scanner that needs offsets asks for `randomAccess`, and a
/// stream is then copied to an unlinked temporary file.
final class ScanInput {
    /// The member or file name, for the formats recognised by name.
    let name: String
    private var source: ByteSource?
    private var stream: ByteReader?
    /// The CRC of a zip member being read, checked once it has been read whole.
    var checksum: (chunks: CRC32Chunks, expected: UInt32, size: Int64)?

    init(source: ByteSource, name: String) {
        self.source = source
        self.name = name
    }

    /// Both: a reader over the same bytes as `source` (a zip member read through its CRC check).
    init(source: ByteSource, stream: ByteReader, name: String) {
        self.source = source
        self.stream = stream
        self.name = name
    }

    init(stream: ByteReader, name: String) {
        self.stream = stream
        self.name = name
    }

    /// The size, when known without reading.
    var size: Int64? { source?.count }

    var seekable: ByteSource? { source }

    /// A reader from the start (for a stream, the stream itself: read it once).
    func reader() -> ByteReader {
        if let stream { return stream }
        let r = source!.reader()
        stream = r
        return r
    }

    func head() throws(ScanFailure) -> [UInt8] {
        if let source, stream == nil { return try source.read(at: 0, Int(min(source.count, 512))) }
        return try reader().prefix(512)
    }

    func randomAccess(limit: Int64) throws(ScanFailure) -> ByteSource {
        if let source { return source }
        let spooled = try Spool.source(from: stream!, limit: limit)
        source = spooled
        return spooled
    }
}
