import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct TradeFetcherTests {
    let now: Int64 = 1_767_225_600_000
    let day: Int64 = 86_400_000

    func fetcher(_ trades: [PolymarketTrade], maxAge: Int64 = 300) throws -> TradeFetcher {
        try TradeFetcher(source: FakeTradeSource(trades: trades), maxAgeSeconds: maxAge, clock: ManualClock(milliseconds: now))
    }

    /// The brief's G1 regression: a 60-day-old trade beside a 10-second-old one.
    @Test func sixtyDayOldTradeIsNeverRecent() async throws {
        let stale = try Sample.trade(price: "0.95", at: now - 60 * day)
        let fresh = try Sample.trade(price: "0.05", at: now - 10_000)
        let result = try await fetcher([stale, fresh]).fetchRecentTradesReport(tokenId: Sample.token)
        #expect(result.trades == [fresh])
        #expect(result.droppedStale == 1)
    }

    @Test func allStaleGivesEmpty() async throws {
        let trades = try (1...5).map { try Sample.trade(at: now - Int64($0) * day) }
        #expect(try await fetcher(trades).fetchRecentTrades(tokenId: Sample.token).isEmpty)
    }

    @Test func boundaryIsInclusiveAndOverrideWorks() async throws {
        let edge = try Sample.trade(at: now - 300_000), older = try Sample.trade(at: now - 300_001)
        let f = try fetcher([edge, older])
        #expect(try await f.fetchRecentTrades(tokenId: Sample.token) == [edge])
        #expect(try await f.fetchRecentTrades(tokenId: Sample.token, maxAgeSeconds: 3600).count == 2)
        #expect(try await f.fetchRecentTrades(tokenId: Sample.token, maxAgeSeconds: 0).isEmpty)
        await #expect(throws: PMError.self) { try await f.fetchRecentTrades(tokenId: Sample.token, maxAgeSeconds: -1) }
    }

    @Test func futureTradesAreSuspect() async throws {
        let skewed = try Sample.trade(at: now + 3_000)                 // within tolerance
        let secondsReadAsMs = try Sample.trade(at: now * 1000 / 1000 + 365 * day)
        let result = try await fetcher([skewed, secondsReadAsMs]).fetchRecentTradesReport(tokenId: Sample.token)
        #expect(result.trades == [skewed])
        #expect(result.droppedFuture == 1)
    }

    @Test func newestFirst() async throws {
        let trades = try [30_000, 10_000, 20_000].map { try Sample.trade(at: now - Int64($0)) }
        #expect(try await fetcher(trades).fetchRecentTrades(tokenId: Sample.token).map(\.timestampMs) == [now - 10_000, now - 20_000, now - 30_000])
    }

    /// G3 fallback: the size of the most recent fresh trade near the price.
    @Test func sizeAtPriceUsesOnlyFreshTradesNearThePrice() async throws {
        let trades = [
            try Sample.trade(price: "0.50", size: "999", at: now - 30 * day),   // stale, exact price
            try Sample.trade(price: "0.505", size: "75", at: now - 20_000),
            try Sample.trade(price: "0.51", size: "60", at: now - 10_000),      // newest within 0.01
            try Sample.trade(price: "0.53", size: "500", at: now - 5_000),      // too far from 0.50
        ]
        let f = try fetcher(trades)
        #expect(try await f.fetchTradeSizeAtPrice(tokenId: Sample.token, targetPrice: Price("0.50")) == Size.literal("60"))
        #expect(try await f.fetchTradeSizeAtPrice(tokenId: Sample.token, targetPrice: Price("0.50"),
                                                  priceTolerance: Price("0.005")) == Size.literal("75"))
        #expect(try await f.fetchTradeSizeAtPrice(tokenId: Sample.token, targetPrice: Price("0.80")) == nil)
        #expect(try await f.fetchTradeSizeAtPrice(tokenId: Sample.token, targetPrice: Price("0.50"), maxAgeSeconds: 5) == nil)
    }

    @Test func convenienceFunctionAppliesDefaultAge() async throws {
        let source = FakeTradeSource(trades: [try Sample.trade(at: 1)])   // 1970: always stale
        #expect(try await fetchRecentTrades(client: source, tokenId: Sample.token).isEmpty)
    }

    @Test func extremeAgesDoNotOverflow() {
        let trades = [try! Sample.trade(at: 5)]
        let result = FreshTrades.filter(trades, nowMs: Int64.max, maxAgeMs: Int64.max, futureToleranceMs: Int64.max)
        #expect(result.trades.count == 1)
        _ = FreshTrades.filter(trades, nowMs: Int64.min, maxAgeMs: Int64.max, futureToleranceMs: Int64.max)
    }
}
