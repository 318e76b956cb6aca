/// Hands out trades as "recent" only after an age check against the clock (G1).
///
/// The Data API's "recent trades" of a thin market can be months old: a bot once bought at 95c on
/// a two-month-old print while the market sat at 5c. Every trade this type returns satisfies
/// `timestamp >= now - maxAge`. Trades dated more than `futureToleranceMs` ahead of the clock are
/// dropped too: a timestamp from the future means a unit mix-up (seconds read as ms, or the
/// reverse) or a broken clock, and neither is safe to trade on.
public struct TradeFetcher: Sendable {
    public static let defaultMaxAgeSeconds: Int64 = 300
    /// Default max age of the trade whose size `fetchTradeSizeAtPrice` reports (G3).
    public static let defaultSizeLookupMaxAgeSeconds: Int64 = 60
    /// Default distance from the target price for `fetchTradeSizeAtPrice`.
    public static let defaultPriceTolerance = Price(micros: 10_000)  // 0.01
    /// Clock skew tolerated for trades stamped slightly after our clock.
    public static let defaultFutureToleranceMs: Int64 = 5_000

    public let source: any TradeSource
    public let maxAgeSeconds: Int64
    public let clock: any PMClock
    public let futureToleranceMs: Int64
    /// How many trades to request per call before filtering.
    public let fetchLimit: Int

    public init(source: any TradeSource, maxAgeSeconds: Int64 = TradeFetcher.defaultMaxAgeSeconds,
                clock: any PMClock = SystemClock(), futureToleranceMs: Int64 = TradeFetcher.defaultFutureToleranceMs,
                fetchLimit: Int = 100) throws {
        guard maxAgeSeconds >= 0 else { throw PMError(.invalidArgument, "max_age_seconds: must be >= 0, got \(maxAgeSeconds)") }
        guard futureToleranceMs >= 0 else { throw PMError(.invalidArgument, "future tolerance: must be >= 0") }
        guard fetchLimit > 0 else { throw PMError(.invalidArgument, "fetch limit: must be > 0") }
        self.source = source
        self.maxAgeSeconds = maxAgeSeconds
        self.clock = clock
        self.futureToleranceMs = futureToleranceMs
        self.fetchLimit = fetchLimit
    }

    /// The token's trades no older than `maxAgeSeconds` (the fetcher's default when nil), newest first.
    public func fetchRecentTrades(tokenId: String, maxAgeSeconds: Int64? = nil) async throws -> [PolymarketTrade] {
        try await fetchRecentTradesReport(tokenId: tokenId, maxAgeSeconds: maxAgeSeconds).trades
    }

    /// As `fetchRecentTrades`, with counts of what the age check dropped.
    /// - Throws: `.invalidArgument` for a token id that is not 1...78 digits (whatever the source).
    public func fetchRecentTradesReport(tokenId: String, maxAgeSeconds: Int64? = nil) async throws -> FreshTrades {
        try FieldCheck.tokenID(tokenId)
        let maxAge = maxAgeSeconds ?? self.maxAgeSeconds
        guard maxAge >= 0 else { throw PMError(.invalidArgument, "max_age_seconds: must be >= 0, got \(maxAge)") }
        let trades = try await source.fetchTrades(tokenId: tokenId, limit: fetchLimit)
        // Read the clock after the response: the age check is against the moment of hand-out.
        return FreshTrades.filter(trades, nowMs: clock.nowMilliseconds(), maxAgeMs: maxAge.multipliedClamped(by: 1000),
                                  futureToleranceMs: futureToleranceMs)
    }

    /// The size of the most recent fresh trade whose price is within `priceTolerance` of
    /// `targetPrice`, or nil when there is none (G3: stream price updates carry no size).
    public func fetchTradeSizeAtPrice(tokenId: String, targetPrice: Price,
                                      priceTolerance: Price = TradeFetcher.defaultPriceTolerance,
                                      maxAgeSeconds: Int64 = TradeFetcher.defaultSizeLookupMaxAgeSeconds) async throws -> Size? {
        guard priceTolerance.micros >= 0 else { throw PMError(.invalidArgument, "price_tolerance: must be >= 0") }
        let fresh = try await fetchRecentTrades(tokenId: tokenId, maxAgeSeconds: maxAgeSeconds)
        return fresh.first { ($0.price.micros - targetPrice.micros).magnitude <= priceTolerance.micros.magnitude }?.size
    }
}

/// The outcome of an age check: what passed and how much was dropped.
public struct FreshTrades: Sendable, Equatable {
    /// Trades that passed, newest first.
    public let trades: [PolymarketTrade]
    /// Trades older than the max age.
    public let droppedStale: Int
    /// Trades dated beyond the future tolerance.
    public let droppedFuture: Int

    /// The G1 rule itself, pure: keep `now - maxAge <= timestamp <= now + futureTolerance`.
    public static func filter(_ trades: [PolymarketTrade], nowMs: Int64, maxAgeMs: Int64, futureToleranceMs: Int64) -> FreshTrades {
        let oldest = nowMs.subtractingClamped(maxAgeMs)
        let newest = nowMs.addingClamped(futureToleranceMs)
        var kept: [PolymarketTrade] = []
        var stale = 0, future = 0
        for trade in trades {
            if trade.timestampMs < oldest { stale += 1 } else if trade.timestampMs > newest { future += 1 } else { kept.append(trade) }
        }
        kept.sort { $0.timestampMs > $1.timestampMs }
        return FreshTrades(trades: kept, droppedStale: stale, droppedFuture: future)
    }
}

/// The brief's convenience function: `TradeFetcher(source:maxAgeSeconds:).fetchRecentTrades(tokenId:)`.
public func fetchRecentTrades(client: any TradeSource, tokenId: String,
                              maxAgeSeconds: Int64 = TradeFetcher.defaultMaxAgeSeconds) async throws -> [PolymarketTrade] {
    try await TradeFetcher(source: client, maxAgeSeconds: maxAgeSeconds).fetchRecentTrades(tokenId: tokenId)
}

extension Int64 {
    func multipliedClamped(by other: Int64) -> Int64 {
        let (value, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) != (other < 0) ? .min : .max) : value
    }

    func addingClamped(_ other: Int64) -> Int64 {
        let (value, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : value
    }

    func subtractingClamped(_ other: Int64) -> Int64 {
        let (value, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other > 0 ? .min : .max) : value
    }
}
