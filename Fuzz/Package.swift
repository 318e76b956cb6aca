// swift-tools-version:6.0
// libFuzzer targets for pmingest's parsers (run by scripts/fuzz.sh, `make fuzz`).
//
// A package of its own, depending on the root by path, so the root manifest stays free of
// sanitizer flags and `swift build`/`swift test` there never see these executables. The fuzzing
// flags are passed on the command line (scripts/fuzz.sh) because they must reach PMIngest too:
// libFuzzer is guided by coverage of the core, not of these thin entry points.
//
// The properties each target checks live in Tests/PMIngestTests/Fuzz/Properties (FuzzProperties
// here is a symlink to it), so the normal test suite replays corpus and crash inputs through the
// very same checks.
import PackageDescription

let fuzzTargets = ["fuzz-decimal", "fuzz-book", "fuzz-trades", "fuzz-markets", "fuzz-stream"]

let package = Package(
    name: "pmingest-fuzz",
    products: fuzzTargets.map { .executable(name: $0, targets: [$0]) },
    dependencies: [.package(name: "pmingest", path: "..")],
    targets: [
        .target(name: "FuzzProperties", dependencies: [.product(name: "PMIngest", package: "pmingest")]),
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzMain", dependencies: ["CLibFuzzer", "FuzzProperties"]),
    ] + fuzzTargets.map { .executableTarget(name: $0, dependencies: ["FuzzMain", "FuzzProperties"]) }
)
