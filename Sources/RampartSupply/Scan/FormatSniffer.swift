/// Tells a file's format from its first bytes; the name is only a hint where a format has no magic number (ONNX and
/// TensorFlow protobufs, protocol-0 pickles, Python files). An extension never makes a file look safer than its
/// bytes do.
enum FileFormat: String, Sendable {
    case zip, tar, compressed, pickle, numpy, hdf5, gguf, safetensors, onnx, savedModel = "savedmodel"
    case joblibZF = "joblib-zf", json, pythonPath = "pth", setupScript = "setup.py", unknown

    /// Formats whose layout is read by offset (their streams are copied to a temporary file first).
    var needsRandomAccess: Bool {
        switch self {
        case .zip, .hdf5: true
        default: false
        }
    }
}

enum FormatSniffer {
    /// Extensions that say "this is a pickle" when the bytes (protocol 0 and 1 have no header) do not.
    static let pickleExtensions: Set<String> = ["pkl", "pickle", "pck", "pcl", "p", "joblib", "pt", "pth", "bin", "ckpt", "sav", "dat", "data", "mar", "model"]

    static func fileExtension(_ name: String) -> String {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return "" }
        return base[base.index(after: dot)...].lowercased()
    }

    static func baseName(_ name: String) -> String { name.split(separator: "/").last.map(String.init) ?? name }

    /// `head` is up to the first 512 bytes; `size` the whole length when known.
    static func sniff(_ head: [UInt8], name: String, size: Int64?) -> FileFormat {
        let ext = fileExtension(name)
        let base = baseName(name)
        func starts(_ magic: [UInt8]) -> Bool { head.count >= magic.count && head[0..<magic.count].elementsEqual(magic) }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) || starts([0x50, 0x4B, 0x07, 0x08]) { return .zip }
        if starts([0x93] + Array("NUMPY".utf8)) { return .numpy }
        if starts([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) { return .hdf5 }
        if starts(Array("GGUF".utf8)) { return .gguf }
        if head.count >= 2, head[0] == 0x80, (2...5).contains(head[1]) { return .pickle }
        if TarArchive.looksLikeTar(head) { return .tar }
        if starts(Array("ZF0x".utf8)) { return .joblibZF }
        if let compression = Compression.detect(head), !(ext == "onnx" || base == "saved_model.pb"),
           compression != .zlib || Compression.inflates(head) { return .compressed }
        if isSafetensors(head, size: size) || (ext == "safetensors" && head.count > 8 && head[8] == 0x7B) { return .safetensors }
        if base == "saved_model.pb" { return .savedModel }
        if ext == "onnx" || ext == "ort" { return .onnx }
        if ext == "pth" || ext == "pt" || ext == "bin", looksLikeText(head), !looksLikePickle(head) { return ext == "pth" ? .pythonPath : .unknown }
        if base == "setup.py" { return .setupScript }
        if ext == "json" || base.hasSuffix("tokenizer_config.json") { return .json }
        if pickleExtensions.contains(ext), looksLikePickle(head) || !looksLikeText(head) { return .pickle }
        // Without a telling extension, a protocol 0/1 pickle must also end with STOP (checked when the whole file is
        // in `head`): plain text such as a member named `byteorder` or `METADATA` starts with an opcode letter too.
        if ext.isEmpty || !looksLikeText(head), looksLikePickle(head), let size, size == Int64(head.count),
           head.last(where: { $0 != 0x0A && $0 != 0x0D }) == 0x2E, PickleProbe.parses(head) { return .pickle }
        return .unknown
    }

    /// True when the last 64 KiB hold a zip end-of-central-directory record.
    static func endsLikeZip(_ source: ByteSource) throws(ScanFailure) -> Bool {
        guard source.count >= 22 else { return false }
        let length = Int(min(source.count, 22 + 65_535))
        let tail = try source.read(at: source.count - Int64(length), length)
        var i = length - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 0x05, tail[i + 3] == 0x06 { return true }
            i -= 1
        }
        return false
    }

    /// An 8-byte little-endian header length, then a JSON object that fits in the file.
    static func isSafetensors(_ head: [UInt8], size: Int64?) -> Bool {
        guard head.count >= 10 else { return false }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(head[i]) << (8 * UInt64(i)) }
        guard n >= 2, n <= 100 << 20, head[8] == 0x7B else { return false }
        if let size { return Int64(n) + 8 <= size }
        return true
    }

    /// Protocol 0/1 pickles start with an opcode that opens a value: MARK, GLOBAL, an empty container, a number.
    static func looksLikePickle(_ head: [UInt8]) -> Bool {
        guard let first = head.first else { return false }
        return [0x28, 0x63, 0x7D, 0x5D, 0x29, 0x4E, 0x49, 0x4A, 0x4B, 0x4D, 0x53, 0x56, 0x58, 0x55, 0x54, 0x6C, 0x64, 0x69, 0x47, 0x46, 0x4C].contains(first)
    }

    static func looksLikeText(_ head: [UInt8]) -> Bool {
        !head.isEmpty && head.allSatisfy { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || ($0 >= 0x20 && $0 < 0x7F) || $0 >= 0x80 }
    }
}
