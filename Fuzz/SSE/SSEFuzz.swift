// libFuzzer target for the server-sent-event splitter that reads every streamed upstream response
// (RampartCore's ServerSentEventSplitter). Built and run by Fuzz/run.sh (the `fuzz-sse` product).
// Invariants: never crash; whatever the chunking, events plus the unfinished tail are exactly the input.
import FuzzDriver
import RampartCore
func fuzzSSE(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard !bytes.isEmpty else { return 0 }
    let step = Int(bytes[0] % 17) + 1
    var splitter = ServerSentEventSplitter(maxEventBytes: 1 << 16)
    var out: [UInt8] = []
    var i = 1
    while i < bytes.count {
        guard let events = try? splitter.feed(bytes[i..<min(bytes.count, i + step)]) else { return 0 }
        for event in events {
            out += event
            _ = ServerSentEventSplitter.data(of: event)
        }
        i += step
    }
    if out + splitter.remainder != Array(bytes.dropFirst()) { fatalError("the splitter lost or invented bytes") }
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzzSSE) }
}
