// libFuzzer target: TextScanner on arbitrary bytes (as UTF-8, lossily) must not crash, hang or report a
// finding outside the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let count = text.unicodeScalars.count
    for finding in scanner.scan(text) {
        precondition(finding.start >= 0 && finding.start <= finding.end && finding.end <= count, "finding outside the input")
    }
    return 0
}

let scanner = TextScanner(options: .init(canaries: ["cnyk7qz2m4xw5ab3cd6e"], currentYear: 2026))
