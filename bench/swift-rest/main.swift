// Swift-API REST benchmark: PolymarketClient.fetchOrderBook over CurlTransport against
// bench/book_server, best bid from the decoded OrderBook. Not a SwiftPM target (Package.swift is
// not ours to edit): bench/run_rest.sh compiles it with swiftc against a SwiftPM build folder's
// PMIngest module and objects. Prints `req_per_s <name> <value>` lines (best of runs).
//
//   swift-rest <base-url> <seq-requests> <conc-requests> [runs=3] [concurrency=32]
//
// The transport is built with `rateLimits: [:]`: the Swift API (unlike pm_client_options) lets a
// caller turn off the Polymarket pacing for a server that is not Polymarket. Each run uses a fresh
// client (one untimed warm-up request), like bench/rest_c_abi.c.
import PMIngest
#if canImport(Glibc)
import Glibc
#endif

func seconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, let nSeq = Int(arguments[2]), let nConc = Int(arguments[3]) else {
    fputs("usage: swift-rest <base-url> <seq-requests> <conc-requests> [runs] [concurrency]\n", stderr)
    exit(2)
}
let base = arguments[1]
let runs = arguments.count > 4 ? Int(arguments[4]) ?? 3 : 3
let concurrency = arguments.count > 5 ? Int(arguments[5]) ?? 32 : 32
let token = "21742633143463906290569050155826241533067272736897614950488156847949938836455"
let expectedBest = try Price("0.48")

func makeClient() throws -> (PolymarketClient, CurlTransport) {
    let transport = try CurlTransport(config: HTTPConfig(rateLimits: [:]))
    let client = try PolymarketClient(
        endpoints: PolymarketEndpoints(gammaURL: base, clobURL: base, dataURL: base), transport: transport)
    return (client, transport)
}

func fetchBest(_ client: PolymarketClient) async throws {
    let book = try await client.fetchOrderBook(tokenId: token)
    guard book.bestBid?.price == expectedBest else {
        fputs("wrong best bid \(String(describing: book.bestBid))\n", stderr)
        exit(1)
    }
}

func report(_ name: String, _ value: Double) {
    print("req_per_s \(name) \(Int(value.rounded()))")
    fflush(stdout)
}

var bestSeq = 0.0
for run in 1...runs {
    let (client, transport) = try makeClient()
    try await fetchBest(client)
    let t0 = seconds()
    for _ in 0..<nSeq { try await fetchBest(client) }
    let rate = Double(nSeq) / (seconds() - t0)
    transport.shutdown()
    fputs("rest_seq_swift_api run \(run): \(Int(rate)) req/s\n", stderr)
    bestSeq = max(bestSeq, rate)
}
report("rest_seq_swift_api", bestSeq)

var bestConc = 0.0
for run in 1...runs {
    let (client, transport) = try makeClient()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<concurrency { group.addTask { try await fetchBest(client) } }
        try await group.waitForAll()
    }
    let t0 = seconds()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<concurrency {
            let count = nConc / concurrency + (worker < nConc % concurrency ? 1 : 0)
            group.addTask { for _ in 0..<count { try await fetchBest(client) } }
        }
        try await group.waitForAll()
    }
    let rate = Double(nConc) / (seconds() - t0)
    transport.shutdown()
    fputs("rest_\(concurrency)conc_swift_api run \(run): \(Int(rate)) req/s\n", stderr)
    bestConc = max(bestConc, rate)
}
report("rest_\(concurrency)conc_swift_api", bestConc)
