import ArgumentParser
import PMIngest

/// Shared stream options.
struct StreamOptions: ParsableArguments {
    @Argument(help: "Token (asset) ids to subscribe to.") var tokens: [String]
    @Option(help: "Stop after this many seconds (default: until Ctrl-C).") var seconds: Int?

    func validate() throws {
        if tokens.isEmpty { throw ValidationError("give at least one token id") }
    }
}

struct Stream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Live table of best bid/ask, last trade and its size per token.",
        discussion: "Sizes missing on the stream are back-filled over REST from fresh trades (G3) and marked '*'.")
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
        try await live.connectAsync()
        try live.subscribe(tokenIds: stream.tokens)
        var last: [String: (price: String, size: String)] = [:]
        let deadline = stream.seconds.map { SystemClock().nowMilliseconds() + Int64($0) * 1000 }
        var drawn = 0
        while !Interrupt.requested, deadline.map({ SystemClock().nowMilliseconds() < $0 }) ?? true {
            guard let event = try live.next(timeoutMs: 200) else { continue }
            books.apply(event)
            for processed in await processor.process(event) {
                let mark = processed.sizeSource == .restBackfill ? "*" : ""
                last[processed.update.tokenId] = (processed.update.price.description,
                                                  (processed.size?.description ?? "?") + mark)
            }
            let rows = stream.tokens.map { token -> [String] in
                let snapshot = books.snapshot(tokenId: token)
                let state = snapshot.map { $0.isValid ? "" : "stale: \($0.invalidReason ?? "")" } ?? "no snapshot"
                return [Output.shortToken(token), snapshot?.book.bestBid?.price.description ?? "",
                        snapshot?.book.bestAsk?.price.description ?? "", last[token]?.price ?? "", last[token]?.size ?? "", state]
            }
            let table = Output.table(["token", "bid", "ask", "last", "size", ""], rows)
            if drawn > 0 { print("\u{1B}[\(drawn)F", terminator: "") }   // redraw in place
            print(table.split(separator: "\n").map { $0 + "\u{1B}[K" }.joined(separator: "\n"))
            drawn = rows.count + 1
        }
        let stats = processor.stats
        print("\(live.stats.events) events; \(stats.totalProcessed) trades, \(stats.g3Backfilled) sizes back-filled (G3)")
    }
}

struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record stream trades (last_trade_price) into SQLite until interrupted.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var stream: StreamOptions
    @Option(help: "SQLite database file.") var db: String

    func run() async throws {
        Interrupt.install()
        let recorder = try TradeRecorder(database: try Database(DatabaseConfig(path: db)))
        let live = try StreamClient(config: StreamClientConfig(url: connection.streamURL))
        defer { live.close() }
        try await live.connectAsync()
        try live.subscribe(tokenIds: stream.tokens)
        let deadline = stream.seconds.map { SystemClock().nowMilliseconds() + Int64($0) * 1000 }
        while !Interrupt.requested, deadline.map({ SystemClock().nowMilliseconds() < $0 }) ?? true {
            if let event = try live.next(timeoutMs: 200) { try recorder.record(event) }
            Output.progress("recorded \(recorder.recorded) trades")
        }
        try recorder.flush()
        Output.endProgress()
        print("recorded \(recorder.recorded) trades into \(db)")
    }
}
