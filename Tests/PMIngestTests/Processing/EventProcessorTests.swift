import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// A trade source that answers after a fixed latency, like a REST server 200 ms away, and records
/// how many requests were in flight at once.
final class SlowTradeSource: TradeSource, @unchecked Sendable {
    let trades: [PolymarketTrade]
    let latencyMs: Int
    private let lock = Lock()
    private var inFlight = 0
    private(set) var peakInFlight = 0

    init(trades: [PolymarketTrade], latencyMs: Int) {
        self.trades = trades
        self.latencyMs = latencyMs
    }

    func fetchTrades(tokenId: String, limit: Int) async throws -> [PolymarketTrade] {
        lock.withLock { inFlight += 1; peakInFlight = max(peakInFlight, inFlight) }
        defer { lock.withLock { inFlight -= 1 } }
        try await Task.sleep(for: .milliseconds(latencyMs))
        return trades.filter { $0.tokenId == tokenId }
    }
}

struct FailingTradeSource: TradeSource {
    func fetchTrades(tokenId: String, limit: Int) async throws -> [PolymarketTrade] {
        throw PMError(.network, "connection refused")
    }
}

@Suite struct EventProcessorTests {
    let now: Int64 = 1_767_225_600_000

    func processor(_ source: any TradeSource, backfill: Bool = true) throws -> EventProcessor {
        let fetcher = try TradeFetcher(source: source, clock: ManualClock(milliseconds: now))
        return EventProcessor(fetcher: fetcher, configuration: .init(backfillSize: backfill))
    }

    func update(_ price: String) -> PriceUpdate { PriceUpdate(tokenId: Sample.token, price: .literal(price), timestampMs: now) }

    @Test func streamSizeIsUsedWithoutREST() async throws {
        let p = try processor(FailingTradeSource())
        let event = StreamEvent.lastTradePrice(LastTradeEvent(tokenId: Sample.token, price: .literal("0.5"), size: .literal("75"),
                                                              timestampMs: now))
        let results = await p.process(event)
        #expect(results.count == 1 && results[0].sizeSource == .stream && results[0].passedSizeFilter)
        #expect(p.stats.streamSized == 1 && p.stats.g3Backfilled == 0 && p.stats.errors == 0)
    }

    /// G3: no size on the stream → back-filled from a fresh REST trade; the filter applies to it.
    @Test func missingSizeIsBackfilledAndFiltered() async throws {
        let trades = [try Sample.trade(price: "0.5", size: "60", at: now - 5_000),
                      try Sample.trade(price: "0.7", size: "10", at: now - 5_000)]
        let p = try processor(FakeTradeSource(trades: trades))
        let big = await p.process(update("0.5"))
        #expect(big.size == .literal("60") && big.sizeSource == .restBackfill && big.passedSizeFilter)
        let small = await p.process(update("0.7"))
        #expect(small.size == .literal("10") && !small.passedSizeFilter)
        let none = await p.process(update("0.9"))
        #expect(none.size == nil && !none.passedSizeFilter)
        #expect(p.stats == {
            var s = EventProcessorStats()
            s.totalProcessed = 3; s.g3Backfilled = 2; s.sizeUnknown = 1; s.passed = 1; s.filtered = 2
            return s
        }())
    }

    @Test func bookDeltasAreNotTrades() async throws {
        let p = try processor(FakeTradeSource(trades: []))
        let delta = StreamEvent.priceChange(PriceChangeEvent(conditionId: nil, timestampMs: now, changes: [
            LevelChange(tokenId: Sample.token, side: .sell, price: .literal("0.95"), size: .literal("1000"))]))
        #expect(await p.process(delta).isEmpty)
        #expect(p.stats.totalProcessed == 0)
    }

    @Test func failedBackfillCountsAsErrorAndFailsClosed() async throws {
        let p = try processor(FailingTradeSource())
        let result = await p.process(update("0.5"))
        #expect(!result.passedSizeFilter && result.error?.contains("refused") == true)
        #expect(p.stats.errors == 1 && p.stats.filtered == 1)
    }

    /// The lock is never held across I/O: 20 back-fills against a 200 ms source are all in flight
    /// at once, so they take about one latency, not 20. Asserted on the overlap itself (peak
    /// requests in flight), not on wall time, which a loaded 2-core CI machine makes noisy.
    @Test func concurrentBackfillsOverlap() async throws {
        let trades = [try Sample.trade(price: "0.5", size: "60", at: now - 1_000)]
        let source = SlowTradeSource(trades: trades, latencyMs: 200)
        let p = try processor(source)
        let results = await p.process((0..<20).map { _ in (update("0.5"), nil) })
        #expect(results.count == 20 && results.allSatisfy { $0.passedSizeFilter })
        #expect(source.peakInFlight >= 10, "peak in flight: \(source.peakInFlight)")
        #expect(p.stats.g3Backfilled == 20)
    }
}
