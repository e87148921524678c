// libFuzzer target for the JSON parser that reads every request body (Sources/RampartCore/JSON).
// Built and run by Fuzz/run.sh (the `fuzz-json` product). Invariants: never crash; what parses re-encodes to text that parses to the same value.
import FuzzDriver
import RampartCore
func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let value = try? JSONValue.parse(bytes) else { return 0 }
    let encoded = value.encoded()
    guard let again = try? JSONValue.parse(encoded), again == value else {
        fatalError("re-encoded JSON does not parse back to the same value")
    }
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzzJSON) }
}
