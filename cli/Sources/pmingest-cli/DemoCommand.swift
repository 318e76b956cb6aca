import ArgumentParser
@_spi(PMIngestTools) import PMIngest

/// The whole pipeline, as a trading engine would run it, printing each guard as it fires.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the ingestion pipeline: metadata sync, recent trades (G1), stream with size back-fill (G3), "
            + "book check before a would-be order (G5).",
        discussion: "make demo runs this against the bundled fake Polymarket; give the real URLs to run it live.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "SQLite database file.") var db: String
    @Option(help: "Stream for this many seconds.") var seconds = 8
    @Option(help: "Minimum trade size for a signal to count.") var minSize = "50"
    @Option(help: "At most this many tokens.") var maxTokens = 20
    @Flag(help: "NDJSON output: one JSON object per step result instead of the narrative.") var json = false

    func run() async throws {
        Interrupt.install()
        let (client, transport) = try connection.client()
        defer { transport.shutdown() }
        let database = try Database(DatabaseConfig(path: db))
        let sync = MetadataSync(client: client, database: database)

        section("1. metadata: Gamma -> SQLite")
        let report = try await sync.sync()
        emit("sync") { o in
            o.add("markets", Int64(report.markets)); o.add("inserted", Int64(report.inserted))
            o.add("updated", Int64(report.updated)); o.add("unchanged", Int64(report.unchanged))
        }
        say("   \(report.markets) active markets; token records: \(report.inserted) inserted, "
              + "\(report.updated) updated, \(report.unchanged) unchanged")
        let metas = try TokenMetaRepository(database).list().filter { $0.active && !$0.closed }
        let tokens = Array(metas.map(\.tokenId).prefix(maxTokens))

        section("2. recent trades with the age check (G1: max age \(TradeFetcher.defaultMaxAgeSeconds) s)")
        let fetcher = try TradeFetcher(source: client)
        var saved = 0
        for token in tokens {
            let fresh = try await fetcher.fetchRecentTradesReport(tokenId: token)
            saved += try sync.saveTrades(fresh.trades)
            try sync.updateWatermark(trades: fresh.trades)
            let outcome = metas.first { $0.tokenId == token }?.outcome ?? "?"
            let stale = fresh.droppedStale > 0 ? "  <- G1 dropped \(fresh.droppedStale) stale trade(s)" : ""
            emit("recent_trades") { o in
                o.add("token_id", token); o.add("fresh", Int64(fresh.trades.count))
                o.add("dropped_stale", Int64(fresh.droppedStale))
            }
            say("   \(Output.shortToken(token)) \(outcome): \(fresh.trades.count) fresh\(stale)")
        }
        say("   stored \(saved) new trades")

        section("3. stream: price updates have no size; back-fill over REST (G3), filter size >= \(minSize)")
        let minimum: Size
        do { minimum = try Size(minSize) } catch { throw PMError(.invalidArgument, "--min-size: \(error)") }
        let processor = EventProcessor(fetcher: fetcher, configuration: .init(minimumSize: minimum))
        let live = try StreamClient(config: StreamClientConfig(url: connection.streamURL))
        defer { live.close() }
        try await live.connectAsync()
        try live.subscribe(tokenIds: tokens)
        let deadline = SystemClock().nowMilliseconds() + Int64(seconds) * 1000
        var signals: [ProcessedEvent] = []
        while !Interrupt.requested, SystemClock().nowMilliseconds() < deadline {
            guard let event = try live.next(timeoutMs: 200) else { continue }
            for processed in await processor.process(event) {
                signals.append(processed)
                if json { Output.ndjson(Output.processedJSON(processed)) }
                let source: String
                switch processed.sizeSource {
                case .stream: source = "size from stream"
                case .restBackfill: source = "size back-filled over REST (G3)"
                case .none: source = "no fresh trade near this price: size unknown"
                }
                say("   \(Output.shortToken(processed.update.tokenId)) @ \(processed.update.price): "
                      + "\(processed.size?.description ?? "?") (\(source)) -> \(processed.passedSizeFilter ? "PASS" : "filtered")")
            }
        }
        let stats = processor.stats
        say("   \(stats.totalProcessed) price updates: \(stats.g3Backfilled) sizes back-filled, \(stats.streamSized) from the stream, "
              + "\(stats.sizeUnknown) unknown; \(stats.passed) passed the filter, \(stats.filtered) filtered")

        section("4. before any order: price vs order book (G5)")
        var rejected = 0
        for signal in signals where signal.passedSizeFilter {
            let check = try await verifyOrderbookPrice(client: client, tokenId: signal.update.tokenId, expectedPrice: signal.update.price)
            if !check.isValid { rejected += 1 }
            emit("verify") { o in
                o.add("token_id", signal.update.tokenId); o.add("price", signal.update.price.description)
                o.members.append(.init(key: "is_valid", value: .bool(check.isValid))); o.add("reason", check.reason)
            }
            say("   \(check.isValid ? "would order " : "REJECTED    ") \(Output.shortToken(signal.update.tokenId)): \(check.reason)")
        }
        if signals.allSatisfy({ !$0.passedSizeFilter }) { say("   no signal passed the size filter") }

        section("done")
        let trades = try TradeRepository(database).count()
        emit("summary") { o in
            o.add("g3_backfilled", Int64(stats.g3Backfilled))
            o.add("g5_rejected", Int64(rejected)); o.add("db", db); o.add("trades", Int64(trades))
            o.add("active_tokens", Int64(metas.count))
        }
        say("   guards fired: G1 dropped stale trades as shown, G3 back-filled \(stats.g3Backfilled) sizes, "
              + "G5 rejected \(rejected) price(s)")
        say("   database: \(db) (\(trades) trades, \(metas.count) active tokens)")
    }

    private func section(_ title: String) { say("\n== \(title)") }

    /// A narrative line (not with --json).
    private func say(_ line: String) { if !json { print(line) } }

    /// A step result as one NDJSON line (only with --json).
    private func emit(_ type: String, _ fill: (inout Output.Fields) -> Void) {
        guard json else { return }
        var o = Output.Fields(type: type)
        fill(&o)
        Output.ndjson(o.value)
    }
}
