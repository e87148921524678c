// swift-tools-version:6.1
// Micro-benchmarks of Rampart's text scanners, ledger and model runtime and monitors (ordo-one/benchmark): `cd Benchmarks && swift package benchmark`.
// A package of its own, so the main build and CI do not build the benchmark tooling.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder: whatever the clone of Rampart is called.
let rampart = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "rampart-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TextScanners",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RampartCore", package: rampart),
                .product(name: "RampartText", package: rampart),
            ],
            path: "Benchmarks/TextScanners",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Ledger",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RampartLedger", package: rampart),
                .product(name: "RampartStore", package: rampart),
                .product(name: "RampartCore", package: rampart),
            ],
            path: "Benchmarks/Ledger",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Models",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RampartML", package: rampart),
                .product(name: "RampartONNX", package: rampart),
            ],
            path: "Benchmarks/Models",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
