import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct TradeRecorderTests {
    func print(_ price: String, size: String?, side: TradeSide? = .buy, at ms: Int64) -> StreamEvent {
        .lastTradePrice(LastTradeEvent(tokenId: Sample.token, conditionId: Sample.condition, price: .literal(price),
                                       size: size.map(Size.literal), side: side, timestampMs: ms, transactionHash: "0x\(ms)"))
    }

    @Test func batchesStreamTradesAndSkipsIncompletePrints() throws {
        let clock = ManualClock(milliseconds: 0)
        let database = try Database(.inMemory())
        let recorder = try TradeRecorder(database: database, batchSize: 3, flushIntervalMs: 1_000, clock: clock)
        try recorder.record(print("0.5", size: "10", at: 1))
        try recorder.record(print("0.5", size: nil, at: 2))             // no size: not a storable trade
        try recorder.record(print("0.5", size: "10", side: nil, at: 3))  // no side either
        try recorder.record(.reconnected(ReconnectInfo(reason: "test", attempt: 1)))
        try recorder.record(print("0.51", size: "20", at: 4))
        #expect(try TradeRepository(database).count() == 0)             // still buffered
        try recorder.record(print("0.52", size: "30", at: 5))            // third trade: batch written
        #expect(try TradeRepository(database).count() == 3)
        try recorder.record(print("0.53", size: "40", at: 6))
        clock.advance(milliseconds: 1_500)
        try recorder.record(print("0.54", size: "50", at: 7))            // interval elapsed: written
        #expect(try TradeRepository(database).count() == 5)
        #expect(recorder.recorded == 5 && recorder.skipped == 2)
        #expect(try TradeRepository(database).trades(tokenId: Sample.token).map(\.price.description) == ["0.5", "0.51", "0.52", "0.53", "0.54"])
    }
}
