/// A pickle file: `pickle.dump`, `joblib.dump` (arrays inline after their wrappers), or PyTorch's legacy
/// (pre-1.6, non-zip) `torch.save` format — five pickles one after the other (magic number, protocol version,
/// system info, the object, the storage keys), then the raw storages, which are never unpickled and not read.
enum PickleFile {
    /// The legacy format's first pickle: protocol 2, LONG1 of 10 bytes, 0x1950a86a20f9469cfc6c.
    static let legacyTorchMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]

    static func scan(_ input: ScanInput, in scan: ScanContext, location: String, depth: Int) throws(ScanFailure) -> String {
        let head = try input.head()
        let reader = input.reader()
        let machine = PickleMachine(reader: reader, source: input.seekable, scan: scan, location: location, depth: depth)
        if head.starts(with: legacyTorchMagic) {
            // Magic number, protocol, system info, the object, the storage keys.
            for _ in 0..<5 { _ = try machine.next().run() }
            return "pytorch-legacy"
        }
        _ = try machine.runAll()
        return machine.built.keys.contains { JoblibArray.wrapperClasses.contains($0.module + "." + $0.name) } ? "joblib" : "pickle"
    }
}
