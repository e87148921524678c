/// Protocol Buffers' wire format, read as a stream: a message is walked field by field, the fields the scanner
/// needs are read (strings, integers, sub-messages it descends into) and everything else — tensor payloads
/// above all — is skipped without being read. Memory stays bounded whatever the file's size.
struct ProtobufWire {
    enum Field {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        /// A length-delimited field: read it (`bytes`, `string`), descend into it (`message`), or leave it.
        case delimited(Int64)
    }

    let reader: ByteReader

    static func varint(_ reader: ByteReader) throws(ScanFailure) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try reader.byte()
            guard shift < 64 else { throw .malformed("a protobuf varint longer than 10 bytes at offset \(reader.offset)") }
            value |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// Calls `body(number, field)` for each field until the reader ends. For `.delimited` fields `body` must consume
    /// exactly that many bytes or call `skip`; `forEach` checks and skips what is left.
    func forEach(_ body: (Int, Field, ByteReader) throws(ScanFailure) -> Void) throws(ScanFailure) {
        while try !reader.atEnd {
            let key = try Self.varint(reader)
            let number = Int(key >> 3)
            guard number > 0, number < 1 << 29 else { throw .malformed("a protobuf field number \(number) at offset \(reader.offset)") }
            switch key & 7 {
            case 0:
                try body(number, .varint(try Self.varint(reader)), reader)
            case 1:
                try body(number, .fixed64(try reader.uint64()), reader)
            case 5:
                try body(number, .fixed32(try reader.uint32()), reader)
            case 2:
                let length = try Self.varint(reader)
                guard length <= UInt64(Int64.max) else { throw .malformed("a protobuf length out of range at offset \(reader.offset)") }
                let sub = reader.limited(Int64(length))
                try body(number, .delimited(Int64(length)), sub)
                try sub.finish()
            case 3, 4:
                throw .malformed("protobuf groups (wire types 3 and 4) at offset \(reader.offset): not written by ONNX or TensorFlow")
            default:
                throw .malformed("protobuf wire type \(key & 7) at offset \(reader.offset)")
            }
        }
    }

    /// A length-delimited field's bytes as UTF-8, when at most `limit` long.
    static func string(_ sub: ByteReader, _ length: Int64, limit: Int = 1 << 20) throws(ScanFailure) -> String {
        guard length <= Int64(limit) else { throw .limit("a protobuf string of \(length) bytes") }
        return String(decoding: try sub.bytes(Int(length)), as: UTF8.self)
    }

    /// Packed or single int64 values of a repeated field.
    static func int64s(_ field: Field, _ sub: ByteReader) throws(ScanFailure) -> [Int64] {
        switch field {
        case .varint(let v): return [Int64(bitPattern: v)]
        case .delimited:
            var out: [Int64] = []
            while try !sub.atEnd {
                out.append(Int64(bitPattern: try varint(sub)))
                guard out.count <= 64 else { throw .limit("more than 64 dimensions") }
            }
            return out
        default: throw .malformed("an integer field with the wrong wire type")
        }
    }
}
