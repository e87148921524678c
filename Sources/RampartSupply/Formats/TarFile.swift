/// Tar archives (plain, or inside gzip/xz/bzip2): Python source distributions, old PyTorch checkpoints, bundles of
/// model folders. Members are scanned in order as they stream past; links are reported, never followed.
enum TarFile {
    static func scan(_ input: ScanInput, in scan: ScanContext, location: String, depth: Int) throws(ScanFailure) -> String {
        let archive = TarArchive(reader: input.reader())
        var names: [String] = []
        var isSdist = false
        try archive.forEach { (member: TarArchive.Member, content: ByteReader) throws(ScanFailure) in
            let here = ScanContext.join(location, member.name)
            if names.count < 100_000 { names.append(member.name) }
            if member.name.hasPrefix("/") || member.name.split(separator: "/").contains("..") {
                scan.findings.add(.suspicious, "archive.path-traversal", "member name `\(member.name)` leaves the folder it is extracted to", at: here)
            }
            if member.type == 0x32 || member.type == 0x31,
               member.linkTarget.hasPrefix("/") || member.linkTarget.split(separator: "/").contains("..") {
                scan.findings.add(.suspicious, "archive.link-outside", "link `\(member.name)` points outside the archive, to `\(member.linkTarget)`", at: here)
            }
            guard member.isFile else { return }
            let parts = member.name.split(separator: "/")
            if parts.count == 2, parts[1] == "PKG-INFO" || parts[1] == "setup.py" || parts[1] == "pyproject.toml" { isSdist = true }
            let memberInput = ScanInput(stream: content, name: member.name)
            do throws(ScanFailure) {
                if PythonPackage.isPackageFile(member.name) {
                    try PythonPackage.scanMember(memberInput, in: scan, location: here)
                } else {
                    scan.scan(memberInput, location: here, depth: depth + 1)
                }
            } catch {
                scan.findings.add(error, at: here)
            }
        }
        return isSdist ? "sdist" : "tar"
    }
}
