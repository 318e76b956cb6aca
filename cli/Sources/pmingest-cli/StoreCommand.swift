import ArgumentParser
@_spi(PMIngestTools) import PMIngest

/// `pmingest store …`: the SQLite store from the shell.
struct Store: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read and write the local SQLite store.",
        subcommands: [ImportTrades.self, ImportMarkets.self, Trades.self, Count.self, Meta.self, Watermark.self])

    struct DatabaseOption: ParsableArguments {
        @Option(name: .long, help: "SQLite database file (created if missing; \":memory:\" for a throwaway one).")
        var db: String

        func open() throws -> Database { try Database(DatabaseConfig(path: db)) }
    }

    struct ImportTrades: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-trades",
            abstract: "Store trades given as a Data API /trades response (JSON array; \"-\" = stdin).")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "File with the JSON array.") var file: String = "-"
        @Flag(help: "NDJSON output: one JSON object per line.") var json = false

        func run() async throws {
            let trades = try WireDecoding.dataAPITrades(try WireDecoding.parseBody(try readAll(file), what: file))
            let inserted = try TradeRepository(try database.open()).upsert(trades)
            if json {
                var o = Output.Fields(type: "import_trades")
                o.add("db", database.db); o.add("trades", Int64(trades.count)); o.add("inserted", Int64(inserted))
                Output.ndjson(o.value)
                return
            }
            print("stored \(trades.count) trades (\(inserted) new, \(trades.count - inserted) already present) in \(database.db)")
        }
    }

    struct ImportMarkets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-markets",
            abstract: "Store token metadata given as a Gamma /markets response (JSON array; \"-\" = stdin).")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "File with the JSON array.") var file: String = "-"
        @Flag(help: "NDJSON output: one JSON object per line.") var json = false

        func run() async throws {
            let markets = try WireDecoding.gammaMarkets(try WireDecoding.parseBody(try readAll(file), what: file))
            let repository = TokenMetaRepository(try database.open())
            var counts: [UpsertChange: Int] = [:]
            for meta in markets.flatMap(\.tokenMetas) { counts[try repository.upsert(meta), default: 0] += 1 }
            if json {
                var o = Output.Fields(type: "import_markets")
                o.add("db", database.db); o.add("markets", Int64(markets.count))
                o.add("inserted", Int64(counts[.inserted] ?? 0)); o.add("updated", Int64(counts[.updated] ?? 0))
                o.add("unchanged", Int64(counts[.unchanged] ?? 0))
                Output.ndjson(o.value)
                return
            }
            print("stored \(markets.count) markets: \(counts[.inserted] ?? 0) tokens inserted, "
                  + "\(counts[.updated] ?? 0) updated, \(counts[.unchanged] ?? 0) unchanged in \(database.db)")
        }
    }

    struct Trades: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored trades of a token, oldest first.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "Token (asset) id.") var token: String
        @Option(help: "Only trades at or after this time (ms since the epoch).") var fromMs: Int64?
        @Option(help: "Only trades at or before this time (ms since the epoch).") var toMs: Int64?
        @Option(help: "At most this many trades.") var limit: Int?
        @Flag(help: "NDJSON output: one JSON object per line.") var json = false

        func run() async throws {
            let trades = try TradeRepository(try database.open()).trades(
                tokenId: token, fromMs: fromMs ?? Int64.min, toMs: toMs ?? Int64.max, limit: limit)
            if json {
                Output.ndjson(trades.map(Output.tradeJSON))
                return
            }
            print(Output.table(["time (UTC)", "side", "price", "size", "transaction"],
                               trades.map { [ISO8601.format(milliseconds: $0.timestampMs), $0.side.rawValue,
                                             $0.price.description, $0.size.description, $0.transactionHash ?? ""] }))
            print("\(trades.count) trades")
        }
    }

    struct Count: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count stored trades (of one token, or all).")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "Token (asset) id; all tokens when omitted.") var token: String?
        @Flag(help: "NDJSON output: one JSON object per line.") var json = false

        func run() async throws {
            let count = try TradeRepository(try database.open()).count(tokenId: token)
            if json {
                var o = Output.Fields(type: "count")
                o.add("token_id", token); o.add("trades", Int64(count))
                Output.ndjson(o.value)
                return
            }
            print(count)
        }
    }

    struct Meta: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show stored token metadata (one token, or all).")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "Token (asset) id; all when omitted.") var token: String?
        @Flag(help: "NDJSON output: one JSON object per line.") var json = false

        func run() async throws {
            let repository = TokenMetaRepository(try database.open())
            let metas: [PolymarketTokenMeta]
            if let token {
                guard let meta = try repository.get(tokenId: token) else {
                    throw PMError(.invalidArgument, "no metadata stored for token \(token)")
                }
                metas = [meta]
            } else {
                metas = try repository.list()
            }
            if json {
                Output.ndjson(metas.map(Output.metaJSON))
                return
            }
            print(Output.table(["token", "outcome", "version", "tick", "neg-risk", "state", "question"], metas.map {
                [Output.shortToken($0.tokenId), $0.outcome ?? "", $0.protocolVersion?.rawValue ?? "?", $0.tickSize?.description ?? "",
                 $0.negRisk ? "yes" : "no", $0.closed ? "closed" : ($0.active ? "active" : "inactive"), $0.question ?? ""]
            }))
            print("\(metas.count) tokens")
        }
    }

    struct Watermark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show or advance a market's trade watermark.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "Condition id (0x…).") var condition: String
        @Option(help: "Advance to this trade time (ms); never moves backwards.") var set: Int64?
        @Flag(help: "NDJSON output: one JSON object per line.") var json = false

        func run() async throws {
            let repository = TradeWatermarkRepository(try database.open())
            let watermark = try set.map { try repository.update(conditionId: condition, lastTradeTimestampMs: $0) }
                ?? repository.get(conditionId: condition)
            if json {
                var o = Output.Fields(type: "watermark")
                o.add("condition_id", condition); o.add("last_trade_timestamp_ms", watermark?.lastTradeTimestampMs)
                Output.ndjson(o.value)
                return
            }
            guard let watermark else {
                print("no watermark for \(condition)")
                return
            }
            print("\(condition) last trade \(ISO8601.format(milliseconds: watermark.lastTradeTimestampMs)) "
                  + "(\(watermark.lastTradeTimestampMs) ms)")
        }
    }
}
