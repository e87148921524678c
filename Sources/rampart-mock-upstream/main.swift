// A stand-in OpenAI-compatible upstream for Rampart's end-to-end tests and benchmarks (never for production).
// Usage: rampart-mock-upstream [PORT]   (default 0: a free port; the bound port is printed on standard output)
import Foundation
import Hummingbird
import RampartTesting

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 0 : 0
let mock = MockOpenAIUpstream()
let app = Application(
    router: mock.router(),
    configuration: .init(address: .hostname("127.0.0.1", port: port)),
    onServerRunning: { channel in
        FileHandle.standardOutput.write(Data("listening \(channel.localAddress?.port ?? 0)\n".utf8))
    })
try await app.runService()
