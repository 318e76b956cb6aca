import ArgumentParser
@_spi(PMIngestTools) import PMIngest

/// Shared stream options.
struct StreamOptions: ParsableArguments {
    @Argument(help: "Token (asset) ids to subscribe to.") var tokens: [String]
    @Option(help: "Stop after this many seconds (default: until Ctrl-C or SIGTERM).") var seconds: Int?
    @Option(help: "Mark a token stale after this many seconds without an event (stream view).") var staleAfter: Int = 30
    @Flag(help: "NDJSON output: every stream event and every sized price update, one JSON object per line.")
    var json = false

    func validate() throws {
        if tokens.isEmpty { throw ValidationError("give at least one token id") }
    }
}

struct Stream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Live table of best bid/ask, last trade and its size per token.",
        discussion: """
            Sizes missing on the stream are back-filled over REST from fresh trades (G3) and marked '*'. \
            The table is redrawn in place only when stdout is a terminal; otherwise each sized price \
            update and each reconnect is one plain line, and --json prints every event as one JSON object per line.
            """)
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var stream: StreamOptions

    func run() async throws {
        Interrupt.install()
        let (client, transport) = try connection.client()
        defer { transport.shutdown() }
        let processor = EventProcessor(fetcher: try TradeFetcher(source: client))
        let live = try StreamClient(config: StreamClientConfig(url: connection.streamURL))
        defer { live.close() }
        let books = LocalOrderBooks(isTracked: live.isSubscribed)
        try live.subscribe(tokenIds: stream.tokens)   // before connecting: the pool opens its sockets staggered
        try await live.connectAsync()
        let staleAfterMs = Int64(max(1, stream.staleAfter)) * 1000
        let table = Output.stdoutIsTTY && !stream.json
        var last: [String: (price: String, size: String)] = [:]
        let deadline = stream.seconds.map { SystemClock().nowMilliseconds() + Int64($0) * 1000 }
        var drawn = 0
        while !Interrupt.requested, deadline.map({ SystemClock().nowMilliseconds() < $0 }) ?? true {
            // On a terminal: redrawn on every event and, while the feed is quiet, every 200 ms (so staleness shows).
            if let event = try live.next(timeoutMs: 200) {
                books.apply(event)
                if stream.json { Output.ndjson(Output.eventJSON(event)) }
                if !table, !stream.json, case .reconnected(let info) = event {
                    print("reconnected (\(info.reason), attempt \(info.attempt)): \(info.tokenIds.count) tokens; books distrusted until their next snapshot")
                }
                for processed in await processor.process(event) {
                    let mark = processed.sizeSource == .restBackfill ? "*" : ""
                    last[processed.update.tokenId] = (processed.update.price.description,
                                                      (processed.size?.description ?? "?") + mark)
                    if stream.json {
                        Output.ndjson(Output.processedJSON(processed))
                    } else if !table {
                        print("\(ISO8601.format(milliseconds: processed.update.timestampMs)) \(processed.update.tokenId) "
                              + "price \(processed.update.price) size \(processed.size?.description ?? "?")\(mark)")
                        fflushStdout()
                    }
                }
            }
            guard table else { continue }
            let health = live.health()
            let ages = Dictionary(health.assets.map { ($0.tokenId, $0) }, uniquingKeysWith: { first, _ in first })
            let rows = stream.tokens.map { token -> [String] in
                let snapshot = books.snapshot(tokenId: token)
                var state = snapshot.map { $0.isValid ? "" : "invalid: \($0.invalidReason ?? "")" } ?? "no snapshot"
                let age = ages[token]?.lastEventAgeMs
                if (age ?? Int64.max) >= staleAfterMs {
                    state = "STALE (\(age.map { "\($0 / 1000) s" } ?? "no event yet")) " + state
                }
                return [Output.shortToken(token), snapshot?.book.bestBid?.price.description ?? "",
                        snapshot?.book.bestAsk?.price.description ?? "", last[token]?.price ?? "", last[token]?.size ?? "",
                        ages[token].map { "\($0.socket)" } ?? "", state]
            }
            let text = Output.table(["token", "bid", "ask", "last", "size", "socket", ""], rows)
                + "\n" + health.summary(staleAfterMs: staleAfterMs)
            if drawn > 0 { print("\u{1B}[\(drawn)F", terminator: "") }   // redraw in place
            print(text.split(separator: "\n").map { $0 + "\u{1B}[K" }.joined(separator: "\n"))
            drawn = rows.count + 2
        }
        let stats = processor.stats
        if stream.json {
            var o = Output.Fields(type: "summary")
            o.add("events", Int64(live.stats.events)); o.add("price_updates", Int64(stats.totalProcessed))
            o.add("sizes_backfilled", Int64(stats.g3Backfilled)); o.add("reconnects", Int64(live.health().reconnects))
            Output.ndjson(o.value)
        } else {
            print("\(live.stats.events) events; \(stats.totalProcessed) trades, \(stats.g3Backfilled) sizes back-filled (G3)")
        }
    }
}
