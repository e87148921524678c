/// A strict RFC 8259 parser over bytes, several times faster than Foundation's `JSONDecoder` for the small
/// documents on the gateway's hot path.
///
/// Stricter than most: duplicate object keys are an error, so the gateway and the upstream can never read a
/// different `model` out of the same body (a parser-differential attack); nesting is limited; strings must be
/// valid UTF-8 without raw control characters.
extension JSONValue {
    /// Deepest nesting accepted.
    public static let maxDepth = 64

    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws(JSONParseError) -> JSONValue where Bytes.Element == UInt8 {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONParser(UnsafeRawBufferPointer(buffer))
            return Result { () throws(JSONParseError) -> JSONValue in try parser.document() }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        let copied: Result<JSONValue, JSONParseError> = copy.withUnsafeBytes { buffer in
            var parser = JSONParser(buffer)
            return Result { () throws(JSONParseError) -> JSONValue in try parser.document() }
        }
        return try copied.get()
    }
}
