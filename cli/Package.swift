// swift-tools-version:6.0
// The pmingest command-line tool, a package of its own so that a Swift program depending on the
// PMIngest library never resolves, fetches or builds the CLI's dependency (swift-argument-parser
// and its plugins). It uses the library exactly as any other Swift caller does.
// `make cli` builds it in the same scratch path as the shared library, so the core compiled for
// the .so is reused.
import PackageDescription

let package = Package(
    name: "pmingest-cli",
    products: [
        // Named pmingest-cli because SwiftPM skips an executable product that shares a library
        // product's name; `make install` installs it as `pmingest`.
        .executable(name: "pmingest-cli", targets: ["pmingest-cli"]),
    ],
    dependencies: [
        // `name:` fixes the identity used below: a path dependency is otherwise named after its
        // directory, which is whatever the checkout is called.
        .package(name: "pmingest", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(name: "pmingest-cli", dependencies: [
            .product(name: "PMIngest", package: "pmingest"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
    ]
)
