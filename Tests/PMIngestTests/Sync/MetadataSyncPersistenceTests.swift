import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// MetadataSync's persistence helpers (the brief's save_trades / update_watermark): no network,
/// an in-memory database, a transport that is never called.
@Suite struct MetadataSyncPersistenceTests {
    static let otherCondition = "0x1c0d2f8e2bb2f4ee5d6d0e4b3cba8d09e3c8c0a7c6fd6f8f3c6b5a4e3d2c1b0a"

    func sync() throws -> (MetadataSync, ScriptedTransport) {
        let transport = ScriptedTransport()
        let client = try PolymarketClient(transport: transport)
        return (MetadataSync(client: client, database: try Database(.inMemory())), transport)
    }

    @Test func saveTradesCountsOnlyNewTradesAndIsIdempotent() throws {
        let (sync, transport) = try sync()
        let trades = [try Sample.trade(at: 1_000), try Sample.trade(price: "0.56", at: 2_000)]
        #expect(try sync.saveTrades(trades) == 2)
        #expect(try sync.saveTrades(trades) == 0)
        #expect(try sync.saveTrades(trades + [try Sample.trade(price: "0.57", at: 3_000)]) == 1)
        #expect(try TradeRepository(sync.database).count() == 3)
        #expect(transport.urls.isEmpty)
    }

    @Test func updateWatermarkFromTradesTakesEachMarketsNewestAndSkipsUnknownMarkets() throws {
        let (sync, _) = try sync()
        let other = try PolymarketTrade(tokenId: Sample.otherToken, conditionId: Self.otherCondition, side: .sell,
                                        price: Price("0.10"), size: Size("5"), timestampMs: 9_000,
                                        transactionHash: nil, proxyWallet: nil, outcome: "No")
        let noMarket = try PolymarketTrade(tokenId: Sample.otherToken, conditionId: nil, side: .buy,
                                           price: Price("0.10"), size: Size("5"), timestampMs: 99_000,
                                           transactionHash: nil, proxyWallet: nil, outcome: nil)
        let marks = try sync.updateWatermark(trades: [try Sample.trade(at: 5_000), other, noMarket,
                                                      try Sample.trade(at: 7_000), try Sample.trade(at: 6_000)])
        // Ordered by condition id; the trade without a condition id moves nothing.
        #expect(marks.map(\.conditionId) == [Self.otherCondition, Sample.condition].sorted())
        #expect(marks.first { $0.conditionId == Sample.condition }?.lastTradeTimestampMs == 7_000)
        #expect(marks.first { $0.conditionId == Self.otherCondition }?.lastTradeTimestampMs == 9_000)
        #expect(try sync.updateWatermark(trades: []).isEmpty)
    }

    @Test func watermarksNeverMoveBackwards() throws {
        let (sync, _) = try sync()
        #expect(try sync.updateWatermark(conditionId: Sample.condition, lastTradeTimestampMs: 8_000).lastTradeTimestampMs == 8_000)
        #expect(try sync.updateWatermark(trades: [try Sample.trade(at: 4_000)]).first?.lastTradeTimestampMs == 8_000)
        #expect(try sync.updateWatermark(conditionId: Sample.condition, lastTradeTimestampMs: 1).lastTradeTimestampMs == 8_000)
        #expect(try sync.updateWatermark(conditionId: Sample.condition, lastTradeTimestampMs: 8_001).lastTradeTimestampMs == 8_001)
    }

    @Test func badArgumentsAreErrorsNotWrites() throws {
        let (sync, _) = try sync()
        #expect(throws: PMError.self) { try sync.updateWatermark(conditionId: "", lastTradeTimestampMs: 1) }
        #expect(throws: PMError.self) { try sync.updateWatermark(conditionId: Sample.condition, lastTradeTimestampMs: -1) }
        #expect(try TradeWatermarkRepository(sync.database).get(conditionId: Sample.condition) == nil)
    }
}
