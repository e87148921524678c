import Foundation

/// Python packages (wheels, source distributions): the places where installing or merely having a package runs
/// code. A `.pth` file in site-packages runs its `import` lines at every interpreter start (how compromised wheels
/// of popular packages have run their payloads); a source distribution's `setup.py` runs at install, and can hook
/// the install commands. The package's own modules are not judged: they run only when imported.
enum PythonPackage {
    static func isPackageFile(_ name: String) -> Bool {
        let base = FormatSniffer.baseName(name)
        return base.hasSuffix(".pth") || base == "setup.py" || base == "pyproject.toml"
    }

    /// Scans a member of a wheel or sdist when it is one of the files that run code.
    static func scanMember(_ input: ScanInput, in scan: ScanContext, location: String) throws(ScanFailure) {
        let base = FormatSniffer.baseName(input.name)
        let depth = input.name.split(separator: "/").count
        if base.hasSuffix(".pth") {
            // Only a .pth at the top of site-packages is processed: in a wheel, a member with no folder.
            guard depth == 1 || input.name.contains(".data/purelib/") || input.name.contains(".data/platlib/") else { return }
            checkPathFile(try text(input, limit: scan.options.maximumDocument), in: scan, location: location)
        } else if base == "setup.py", depth <= 2 {
            checkSetupScript(try text(input, limit: scan.options.maximumDocument), in: scan, location: location)
        } else if base == "pyproject.toml", depth <= 2 {
            let source = try text(input, limit: scan.options.maximumDocument)
            if source.contains("backend-path") {
                scan.findings.add(.suspicious, "python.in-tree-backend",
                                  "pyproject.toml builds with a backend from inside the package (backend-path): its code runs at install", at: location)
            }
        }
    }

    static func text(_ input: ScanInput, limit: Int) throws(ScanFailure) -> String {
        let reader = input.reader()
        var bytes: [UInt8] = []
        while try !reader.atEnd {
            bytes += try reader.upTo(min(64 << 10, limit - bytes.count + 1))
            guard bytes.count <= limit else { throw .limit("a text file larger than \(limit) bytes") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Lines of a `.pth` that start with `import` are executed by `site` at interpreter start.
    static func checkPathFile(_ text: String, in scan: ScanContext, location: String) {
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("import ") || trimmed.hasPrefix("import\t") else { continue }
            if knownPathLines.contains(trimmed) { continue }
            let here = "\(location) line \(number + 1)"
            if let why = PythonSource.dangerous(trimmed) {
                scan.findings.add(.malicious, "python.pth-exec", "runs code at every Python start that \(why): `\(trimmed.prefix(120))`", at: here)
            } else {
                scan.findings.add(.suspicious, "python.pth-exec", "runs code at every Python start: `\(trimmed.prefix(120))`", at: here)
            }
        }
    }

    /// `.pth` lines that well-known packages ship (setuptools' distutils shim).
    static let knownPathLines: Set<String> = [
        "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); ",
        "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim();",
        "import _virtualenv",
    ]

    static func checkSetupScript(_ text: String, in scan: ScanContext, location: String) {
        let code = PythonSource.withoutComments(text)
        if let why = PythonSource.dangerous(code) {
            scan.findings.add(.malicious, "python.install-hook", "setup.py, which runs at install, \(why)", at: location)
        }
        for command in ["install", "develop", "egg_info", "bdist_egg", "sdist", "build_py"] {
            if code.range(of: "'\(command)'\\s*:", options: .regularExpression) != nil || code.range(of: "\"\(command)\"\\s*:", options: .regularExpression) != nil {
                if code.contains("cmdclass") {
                    scan.findings.add(.suspicious, "python.install-hook", "setup.py replaces the `\(command)` command (cmdclass): custom code runs at install", at: location)
                }
            }
        }
    }
}

/// Crude but conservative checks of Python source that runs without being imported (`.pth` lines, `setup.py`).
enum PythonSource {
    static func withoutComments(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            guard let hash = line.firstIndex(of: "#"), !line[..<hash].contains("'"), !line[..<hash].contains("\"") else { return line }
            return line[..<hash]
        }.joined(separator: "\n")
    }

    /// Why this code is dangerous, or nil: decoding-then-running, processes, the network, raw memory.
    static func dangerous(_ code: String) -> String? {
        let patterns: [(String, String)] = [
            (#"\b(exec|eval)\s*\("#, "runs code from a string (exec/eval)"),
            (#"\bcompile\s*\("#, "compiles code from a string"),
            (#"b64decode|b32decode|a85decode|codecs\.decode|zlib\.decompress|marshal\.loads|bytes\.fromhex"#, "decodes hidden data"),
            (#"\bsubprocess\b|os\.system|os\.popen|os\.exec|os\.spawn|\bpty\.|commands\.getoutput"#, "starts processes"),
            (#"\bsocket\b|urllib|urlopen|\brequests\.|http\.client|httpx|aiohttp|ftplib"#, "reaches the network"),
            (#"\bctypes\b"#, "reaches raw memory (ctypes)"),
        ]
        for (pattern, why) in patterns where code.range(of: pattern, options: .regularExpression) != nil {
            return why
        }
        return nil
    }
}
