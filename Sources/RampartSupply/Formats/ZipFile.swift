/// Zip containers: PyTorch's `torch.save` archives (`<any root>/data.pkl` and raw storages under `<root>/data/`),
/// TorchScript archives, NumPy's `.npz`, Keras v3 `.keras` files, Python wheels, and plain zips of any of these.
/// Every member is scanned as what its bytes say it is, except PyTorch's storages, which are raw tensor bytes a
/// loader never unpickles.
enum ZipFile {
    static func scan(_ input: ScanInput, in scan: ScanContext, location: String, depth: Int) throws(ScanFailure) -> String {
        let source = try input.randomAccess(limit: scan.options.maximumSpooled)
        let archive = try ZipArchive(source)
        let members = archive.members
        let names = members.map(\.name)
        let kind = classify(names)
        if archive.prefix > 0 {
            scan.findings.add(.suspicious, "zip.prepended-data",
                              "\(archive.prefix) bytes come before the archive: a file that is also something else (a polyglot)", at: location)
        }
        if archive.duplicateNames > 0 {
            scan.findings.add(.suspicious, "zip.duplicate-names",
                              "\(archive.duplicateNames) member names occur twice: zip readers disagree on which one they load", at: location)
        }
        for member in members where !member.isDirectory {
            let here = ScanContext.join(location, member.name)
            if member.name.hasPrefix("/") || member.name.split(separator: "/").contains("..") || member.name.contains("\\..") {
                scan.findings.add(.suspicious, "archive.path-traversal", "member name `\(member.name)` leaves the folder it is extracted to", at: here)
            }
            if kind == "pytorch", isStorage(member.name) { continue }
            do {
                let (offset, localName) = try archive.dataStart(of: member)
                if localName != member.name {
                    scan.findings.add(.suspicious, "zip.name-mismatch",
                                      "the local header names `\(localName)` where the central directory names `\(member.name)`", at: here)
                }
                _ = offset
                let (reader, checksum) = try archive.reader(for: member, limit: scan.options.maximumExpanded)
                let memberInput = member.method == 0
                    ? ScanInput(source: try archive.storedBytes(of: member), stream: reader, name: member.name)
                    : ScanInput(stream: reader, name: member.name)
                memberInput.checksum = (checksum, member.crc, member.size)
                if kind == "wheel", PythonPackage.isPackageFile(member.name) {
                    try PythonPackage.scanMember(memberInput, in: scan, location: here)
                } else {
                    scan.scan(memberInput, location: here, depth: depth + 1)
                }
            } catch {
                scan.findings.add(error, at: here)
            }
        }
        return kind
    }

    static func classify(_ names: [String]) -> String {
        if names.contains(where: { $0 == "data.pkl" || ($0.hasSuffix("/data.pkl") && $0.split(separator: "/").count == 2) }) { return "pytorch" }
        if names.contains(where: { $0.hasSuffix("/constants.pkl") || $0.hasSuffix("/code/") }) { return "torchscript" }
        if names.contains("config.json"), names.contains("metadata.json") || names.contains("model.weights.h5") { return "keras" }
        if names.contains(where: { $0.hasSuffix(".dist-info/WHEEL") || $0.hasSuffix(".dist-info/RECORD") }) { return "wheel" }
        let files = names.filter { !$0.hasSuffix("/") }
        if !files.isEmpty, files.allSatisfy({ $0.hasSuffix(".npy") }) { return "npz" }
        return "zip"
    }

    /// `<root>/data/<key>`: a storage's raw bytes.
    static func isStorage(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[1] == "data" && !parts[2].isEmpty
    }
}
