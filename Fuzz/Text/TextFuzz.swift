// libFuzzer target: TextScanner on arbitrary bytes (as UTF-8, lossily) must not crash, hang or report a
// finding outside the input; redacting every finding with every operator and restoring the placeholders must
// give the input back where the operator is reversible.
import FuzzDriver
import RampartText
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let count = text.unicodeScalars.count
    let findings = scanner.scan(text)
    for finding in findings {
        precondition(finding.start >= 0 && finding.start <= finding.end && finding.end <= count, "finding outside the input")
    }
    let pii = findings.filter { $0.kind == .pii }
    for op in RedactionOperator.allCases {
        var vault = RedactionVault()
        let redacted = TextEdit.apply(redactor.edits(for: pii, in: text, vault: &vault) { _ in op }, to: text)
        if op == .placeholder, !text.contains("<") {
            precondition(vault.restore(redacted) == text, "placeholders did not restore the input")
        }
    }
    return 0
}

let scanner = TextScanner(options: .init(canaries: ["cnyk7qz2m4xw5ab3cd6e"], currentYear: 2026))
let redactor = Redactor { type, value in String(UInt(bitPattern: (type + value).hashValue) % 1_000_000) }

@main enum Main {
    static func main() { FuzzDriver.run(fuzz) }
}
