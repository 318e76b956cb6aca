/// Keeps token metadata in the database in step with Gamma, and persists fetched trades.
public struct MetadataSync: Sendable {
    public let client: PolymarketClient
    public let database: Database

    public init(client: PolymarketClient, database: Database) {
        self.client = client
        self.database = database
    }

    /// Fetches every active market and upserts one record per outcome token (with the market's
    /// protocol version). Incremental: an identical record is not rewritten.
    public func sync(onPage: (@Sendable (Int, Int) -> Void)? = nil) async throws -> MetadataSyncReport {
        let markets = try await client.fetchActiveMarkets(onPage: onPage)
        let repository = TokenMetaRepository(database)
        var inserted = 0, updated = 0, unchanged = 0
        for meta in markets.flatMap(\.tokenMetas) {
            switch try repository.upsert(meta) {
            case .inserted: inserted += 1
            case .updated: updated += 1
            case .unchanged: unchanged += 1
            }
        }
        var byProtocol: [MarketProtocolVersion: Int] = [:]
        for market in markets { byProtocol[market.protocolVersion, default: 0] += 1 }
        return MetadataSyncReport(markets: markets.count, inserted: inserted, updated: updated, unchanged: unchanged,
                                  marketsByProtocol: byProtocol)
    }

    /// Upserts trades (idempotent) in one transaction; returns how many were new.
    @discardableResult
    public func saveTrades(_ trades: [PolymarketTrade]) throws -> Int {
        try TradeRepository(database).upsert(trades)
    }

    /// Advances the watermark of each market in `trades` to its newest trade (never backwards).
    /// Returns the watermarks in force afterwards.
    @discardableResult
    public func updateWatermark(trades: [PolymarketTrade]) throws -> [TradeWatermark] {
        var newest: [String: Int64] = [:]
        for trade in trades {
            guard let condition = trade.conditionId else { continue }
            newest[condition] = max(newest[condition] ?? Int64.min, trade.timestampMs)
        }
        let repository = TradeWatermarkRepository(database)
        return try newest.keys.sorted().map { condition in
            try repository.update(conditionId: condition, lastTradeTimestampMs: newest[condition] ?? 0)
        }
    }

    /// Advances one market's watermark (never backwards).
    @discardableResult
    public func updateWatermark(conditionId: String, lastTradeTimestampMs: Int64) throws -> TradeWatermark {
        try TradeWatermarkRepository(database).update(conditionId: conditionId, lastTradeTimestampMs: lastTradeTimestampMs)
    }
}

/// What a metadata sync did.
public struct MetadataSyncReport: Sendable, Equatable {
    public let markets: Int
    public let inserted: Int
    public let updated: Int
    public let unchanged: Int
    /// How many of the markets trade on each protocol version (versions with none are absent).
    public var marketsByProtocol: [MarketProtocolVersion: Int] = [:]
}
