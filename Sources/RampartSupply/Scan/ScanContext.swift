/// The scanner's limits and policy (`rampart model scan` flags and `--policy`).
public struct ScanOptions: Sendable {
    public var policy = GlobalPolicy()
    /// How deep archives and nested pickles may nest.
    public var maximumDepth = 8
    /// Bytes one compressed stream may expand to.
    public var maximumExpanded: Int64 = 64 << 30
    /// Bytes of a nested file copied to disk for random access.
    public var maximumSpooled: Int64 = 16 << 30
    /// A JSON or text member read whole (configs, templates).
    public var maximumDocument = 64 << 20
    public var pickleLimits = PickleLimits()

    public init() {}
}

/// What the symbolic pickle machine keeps in memory, whatever the file's size.
public struct PickleLimits: Sendable {
    public var stack = 1 << 22
    /// Memo entries kept; past this, entries are dropped and a name read back from one counts as computed at load
    /// time (a false alarm on gigantic pickles, never a miss).
    public var memo = 1 << 20
    /// Bytes of strings, byte strings and container elements kept at once.
    public var retained = 32 << 20
    /// Strings and byte strings longer than this are skipped, keeping only their size and offset.
    public var kept = 64 << 10
    public var line = 1 << 20
    /// Mutable objects (lists, dicts, instances) one pickle may make.
    public var nodes = 1 << 20

    public init() {}
}

/// One file's scan in progress: its findings, and the dispatch from a format to its scanner, which archives and
/// nested pickles call again for what they hold.
final class ScanContext {
    let options: ScanOptions
    let findings = FindingCollector()

    init(options: ScanOptions) { self.options = options }

    var policy: GlobalPolicy { options.policy }

    static func join(_ location: String, _ member: String) -> String {
        location.isEmpty ? member : location + "!/" + member
    }

    /// Scans `input` as whatever its bytes say it is; returns the format's name (for the file's report), or nil
    /// when the format is not one the scanner judges. Failures become `malformed` findings here.
    @discardableResult
    func scan(_ input: ScanInput, location: String, depth: Int) -> String? {
        guard depth <= options.maximumDepth else {
            findings.add(.malformed, "scan.too-deep", "nested more than \(options.maximumDepth) levels deep; not inspected", at: location)
            return "nested"
        }
        var format: String?
        do {
            let head = try input.head()
            var kind = FormatSniffer.sniff(head, name: input.name, size: input.size)
            // A zip is found from its end (as Python's zipfile finds it): something else prepended to one is still one.
            if kind == .unknown, let source = input.seekable, try FormatSniffer.endsLikeZip(source) { kind = .zip }
            format = kind == .unknown ? nil : kind.rawValue
            switch kind {
            case .pickle: format = try PickleFile.scan(input, in: self, location: location, depth: depth)
            case .zip: format = try ZipFile.scan(input, in: self, location: location, depth: depth)
            case .tar: format = try TarFile.scan(input, in: self, location: location, depth: depth)
            case .compressed: format = try CompressedFile.scan(input, head: head, in: self, location: location, depth: depth)
            case .joblibZF: format = try CompressedFile.scanJoblibZF(input, in: self, location: location, depth: depth)
            case .numpy: format = try NumPyFile.scan(input, in: self, location: location, depth: depth)
            case .safetensors: format = try SafetensorsFile.scan(input, in: self, location: location)
            case .gguf: format = try GGUFFile.scan(input, in: self, location: location)
            case .onnx: format = try ONNXFile.scan(input, in: self, location: location, depth: depth)
            case .savedModel: format = try SavedModelFile.scan(input, in: self, location: location)
            case .json: format = try JSONConfigFile.scan(input, in: self, location: location)
            case .pythonPath:
                PythonPackage.checkPathFile(try PythonPackage.text(input, limit: options.maximumDocument), in: self, location: location)
            case .setupScript:
                PythonPackage.checkSetupScript(try PythonPackage.text(input, limit: options.maximumDocument), in: self, location: location)
            case .hdf5: format = try KerasH5File.scan(input, in: self, location: location)
            case .unknown: break
            }
            if let check = input.checksum, check.chunks.complete, check.chunks.count == check.size, check.chunks.crc != check.expected {
                findings.add(.suspicious, "zip.crc-mismatch",
                             "the stored CRC-32 does not match the content: some tools refuse the file while PyTorch loads it, a way to hide from scanners",
                             at: location)
            }
        } catch {
            findings.add(error, at: location.isEmpty ? "offset \(0)" : location)
        }
        return format
    }

    /// Bytes an unpickler would load from inside a pickle (PyTorch's `_load_from_bytes`, `pickle.loads`).
    func scanNested(_ source: ByteSource, location: String, depth: Int) {
        scan(ScanInput(source: source, name: ""), location: location, depth: depth)
    }
}
