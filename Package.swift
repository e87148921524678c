// swift-tools-version:6.1
// Rampart — the OWASP AI Security and Privacy Guide, put into practice. docs/design.md describes the targets and the
// rules between them: arrows point down only, every module a target imports is declared here, and no target needs
// unsafe flags, so each library product can be used as a versioned dependency.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "rampart",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rampart", targets: ["rampart"]),
        .library(name: "RampartCore", targets: ["RampartCore"]),
        .library(name: "RampartStore", targets: ["RampartStore"]),
        .library(name: "RampartGateway", targets: ["RampartGateway"]),
        .library(name: "RampartText", targets: ["RampartText"]),
        .library(name: "RampartLedger", targets: ["RampartLedger"]),
        .library(name: "RampartML", targets: ["RampartML"]),
        .library(name: "RampartONNX", targets: ["RampartONNX"]),
        .library(name: "RampartProbe", targets: ["RampartProbe"]),
        .library(name: "RampartSupply", targets: ["RampartSupply"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        // Plain value types: config, decisions, errors, risk vocabulary. No I/O.
        .target(
            name: "RampartCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Text scanners: normalization, decode-and-rescan, PII, secrets, canaries. No I/O, no gateway.
        .target(
            name: "RampartText",
            swiftSettings: swiftSettings
        ),
        // One SQL layer (SQLKit) over SQLite (one file, embedded) and PostgreSQL (several replicas).
        .target(
            name: "RampartStore",
            dependencies: [
                "RampartCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The ledger: a tamper-evident Merkle log (RFC 6962/9162) with signed checkpoints; consent and subjects'
        // rights on top of it.
        .target(
            name: "RampartLedger",
            dependencies: [
                "RampartCore",
                "RampartStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // OpenBLAS's CBLAS (Debian libopenblas-dev), for RampartML's matrix products.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Float tensors over OpenBLAS: the arithmetic of the native model runtime. No I/O.
        .target(
            name: "RampartML",
            dependencies: ["COpenBLAS"],
            swiftSettings: swiftSettings
        ),
        // ONNX models: the protobuf schema (generated once by scripts/onnx/generate-swift.sh, committed) and the loader.
        .target(
            name: "RampartONNX",
            dependencies: ["RampartML", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings
        ),
        // The red team: attacks on classifiers through one query-counting oracle.
        .target(
            name: "RampartProbe",
            dependencies: [
                "RampartCore",
                "RampartML",
                "RampartONNX",
                // HTTP targets: keep-alive pooling and TCP_NODELAY for free; the probe is not the gateway's hot path.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),   // campaign files
            ],
            swiftSettings: swiftSettings
        ),
        // zlib, liblzma and libbzip2 (Debian zlib1g-dev, liblzma-dev, libbz2-dev): the compressed streams model
        // files and packages come in.
        .systemLibrary(name: "CCompression", providers: [.apt(["zlib1g-dev", "liblzma-dev", "libbz2-dev"])]),
        // The model supply chain: scanning model files and packages without running them, signing and verifying
        // models (OpenSSF model signing), ML bills of materials.
        .target(
            name: "RampartSupply",
            dependencies: [
                "RampartCore",
                "RampartONNX",
                "CCompression",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),   // --policy files
            ],
            swiftSettings: swiftSettings
        ),
        // The gateway: the hot path from request to decision record.
        .target(
            name: "RampartGateway",
            dependencies: [
                "RampartCore",
                "RampartStore",
                "RampartText",
                "RampartLedger",
                "RampartML",
                "RampartONNX",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "rampart",
            dependencies: [
                "RampartCore",
                "RampartStore",
                "RampartGateway",
                "RampartText",
                "RampartLedger",
                "RampartML",
                "RampartONNX",
                "RampartProbe",
                "RampartSupply",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A stand-in OpenAI-compatible upstream (the one test double allowed: an LLM we do not ship).
        .target(
            name: "RampartTesting",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test support: the suites run against every backend `TestBackend.available` lists.
        .target(
            name: "RampartStoreTesting",
            dependencies: ["RampartStore", "RampartCore", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "rampart-mock-upstream",
            dependencies: ["RampartTesting", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        // libFuzzer targets for the parsers of untrusted input, built from the targets that hold them. `swift build`
        // makes corpus replayers of them; Fuzz/run.sh builds them with `-sanitize=fuzzer,address -D FUZZING`.
        .target(name: "FuzzDriver", path: "Fuzz/Driver", swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-json", dependencies: ["FuzzDriver", "RampartCore"], path: "Fuzz/JSON", swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-sse", dependencies: ["FuzzDriver", "RampartCore"], path: "Fuzz/SSE", swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-text", dependencies: ["FuzzDriver", "RampartText"], path: "Fuzz/Text", swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-kserve", dependencies: ["FuzzDriver", "RampartCore"], path: "Fuzz/KServe", swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-csv", dependencies: ["FuzzDriver", "RampartML"], path: "Fuzz/CSV", swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-pickle", dependencies: ["FuzzDriver", "RampartSupply"], path: "Fuzz/Pickle", swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-modelfiles", dependencies: ["FuzzDriver", "RampartSupply"], path: "Fuzz/ModelFiles", swiftSettings: swiftSettings),
        .testTarget(
            name: "RampartCoreTests",
            dependencies: ["RampartCore", "RampartStoreTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartTextTests",
            dependencies: ["RampartText"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartLedgerTests",
            dependencies: [
                "RampartLedger", "RampartStore", "RampartCore", "RampartStoreTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartMLTests",
            dependencies: [
                "RampartML", "RampartONNX", "RampartCore", "RampartStoreTesting",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartProbeTests",
            dependencies: [
                "RampartProbe", "RampartML", "RampartONNX", "RampartCore",
                // A KServe v2 model server on loopback, standing in for a third-party one (MLServer, Triton).
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartSupplyTests",
            dependencies: ["RampartSupply", "RampartCore", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Corpus", "Signing"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartStoreTests",
            dependencies: ["RampartStore", "RampartCore", "RampartStoreTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RampartGatewayTests",
            dependencies: [
                "RampartGateway",
                "RampartStore",
                "RampartCore",
                "RampartLedger",
                "RampartText",
                "RampartTesting",
                "RampartStoreTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
