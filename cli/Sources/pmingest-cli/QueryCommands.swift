import ArgumentParser
@_spi(PMIngestTools) import PMIngest

struct Markets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List active markets (every Gamma page).")
    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "NDJSON output: one JSON object per line.") var json = false

    func run() async throws {
        let (client, transport) = try connection.client()
        defer { transport.shutdown() }
        let markets = try await client.fetchActiveMarkets()
        if json {
            Output.ndjson(markets.map(Output.marketJSON))
            return
        }
        print(Output.table(["condition", "version", "tick", "neg-risk", "tokens", "question"], markets.map {
            [Output.shortToken($0.conditionId), $0.protocolVersion.rawValue, $0.tickSize?.description ?? "", $0.negRisk ? "yes" : "no",
             $0.tokens.map { "\($0.outcome ?? "?"):\(Output.shortToken($0.tokenId))" }.joined(separator: " "), $0.question ?? ""]
        }))
        print("\(markets.count) active markets")
    }
}

struct Book: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a token's order book, best levels first.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Token (asset) id.") var token: String
    @Option(help: "Levels per side.") var depth = 5
    @Flag(help: "NDJSON output: one JSON object per line.") var json = false

    func run() async throws {
        let (client, transport) = try connection.client()
        defer { transport.shutdown() }
        let book = try await client.fetchOrderBook(tokenId: token)
        if json {
            print(Output.bookJSON(book).serialized())
            return
        }
        let rows = (0..<max(min(depth, max(book.bids.count, book.asks.count)), 0)).map { i -> [String] in
            let bid = i < book.bids.count ? book.bids[i] : nil
            let ask = i < book.asks.count ? book.asks[i] : nil
            return [bid?.size.description ?? "", bid?.price.description ?? "", ask?.price.description ?? "", ask?.size.description ?? ""]
        }
        print(Output.table(["bid size", "bid", "ask", "ask size"], rows))
        print("best bid \(book.bestBid?.price.description ?? "none"), best ask \(book.bestAsk?.price.description ?? "none")"
              + (book.isCrossed ? " (CROSSED)" : ""))
    }
}

struct Trades: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recent trades of a token that passed the age check (G1).",
        discussion: "Trades older than --max-age are never shown as recent; how many were dropped is printed.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Token (asset) id.") var token: String
    @Option(help: "Maximum trade age in seconds.") var maxAge: Int64 = TradeFetcher.defaultMaxAgeSeconds
    @Flag(help: "NDJSON output: one JSON object per line.") var json = false

    func run() async throws {
        let (client, transport) = try connection.client()
        defer { transport.shutdown() }
        let report = try await TradeFetcher(source: client, maxAgeSeconds: maxAge).fetchRecentTradesReport(tokenId: token)
        if json {
            Output.ndjson(report.trades.map(Output.tradeJSON))
            return
        }
        print(Output.table(["time (UTC)", "side", "price", "size"], report.trades.map {
            [ISO8601.format(milliseconds: $0.timestampMs), $0.side.rawValue, $0.price.description, $0.size.description]
        }))
        print("\(report.trades.count) trades within \(maxAge) s; \(report.droppedStale) stale and "
              + "\(report.droppedFuture) future-dated trades dropped (G1)")
    }
}

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a price against the order book before an order (G5).",
        discussion: "Exit status 0 when the price is within --max-deviation of the best bid, 3 when it is rejected.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Token (asset) id.") var token: String
    @Argument(help: "Expected price, e.g. 0.95.") var price: String
    @Option(help: "Largest allowed |best bid - price|.") var maxDeviation = "0.10"
    @Flag(help: "NDJSON output: one JSON object per line.") var json = false

    func run() async throws {
        let expected: Price, deviation: Price
        do { expected = try Price(price) } catch { throw PMError(.invalidArgument, "price: \(error)") }
        do { deviation = try Price(maxDeviation) } catch { throw PMError(.invalidArgument, "--max-deviation: \(error)") }
        let (client, transport) = try connection.client()
        defer { transport.shutdown() }
        let result = try await verifyOrderbookPrice(client: client, tokenId: token, expectedPrice: expected, maxDeviation: deviation)
        if json {
            var members: [JSONObject.Member] = [.init(key: "is_valid", value: .bool(result.isValid)),
                                                .init(key: "reason", value: .string(result.reason))]
            members.append(.init(key: "best_bid", value: result.bestBid.map { .string($0.description) } ?? .null))
            print(JSONValue.object(JSONObject(members)).serialized())
        } else {
            print((result.isValid ? "OK      " : "REJECTED ") + result.reason)
        }
        if !result.isValid { throw ExitCode(3) }
    }
}

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sync token metadata of every active market into SQLite.",
        discussion: "Shows page progress only when stdout is a terminal; --json prints one summary object.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "SQLite database file.") var db: String
    @Flag(help: "NDJSON output: one JSON object per line.") var json = false

    func run() async throws {
        let (client, transport) = try connection.client()
        defer { transport.shutdown() }
        let sync = MetadataSync(client: client, database: try Database(DatabaseConfig(path: db)))
        let quiet = json
        let report = try await sync.sync { pages, markets in
            if !quiet { Output.progress("pages \(pages)  markets \(markets)") }
        }
        Output.endProgress()
        if json {
            var o = Output.Fields(type: "sync")
            o.add("db", db)
            o.add("markets", Int64(report.markets)); o.add("inserted", Int64(report.inserted))
            o.add("updated", Int64(report.updated)); o.add("unchanged", Int64(report.unchanged))
            o.members.append(.init(key: "markets_by_protocol", value: .object(JSONObject(
                MarketProtocolVersion.allCases.map { .init(key: $0.rawValue, value: .number(JSONNumber(Int64(report.marketsByProtocol[$0] ?? 0)))) }))))
            Output.ndjson(o.value)
            return
        }
        print("synced \(report.markets) markets into \(db): \(report.inserted) tokens inserted, "
              + "\(report.updated) updated, \(report.unchanged) unchanged ("
              + MarketProtocolVersion.allCases.map { "\($0.rawValue): \(report.marketsByProtocol[$0] ?? 0)" }.joined(separator: ", ") + ")")
    }
}
