import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Every market-channel event type, from fixtures in the real wire shapes (docs/wire/market-channel.md).
@Suite struct StreamParserEventTests {
    typealias F = StreamFixtures

    @Test func bookSnapshotIsSortedBestFirst() throws {
        let outcome = try F.parse("book")
        #expect(outcome.malformed == 0 && outcome.unknownEventTypes == 0 && !outcome.pong)
        guard case .book(let book)? = F.only(outcome) else { Issue.record("not one book: \(outcome)"); return }
        #expect(book.tokenId == F.token1)
        #expect(book.conditionId == F.condition)
        #expect(book.timestampMs == 1_767_225_600_123)
        #expect(book.hash == "3cd4d61e042c81560c9037ece0c61f3b1a8fbbdd")
        // Wire: bids ascending (0.49, .50, 0.51), asks descending (0.55, 0.53, 0.52).
        #expect(book.bids.map(\.price) == [sp("0.51"), sp("0.5"), sp("0.49")])
        #expect(book.asks.map(\.price) == [sp("0.52"), sp("0.53"), sp("0.55")])
        #expect(book.bestBid == OrderBookLevel(price: Price(micros: 510_000), size: Size(micros: 250_500_000)))
        #expect(book.bestAsk?.size == ss("84.17"))
        #expect(book.asks[1].size.micros == 1_218_691_830_000)
        #expect(book.tickSize == sp("0.01") && book.minOrderSize == ss("5"))
        #expect(book.negRisk == false && book.lastTradePrice == sp("0.51"))
        #expect(outcome.priceUpdates.isEmpty)
    }

    @Test func priceChangeCoversTwoAssets() throws {
        let outcome = try F.parse("price_change")
        guard case .priceChange(let event)? = F.only(outcome) else { Issue.record("\(outcome)"); return }
        #expect(event.schema == .priceChanges)
        #expect(event.conditionId == F.condition && event.timestampMs == 1_767_225_600_456)
        #expect(event.changes.count == 2)
        let first = event.changes[0]
        #expect(first == LevelChange(tokenId: F.token1, side: .buy, price: Price(micros: 510_000), size: Size(micros: 300_000_000),
                                     bestBid: sp("0.51"), bestAsk: sp("0.52"), hash: "56621a121a47ed9333273e21c83b660cff37ae50"))
        #expect(!first.removesLevel)
        let second = event.changes[1]
        #expect(second.tokenId == F.token2 && second.side == .sell && second.price == sp("0.95"))
        #expect(second.size == Size(micros: 0) && second.removesLevel)
        #expect(second.bestBid == sp("0.48") && second.bestAsk == nil)      // "" = absent
        #expect(outcome.events.first?.eventType == "price_change")
    }

    @Test func lastTradePriceWithSize() throws {
        let outcome = try F.parse("last_trade_price")
        guard case .lastTradePrice(let trade)? = F.only(outcome) else { Issue.record("\(outcome)"); return }
        #expect(trade == LastTradeEvent(
            tokenId: F.token1, conditionId: F.condition, price: Price(micros: 520_000), size: Size(micros: 84_170_000),
            side: .buy, feeRateBps: "0", timestampMs: 1_767_225_600_789,
            transactionHash: "0x9f3e2b7c41d0a5e6f8b9c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5"))
    }

    @Test func lastTradePriceWithoutSizeLowercaseSideEmptyFeeNumericTimestamp() throws {
        let outcome = try F.parse("last_trade_price_no_size")
        guard case .lastTradePrice(let trade)? = F.only(outcome) else { Issue.record("\(outcome)"); return }
        #expect(trade.size == nil)
        #expect(trade.side == .sell)                   // "sell"
        #expect(trade.feeRateBps == nil)               // ""
        #expect(trade.timestampMs == 1_767_225_600_790) // a JSON number
        #expect(trade.transactionHash == nil)
        #expect(trade.price == sp("0.48"))
    }

    @Test func tickSizeChange() throws {
        let outcome = try F.parse("tick_size_change")
        #expect(F.only(outcome) == .tickSizeChange(TickSizeChangeEvent(
            tokenId: F.token1, conditionId: F.condition, oldTickSize: Price(micros: 10_000), newTickSize: Price(micros: 1_000),
            timestampMs: 1_767_225_601_000)))
    }

    @Test func bestBidAskBothSidesAndEmptySides() throws {
        #expect(F.only(try F.parse("best_bid_ask")) == .bestBidAsk(BestBidAskEvent(
            tokenId: F.token1, conditionId: F.condition, bestBid: sp("0.51"), bestAsk: sp("0.52"), spread: sp("0.01"),
            timestampMs: 1_767_225_601_100)))
        guard case .bestBidAsk(let empty)? = F.only(try F.parse("best_bid_ask_empty_side")) else {
            Issue.record("no best_bid_ask"); return
        }
        #expect(empty.bestBid == nil && empty.spread == nil)
        #expect(empty.bestAsk == Price(micros: 2_500))   // tick 0.0025 exactly
        #expect(empty.tokenId == F.token2)
    }

    @Test func newMarket() throws {
        guard case .newMarket(let market)? = F.only(try F.parse("new_market")) else { Issue.record("no new_market"); return }
        #expect(market.id == "612345")
        #expect(market.conditionId == "0xabc0000000000000000000000000000000000000000000000000000000000001")
        #expect(market.question == "Will Y happen?" && market.slug == "will-y-happen")
        #expect(market.assetIds == [String(repeating: "1", count: 77), String(repeating: "2", count: 77)])
        #expect(market.outcomes == ["Yes", "No"])
        #expect(market.tickSize == sp("0.01") && market.active == true)
        #expect(market.timestampMs == 1_767_225_602_000)
    }

    @Test func newMarketFallsBackToMarketAndClobTokenIds() {
        let frame = #"{"event_type":"new_market","id":7,"market":"0xdef","clob_token_ids":["1","2"],"outcomes":"[\"Up\",\"Down\"]"}"#
        guard case .newMarket(let market)? = F.only(MarketChannelParser().parse(frame)) else { Issue.record("no new_market"); return }
        #expect(market.id == "7" && market.conditionId == "0xdef" && market.assetIds == ["1", "2"])
        #expect(market.outcomes == ["Up", "Down"] && market.timestampMs == nil && market.question == nil)
    }

    @Test func marketResolved() throws {
        #expect(F.only(try F.parse("market_resolved")) == .marketResolved(MarketResolvedEvent(
            id: "612345", conditionId: "0xabc0000000000000000000000000000000000000000000000000000000000001",
            assetIds: [String(repeating: "1", count: 77), String(repeating: "2", count: 77)],
            winningAssetId: String(repeating: "1", count: 77), winningOutcome: "Yes", timestampMs: 1_767_225_603_000)))
    }

    @Test func unknownEventTypeIsCountedNotFatal() throws {
        let outcome = try F.parse("unknown_event")
        #expect(outcome.events.isEmpty && outcome.unknownEventTypes == 1 && outcome.malformed == 0)
        #expect(outcome.lastSkipReason?.contains("some_future_event") == true)
    }

    @Test func initialDumpArrayOfBooks() throws {
        let outcome = try F.parse("initial_dump")
        #expect(outcome.skipped == 0)
        let books = outcome.events.compactMap { event -> OrderBook? in
            if case .book(let book) = event { return book }
            return nil
        }
        #expect(books.map(\.tokenId) == [F.token1, F.token2, "333"])
        #expect(books[0].bestBid?.price == sp("0.05") && books[0].bestAsk?.price == sp("0.95"))
        #expect(books[1].bestBid?.price == sp("0.94") && books[1].asks.isEmpty && books[1].lastTradePrice == nil)
        #expect(books[2].bids.isEmpty && books[2].tickSize == nil && books[2].negRisk == nil)   // "bids": null
    }

    @Test func briefLegacyPriceChange() throws {
        let outcome = try F.parse("legacy_brief_price_change")
        #expect(F.only(outcome) == .legacyPriceChange(LegacyPriceChangeEvent(tokenId: F.token1, price: Price(micros: 550_000))))
        // Same form with event_type, a timestamp and a market.
        let stamped = MarketChannelParser().parse(
            #"{"event_type":"price_change","asset_id":"9","price":"0.55","timestamp":"1767225600000","market":"0xm"}"#)
        #expect(F.only(stamped) == .legacyPriceChange(LegacyPriceChangeEvent(
            tokenId: "9", price: Price(micros: 550_000), timestampMs: 1_767_225_600_000, conditionId: "0xm")))
    }

    @Test func pre2025ChangesFormIsBookDeltas() throws {
        let outcome = try F.parse("legacy_changes_price_change")
        guard case .priceChange(let event)? = F.only(outcome) else { Issue.record("\(outcome)"); return }
        #expect(event.schema == .legacyChanges)
        #expect(event.conditionId == F.condition && event.timestampMs == 1_729_084_877_448)
        #expect(event.changes == [
            LevelChange(tokenId: F.token1, side: .sell, price: Price(micros: 400_000), size: Size(micros: 3_300_000_000),
                        hash: "3ca4bd6f1aa1ac3aab4c1d2e3f4a5b6c7d8e9f00"),
            LevelChange(tokenId: F.token1, side: .buy, price: Price(micros: 390_000), size: Size(micros: 0),
                        hash: "3ca4bd6f1aa1ac3aab4c1d2e3f4a5b6c7d8e9f00"),
        ])
        #expect(outcome.priceUpdates.isEmpty)
    }

    @Test func reconnectedIsAClientEventWithoutPriceUpdates() {
        let event = StreamEvent.reconnected(ReconnectInfo(reason: "heartbeat timeout", attempt: 3))
        #expect(event.eventType == "reconnected" && event.priceUpdates.isEmpty)
        #expect(event.priceUpdates(receivedAtMs: 1).isEmpty)
        if case .reconnected(let info) = event { #expect(info.reason == "heartbeat timeout" && info.attempt == 3) }
    }

    @Test func everyFixtureParsesWithoutMalformedExceptTheMixedOne() throws {
        for name in F.names where name != "mixed_array" {
            let outcome = try F.parse(name)
            #expect(outcome.malformed == 0, "\(name): \(outcome.lastSkipReason ?? "")")
        }
    }

    @Test func eventTypeNames() throws {
        var seen: Set<String> = []
        for name in F.names { for event in try F.parse(name).events { seen.insert(event.eventType) } }
        #expect(seen == ["book", "price_change", "last_trade_price", "tick_size_change", "best_bid_ask", "new_market",
                         "market_resolved"])
    }
}
