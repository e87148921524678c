/// Whether a small file is a protocol 0/1 pickle: it runs to STOP on the symbolic machine without an error.
enum PickleProbe {
    static func parses(_ bytes: [UInt8]) -> Bool {
        let scan = ScanContext(options: ScanOptions())
        let machine = PickleMachine(reader: ByteSource(bytes: bytes).reader(), source: nil, scan: scan, location: "", depth: 0)
        return (try? machine.run()) != nil
    }
}
