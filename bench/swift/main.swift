// Swift-API storage benchmark: batched trade upserts through TradeRepository, the same rows and
// database settings as bench/sqlite_raw.c. Prints `rows_per_s <name> <value>` lines (best of N)
// for bench/run_storage.sh to set beside the raw-C baseline measured in the same run.
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
if arguments.count > 2, arguments[1] == "stream-decode" {   // bench/run_stream_decode.sh
    exit(streamDecodeBench(path: arguments[2], runs: arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3))
}
let rows = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let runs = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
let token = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
let condition = "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"

func makeTrades(run: Int) throws -> [PolymarketTrade] {
    try (0..<rows).map { i in
        try PolymarketTrade(tokenId: token, conditionId: condition, side: i % 2 == 0 ? .buy : .sell,
                            price: Price(micros: Int64(10_000 + i % 980_000)), size: Size(micros: Int64(1_000_000 + i)),
                            timestampMs: 1_767_225_600_000 + Int64(run * rows + i),
                            transactionHash: "0x\(run)-\(i)", proxyWallet: "0x1234567890abcdef1234567890abcdef12345678",
                            outcome: "Yes")
    }
}

func measure(_ name: String, batchSize: Int, path: (Int) -> String) throws {
    var best = 0.0
    for run in 0..<runs {
        let trades = try makeTrades(run: run)  // built before the clock starts: we time storage only
        let database = try Database(DatabaseConfig(path: path(run)))
        let repository = TradeRepository(database)
        let start = seconds()
        var index = 0
        while index < trades.count {
            let end = min(index + batchSize, trades.count)
            try repository.upsert(Array(trades[index..<end]))
            index = end
        }
        let elapsed = seconds() - start
        best = max(best, Double(rows) / elapsed)
        database.close()
    }
    print("rows_per_s \(name) \(Int(best))")
}

let directory = String(cString: mkdtemp(strdup("/tmp/pmingest-bench-XXXXXX")))
defer { _ = system("rm -rf '\(directory)'") }
do {
    // One call for all rows (as the raw-C baseline: one transaction), and 1000-row batches.
    try measure("swift_api_memory", batchSize: rows) { _ in DatabaseConfig.inMemoryPath }
    try measure("swift_api_file", batchSize: rows) { run in "\(directory)/swift-\(run).db" }
    try measure("swift_api_file_batch1000", batchSize: 1000) { run in "\(directory)/swift-b-\(run).db" }
} catch {
    print("error: \(error)")
    exit(1)
}
