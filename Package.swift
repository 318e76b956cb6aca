// swift-tools-version:6.0
// pmingest: one Swift core (PMIngest), exported three ways — the Swift library product, the
// C-ABI shared library libpmingest.so (product `pmingest`), and the `pmingest` CLI, which is a
// package of its own in cli/ so that a library user never fetches or builds its dependencies.
// Release link flags for the self-contained .so (static stdlib, version script, SONAME) are
// passed by the Makefile on the command line, never here: in the manifest they break `swift test`.
import PackageDescription

let package = Package(
    name: "pmingest",
    products: [
        .library(name: "PMIngest", targets: ["PMIngest"]),
        // The library's log into swift-log, for Swift callers; kept out of the core (and the .so).
        .library(name: "PMIngestSwiftLog", targets: ["PMIngestSwiftLog"]),
        .library(name: "pmingest", type: .dynamic, targets: ["PMIngestC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibWebSockets", pkgConfig: "libwebsockets", providers: [.apt(["libwebsockets-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The public header (include/pmingest.h, symlinked) plus the thread-local error slot.
        .target(name: "CPMIngest"),
        .target(name: "PMIngest", dependencies: ["CCurl", "CLibWebSockets", "CSQLite", "CCrypto"]),
        .target(name: "PMIngestSwiftLog", dependencies: [
            "PMIngest", .product(name: "Logging", package: "swift-log"),
        ]),
        // Only the C boundary: argument checks, handle boxing, status mapping. No logic.
        .target(name: "PMIngestC", dependencies: ["PMIngest", "CPMIngest"]),
        .executableTarget(name: "pmingest-bench", dependencies: ["PMIngest"], path: "bench/swift"),
        // examples/swift: the native async/await API as a Swift caller meets it (run by make test).
        .executableTarget(name: "pmingest-example-swift", dependencies: ["PMIngest"], path: "examples/swift"),
        .testTarget(name: "PMIngestTests", dependencies: ["PMIngest", "PMIngestSwiftLog"]),
    ]
)
