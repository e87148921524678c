/// Where a `ByteReader`'s bytes come from: a file window, a decompressor, or a bounded piece of another reader.
protocol ChunkProducer: AnyObject {
    /// Writes the next bytes into `buffer` and returns how many (0 at the end).
    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(ScanFailure) -> Int
    /// Moves past the next `count` bytes without producing them, when that is cheap (a file seeks); returns false when
    /// the reader must produce and drop them instead (a decompressor).
    func skip(_ count: Int64) throws(ScanFailure) -> Bool
}

/// A sequential, buffered reader with a fixed 64 KiB buffer: memory stays bounded whatever the input's size, and
/// skipping a file's array payload costs a seek, not a read.
public final class ByteReader {
    static let bufferSize = 64 << 10

    private let producer: any ChunkProducer
    private let buffer: UnsafeMutableRawBufferPointer
    private var position = 0
    private var end = 0
    /// Offset of `buffer[0]` in the stream.
    private var bufferStart: Int64 = 0
    private var finished = false

    init(_ producer: any ChunkProducer) {
        self.producer = producer
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// Bytes consumed so far.
    public var offset: Int64 { bufferStart + Int64(position) }

    /// Refills the buffer when it is empty; false at the end.
    @inline(__always)
    private func available() throws(ScanFailure) -> Bool {
        if position < end { return true }
        if finished { return false }
        bufferStart += Int64(end)
        position = 0
        end = try producer.fill(buffer)
        if end == 0 { finished = true }
        return end > 0
    }

    /// True when no byte is left.
    public var atEnd: Bool {
        get throws(ScanFailure) { try !available() }
    }

    /// The next byte without consuming it, or nil at the end.
    public func peek() throws(ScanFailure) -> UInt8? {
        guard try available() else { return nil }
        return buffer[position]
    }

    @inline(__always)
    public func byte() throws(ScanFailure) -> UInt8 {
        if position < end {
            let b = buffer[position]
            position += 1
            return b
        }
        guard try available() else { throw .truncated("the data ends at offset \(offset) where more was expected") }
        let b = buffer[position]
        position += 1
        return b
    }

    /// Exactly `count` bytes. Callers bound `count` before asking.
    public func bytes(_ count: Int) throws(ScanFailure) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
        var left = count
        while left > 0 {
            guard try available() else { throw .truncated("the data ends at offset \(offset), \(left) bytes short of a \(count)-byte field") }
            let n = min(left, end - position)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[position..<(position + n)]))
            position += n
            left -= n
        }
        return out
    }

    /// Up to `count` bytes: fewer only at the end of the data.
    public func upTo(_ count: Int) throws(ScanFailure) -> [UInt8] {
        var out = [UInt8]()
        var left = count
        while left > 0, try available() {
            let n = min(left, end - position)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[position..<(position + n)]))
            position += n
            left -= n
        }
        return out
    }

    /// Moves past `count` bytes without keeping them.
    public func skip(_ count: Int64) throws(ScanFailure) {
        guard count > 0 else { return }
        let buffered = Int64(end - position)
        if count <= buffered {
            position += Int(count)
            return
        }
        var left = count - buffered
        bufferStart += Int64(end)
        position = 0
        end = 0
        if !finished, try producer.skip(left) {
            bufferStart += left
            return
        }
        while left > 0 {
            guard try available() else { throw .truncated("the data ends at offset \(offset), \(left) bytes short of a \(count)-byte skip") }
            let n = Int(min(left, Int64(end - position)))
            position += n
            left -= Int64(n)
        }
    }

    /// Bytes up to (not including) the next `\n`, which is consumed. A line longer than `max` is an error.
    public func line(max: Int) throws(ScanFailure) -> [UInt8] {
        var out = [UInt8]()
        while true {
            guard try available() else { throw .truncated("the data ends at offset \(offset) inside a line") }
            let slice = UnsafeRawBufferPointer(rebasing: buffer[position..<end])
            if let newline = slice.firstIndex(of: 0x0A) {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: slice[slice.startIndex..<newline]))
                position += newline - slice.startIndex + 1
                guard out.count <= max else { throw .limit("a line of \(out.count) bytes at offset \(offset) (the limit is \(max))") }
                return out
            }
            out.append(contentsOf: slice)
            position = end
            guard out.count <= max else { throw .limit("a line longer than \(max) bytes at offset \(offset)") }
        }
    }

    public func uint16() throws(ScanFailure) -> UInt16 {
        UInt16(try byte()) | UInt16(try byte()) << 8
    }

    public func uint32() throws(ScanFailure) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(try byte()) << (8 * UInt32(i)) }
        return v
    }

    public func uint64() throws(ScanFailure) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(try byte()) << (8 * UInt64(i)) }
        return v
    }

    /// Up to `count` (≤ 64 KiB) next bytes without consuming them: fewer only at the end of the data.
    public func prefix(_ count: Int) throws(ScanFailure) -> [UInt8] {
        precondition(count <= Self.bufferSize)
        if end - position < count, !finished {
            // Move what is left to the front and fill the rest.
            let left = end - position
            if position > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + position, byteCount: left)
                bufferStart += Int64(position)
                position = 0
                end = left
            }
            while end < count {
                let n = try producer.fill(UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
                if n == 0 { finished = true; break }
                end += n
            }
        }
        return Array(UnsafeRawBufferPointer(rebasing: buffer[position..<min(end, position + count)]))
    }

    /// Lends the buffered bytes (refilling first if empty) to `body`, which returns how many it used. Returns false at
    /// the end. Decompressors read their input this way, without a copy.
    func borrow(_ body: (UnsafeRawBufferPointer) throws(ScanFailure) -> Int) throws(ScanFailure) -> Bool {
        guard try available() else { return false }
        let used = try body(UnsafeRawBufferPointer(rebasing: buffer[position..<end]))
        position += used
        return true
    }

    /// A reader over the next `count` bytes of this one. Read it, then call `finish()` on it to move this reader past
    /// whatever it left.
    public func limited(_ count: Int64) -> ByteReader {
        ByteReader(LimitedChunks(self, count))
    }

    /// Reads and drops everything left (for a `limited` reader, moves its parent past the window).
    public func finish() throws(ScanFailure) {
        position = end
        if let limited = producer as? LimitedChunks {
            try limited.parent.skip(limited.left)
            limited.left = 0
        } else {
            while try available() { position = end }
        }
    }
}

/// A file or memory window, read from the start.
final class SourceChunks: ChunkProducer {
    let source: ByteSource
    var cursor: Int64 = 0

    init(_ source: ByteSource) { self.source = source }

    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(ScanFailure) -> Int {
        let n = try source.read(at: cursor, into: buffer)
        cursor += Int64(n)
        return n
    }

    func skip(_ count: Int64) throws(ScanFailure) -> Bool {
        guard count <= source.count - cursor else {
            throw .truncated("a skip of \(count) bytes at offset \(cursor) passes the end (\(source.count) bytes)")
        }
        cursor += count
        return true
    }
}

/// The next `left` bytes of a parent reader.
final class LimitedChunks: ChunkProducer {
    let parent: ByteReader
    var left: Int64

    init(_ parent: ByteReader, _ count: Int64) {
        self.parent = parent
        left = count
    }

    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(ScanFailure) -> Int {
        guard left > 0 else { return 0 }
        var produced = 0
        let wanted = Int(min(Int64(buffer.count), left))
        let more = try parent.borrow { (input: UnsafeRawBufferPointer) throws(ScanFailure) -> Int in
            let n = min(wanted, input.count)
            buffer.baseAddress!.copyMemory(from: input.baseAddress!, byteCount: n)
            produced = n
            return n
        }
        guard more else { throw .truncated("the data ends \(left) bytes before the end of a member") }
        left -= Int64(produced)
        return produced
    }

    func skip(_ count: Int64) throws(ScanFailure) -> Bool {
        guard count <= left else { throw .truncated("a skip of \(count) bytes passes the end of a \(left)-byte member") }
        try parent.skip(count)
        left -= count
        return true
    }
}
