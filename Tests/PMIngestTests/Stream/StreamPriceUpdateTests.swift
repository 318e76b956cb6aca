import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// G3 and the trade/quote distinction: PriceUpdate has no size, and only trades become PriceUpdates.
@Suite struct StreamPriceUpdateTests {
    typealias F = StreamFixtures

    @Test func g3PriceUpdateHasNoSize() {
        let update = PriceUpdate(tokenId: F.token1, price: Price(micros: 950_000), timestampMs: 1, conditionId: F.condition)
        let labels = Mirror(reflecting: update).children.compactMap(\.label)
        #expect(labels.sorted() == ["conditionId", "price", "timestampMs", "tokenId"])
        #expect(!labels.contains("size"))
        #expect(!labels.contains { $0.lowercased().contains("size") })
    }

    @Test func lastTradeBecomesAPriceUpdateWithoutItsSize() throws {
        let outcome = try F.parse("last_trade_price")
        #expect(outcome.priceUpdates == [PriceUpdate(tokenId: F.token1, price: Price(micros: 520_000),
                                                     timestampMs: 1_767_225_600_789, conditionId: F.condition)])
        // The stream's size is there on the event, for callers who knowingly want it…
        if case .lastTradePrice(let trade)? = outcome.events.first { #expect(trade.size == ss("84.17")) }
        // …and a trade without one gives the same kind of update.
        #expect(try F.parse("last_trade_price_no_size").priceUpdates.map(\.price) == [Price(micros: 480_000)])
    }

    @Test func priceChangesNeverProducePriceUpdates() throws {
        // A new ask resting at 0.95 is not a trade at 0.95.
        let ask = MarketChannelParser().parse(#"{"event_type":"price_change","market":"0xm","timestamp":"1767225600456","price_changes":[{"asset_id":"1","price":"0.95","size":"5000","side":"SELL","hash":"h","best_bid":"0.05","best_ask":"0.95"}]}"#)
        #expect(ask.events.count == 1)
        #expect(ask.priceUpdates.isEmpty)
        #expect(ask.priceUpdates(receivedAtMs: 123).isEmpty)
        for name in ["price_change", "legacy_changes_price_change", "book", "initial_dump", "tick_size_change",
                     "best_bid_ask", "best_bid_ask_empty_side", "new_market", "market_resolved"] {
            let outcome = try F.parse(name)
            #expect(!outcome.events.isEmpty, "\(name)")
            #expect(outcome.priceUpdates.isEmpty, "\(name)")
            #expect(outcome.priceUpdates(receivedAtMs: 1).isEmpty, "\(name)")
            for event in outcome.events { #expect(event.priceUpdates.isEmpty) }
        }
        // A mixed frame: only the trade, never the level change.
        let mixed = try F.parse("mixed_array")
        #expect(mixed.priceUpdates.map(\.price) == [Price(micros: 520_000)])
    }

    @Test func briefLegacyFormProducesAPriceUpdate() throws {
        let outcome = try F.parse("legacy_brief_price_change")
        // No wire timestamp: none is invented…
        #expect(outcome.priceUpdates.isEmpty)
        // …unless the caller stamps it with its receive time.
        #expect(outcome.priceUpdates(receivedAtMs: 1_767_225_609_999) == [
            PriceUpdate(tokenId: F.token1, price: Price(micros: 550_000), timestampMs: 1_767_225_609_999)])
        let stamped = MarketChannelParser().parse(#"{"type":"price_change","asset_id":"7","price":"0.55","timestamp":"1767225600000"}"#)
        let expected = [PriceUpdate(tokenId: "7", price: Price(micros: 550_000), timestampMs: 1_767_225_600_000)]
        #expect(stamped.priceUpdates == expected)
        #expect(stamped.priceUpdates(receivedAtMs: 5) == expected)   // a wire timestamp wins
        // The parser can record the receive time on the event itself (the stream client does), so
        // the plain `priceUpdates` works downstream; the wire timestamp still wins when present.
        let received = MarketChannelParser().parse(try F.bytes("legacy_brief_price_change"), receivedAtMs: 1_767_225_609_000)
        #expect(received.events == [.legacyPriceChange(LegacyPriceChangeEvent(
            tokenId: F.token1, price: Price(micros: 550_000), receivedAtMs: 1_767_225_609_000))])
        #expect(received.priceUpdates.map(\.timestampMs) == [1_767_225_609_000])
        #expect(received.priceUpdates(receivedAtMs: 1) == received.priceUpdates)
        let both = MarketChannelParser().parse(#"{"type":"price_change","asset_id":"7","price":"0.55","timestamp":"1767225600000"}"#,
                                               receivedAtMs: 1_767_225_609_000)
        #expect(both.priceUpdates == expected)
        // receivedAtMs changes nothing else.
        for name in StreamFixtures.names where name != "legacy_brief_price_change" {
            let bytes = try F.bytes(name)
            #expect(MarketChannelParser().parse(bytes, receivedAtMs: 42) == MarketChannelParser().parse(bytes), "\(name)")
        }
    }
}
