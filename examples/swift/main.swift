// A Swift caller's view of pmingest: async/await, no C in sight.
//
//   swift run pmingest-example-swift            (production URLs)
//   PMINGEST_GAMMA_URL=… PMINGEST_CLOB_URL=… PMINGEST_DATA_URL=… PMINGEST_WS_URL=… swift run pmingest-example-swift
//
// It syncs market metadata into SQLite, reads recent trades through the G1 age check, streams
// price updates (which carry no size: G3) as an AsyncSequence, back-fills their size over REST,
// and verifies each passing signal against the order book (G5) before a would-be order.
import PMIngest
#if canImport(Glibc)
import Glibc
#endif

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

@main
struct Example {
    static func main() async {
        do {
            try await run()
        } catch {
            print("error: \(error)")
            exit(1)
        }
    }

    static func run() async throws {
        let production = PolymarketEndpoints.production
        let endpoints = PolymarketEndpoints(gammaURL: environment("PMINGEST_GAMMA_URL") ?? production.gammaURL,
                                            clobURL: environment("PMINGEST_CLOB_URL") ?? production.clobURL,
                                            dataURL: environment("PMINGEST_DATA_URL") ?? production.dataURL)
        let transport = try CurlTransport(config: HTTPConfig())
        defer { transport.shutdown() }
        let client = try PolymarketClient(endpoints: endpoints, transport: transport)

        // Metadata into a throwaway database.
        let database = try Database(.inMemory())
        let report = try await MetadataSync(client: client, database: database).sync()
        print("synced \(report.markets) markets (\(report.inserted) tokens)")
        let tokens = try TokenMetaRepository(database).list().filter { $0.active }.map(\.tokenId)
        guard let token = tokens.first else { print("no active markets"); return }

        // G1: only trades that passed the age check.
        let fetcher = try TradeFetcher(source: client, maxAgeSeconds: 300)
        let recent = try await fetcher.fetchRecentTradesReport(tokenId: token)
        print("recent trades: \(recent.trades.count) fresh, \(recent.droppedStale) stale dropped")

        // The stream as an AsyncSequence; G3 back-fill and G5 check per price update.
        let stream = try StreamClient(config: StreamClientConfig(url: environment("PMINGEST_WS_URL") ?? StreamClientConfig().url))
        defer { stream.close() }
        try await stream.connectAsync()
        try stream.subscribe(tokenIds: tokens)
        let processor = EventProcessor(fetcher: fetcher)
        let seconds = Int64(environment("PMINGEST_EXAMPLE_SECONDS").flatMap { Int64($0) } ?? 5)
        let deadline = SystemClock().nowMilliseconds() + seconds * 1000
        let watchdog = Task { try await Task.sleep(for: .seconds(seconds)); stream.close() }   // ends the sequence
        defer { watchdog.cancel() }
        var signals = 0
        for await event in stream.events {
            for processed in await processor.process(event) where processed.passedSizeFilter {
                signals += 1
                let check = try await verifyOrderbookPrice(client: client, tokenId: processed.update.tokenId,
                                                           expectedPrice: processed.update.price)
                print("\(processed.update.price) x \(processed.size?.description ?? "?"): "
                      + (check.isValid ? "ok to order" : "REJECTED") + " — \(check.reason)")
            }
            if SystemClock().nowMilliseconds() >= deadline { break }
        }
        let stats = processor.stats
        print("processed \(stats.totalProcessed) price updates, \(stats.g3Backfilled) sizes back-filled, \(signals) signals checked")
    }
}
