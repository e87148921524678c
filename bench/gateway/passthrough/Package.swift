// swift-tools-version:6.1
// The floor of the Swift stack for the gateway benchmark: a pass-through HTTP/1.1 proxy written directly on SwiftNIO
// channel handlers (no auth, no parsing, no records, no async/await). It does none of Rampart's work, so its throughput
// is the most a Swift gateway on this stack can reach on this machine; bench/gateway/run.sh measures it beside nginx.
import PackageDescription

let package = Package(
    name: "passthrough",
    dependencies: [.package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3")],
    targets: [
        .executableTarget(name: "passthrough", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
    ]
)
