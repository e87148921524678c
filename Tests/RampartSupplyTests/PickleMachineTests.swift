import Foundation
@testable import RampartSupply
import Testing

/// The symbolic pickle machine on hand-written streams: the opcodes that build names, the limits that bound memory,
/// and how findings are folded.
@Suite("Pickle machine")
struct PickleMachineTests {
    static func scan(_ bytes: [UInt8], options: ScanOptions = ScanOptions(), name: String = "x.pkl") -> FileReport? {
        ModelScanner(options: options).scan(ByteSource(bytes: bytes), name: name, path: name)
    }

    static func su(_ s: String) -> [UInt8] { [0x8C, UInt8(s.utf8.count)] + Array(s.utf8) }

    @Test func judgesNamesAllowlistFirst() {
        let policy = GlobalPolicy()
        #expect(policy.judge(module: "numpy.core.multiarray", name: "_reconstruct") == .safe)
        #expect(policy.judge(module: "sklearn.linear_model._logistic", name: "LogisticRegression") == .safe)
        #expect(policy.judge(module: "joblib.numpy_pickle", name: "NumpyArrayWrapper") == .safe)
        #expect(policy.judge(module: "torch._utils", name: "_rebuild_tensor_v2") == .safe)
        #expect(policy.judge(module: "sklearn.utils", name: "some_function") == .unknown)
        #expect(policy.judge(module: "mycompany.models", name: "Net") == .unknown)
        for (module, name) in [("os", "system"), ("posix", "system"), ("nt", "system"), ("__builtin__", "eval"), ("builtins", "getattr"),
                               ("subprocess", "Popen"), ("socket", "create_connection"), ("joblib", "load"), ("runpy", "run_path"),
                               ("pandas.io.pytables", "HDFStore"), ("builtins", "object.__subclasses__"), ("numpy.testing._private.utils", "runstring")] {
            guard case .dangerous = policy.judge(module: module, name: name) else {
                Issue.record("\(module).\(name) is not judged dangerous")
                continue
            }
        }
        #expect(policy.judge(module: "torch.storage", name: "_load_from_bytes") == .loader(nil))
        // The policy file's lists: allowed names become clean, denied ones malicious, whole modules with `.*`.
        let custom = GlobalPolicy(allowed: ["mycompany.models.*"], denied: ["numpy.core.multiarray._reconstruct"])
        #expect(custom.judge(module: "mycompany.models", name: "Net") == .safe)
        #expect(custom.judge(module: "mycompany.models.deep", name: "Net") == .safe)
        #expect(custom.judge(module: "numpy.core.multiarray", name: "_reconstruct") == .dangerous("forbidden by the policy file"))
        #expect(custom.judge(module: "os", name: "system") != .safe)
    }

    @Test func aNameImportedTwiceIsOneFindingAndABigStringIsNotKept() throws {
        // GLOBAL mycompany.a Net twice, then a 1 MiB BINUNICODE, in a tuple.
        var bytes: [UInt8] = [0x80, 0x02, 0x28] + Array("cmycompany.a\nNet\ncmycompany.a\nNet\n".utf8)
        let big = [UInt8](repeating: 0x61, count: 1 << 20)
        bytes += [0x58] + withUnsafeBytes(of: UInt32(big.count).littleEndian, Array.init) + big + [0x74, 0x2E]
        let report = try #require(Self.scan(bytes))
        #expect(report.verdict == .suspicious)
        #expect(report.findings.filter { $0.rule == "pickle.unknown-global" }.count == 1)
    }

    @Test func theStackAndTheMemoAreBounded() throws {
        var options = ScanOptions()
        options.pickleLimits.stack = 100
        var ints: [UInt8] = []
        for _ in 0..<200 { ints += [0x4B, 1] }
        let stream: [UInt8] = [0x80, 0x02, 0x28] + ints + [0x6C, 0x2E]
        let report = try #require(Self.scan(stream, options: options))
        #expect(report.verdict == .malformed && report.findings.contains { $0.rule == "scan.limit" })

        // Past the memo's limit, entries are dropped; a name fetched from a dropped entry is "computed at load time"
        // (a false alarm on gigantic pickles, never a miss).
        options = ScanOptions()
        options.pickleLimits.memo = 2
        var bytes: [UInt8] = [0x80, 0x04] + Self.su("a") + [0x94] + Self.su("b") + [0x94] + Self.su("posix") + [0x94] + Self.su("system") + [0x94]
        bytes += [0x30, 0x30, 0x30, 0x30, 0x68, 2, 0x68, 3, 0x93, 0x29, 0x52, 0x2E]
        let dropped = try #require(Self.scan(bytes, options: options))
        #expect(dropped.findings.contains { $0.rule == "pickle.dynamic-global" } && dropped.verdict == .malicious)
        // Within the limit, the same stream names posix.system exactly.
        let kept = try #require(Self.scan(bytes))
        #expect(kept.findings.contains { $0.rule == "pickle.dangerous-global" && $0.message.contains("posix.system") })
    }

    @Test func trailingBytesAfterStopAreNotedNotFatal() throws {
        let report = try #require(Self.scan([0x80, 0x02, 0x4E, 0x2E] + Array("not a pickle at all".utf8)))
        #expect(report.verdict == .clean)
        #expect(report.findings.contains { $0.rule == "pickle.trailing-data" && $0.severity == .info })
    }

    /// `pickle.dumps(tensor)` nests a whole `torch.save` archive in bytes passed to `_load_from_bytes`: the archive
    /// is opened and its pickle judged.
    @Test func aNestedTorchArchiveIsScanned() throws {
        let archive = try [UInt8](Data(contentsOf: CorpusTests.corpus.appendingPathComponent("malicious/torch-zip.pt")))
        var bytes: [UInt8] = [0x80, 0x02] + Array("ctorch.storage\n_load_from_bytes\n".utf8)
        bytes += [0x42] + withUnsafeBytes(of: UInt32(archive.count).littleEndian, Array.init) + archive + [0x85, 0x52, 0x2E]
        let report = try #require(Self.scan(bytes))
        #expect(report.verdict == .malicious)
        let finding = try #require(report.findings.first { $0.rule == "pickle.dangerous-global" })
        #expect(finding.location.contains("_load_from_bytes") && finding.location.contains("archive/data.pkl"))
        let benign = try [UInt8](Data(contentsOf: CorpusTests.corpus.appendingPathComponent("benign/torch-state-dict.pt")))
        var clean: [UInt8] = [0x80, 0x02] + Array("ctorch.storage\n_load_from_bytes\n".utf8)
        clean += [0x42] + withUnsafeBytes(of: UInt32(benign.count).littleEndian, Array.init) + benign + [0x85, 0x52, 0x2E]
        #expect(Self.scan(clean)?.verdict == .clean)
    }

    @Test func protocolZeroStringsAndLiteralsDecode() throws {
        #expect(try PythonLiteral.quotedString(Array("'a\\'b\\x41\\n'".utf8), at: 0) == "a'bA\n")
        #expect(PythonLiteral.rawUnicodeEscape(Array("caf\\u00e9 \\U0001F600".utf8)) == "café 😀")
        let header = try PythonLiteral.parse(Array("{'descr': [('x', '<f4'), ('y', '<i8', (2,))], 'fortran_order': False, 'shape': (3, 4), }".utf8))
        let dtype = try NumPyDType(descr: try #require(header["descr"]))
        #expect(dtype.itemSize == 20 && !dtype.isObject)
        #expect(try NumPyDType.elements(try #require(header["shape"])) == 12)
        #expect(throws: ScanFailure.self) { try PythonLiteral.parse(Array("{'descr': os.system}".utf8)) }
    }
}
