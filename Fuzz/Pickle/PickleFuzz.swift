// libFuzzer target for the symbolic pickle machine of `rampart model scan` (RampartSupply). Built and run by
// Fuzz/run.sh (the `fuzz-pickle` product). Invariants: never crash or hang, memory stays within the machine's
// limits, and a file's verdict is the worst of its findings.
import FuzzDriver
import RampartSupply

func fuzzPickle(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    var options = ScanOptions()
    options.pickleLimits.stack = 4096
    options.pickleLimits.memo = 1024
    options.pickleLimits.retained = 1 << 20
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let report = ModelScanner(options: options).scan(ByteSource(bytes: bytes), name: "fuzz.pkl", path: "fuzz.pkl") else { return 0 }
    let worst = report.findings.compactMap { f -> Verdict? in
        switch f.severity {
        case .info: nil
        case .suspicious: .suspicious
        case .malformed: .malformed
        case .malicious: .malicious
        }
    }.max() ?? .clean
    guard worst == report.verdict else { fatalError("verdict \(report.verdict) is not the worst finding \(worst)") }
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzzPickle) }
}
