import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct LocalOrderBookTests {
    func snapshot(bids: [String], asks: [String]) throws -> StreamEvent {
        .book(try Books.wireOrder(bids: bids, asks: asks))
    }

    func delta(_ side: TradeSide, _ price: String, _ size: String) -> StreamEvent {
        .priceChange(PriceChangeEvent(conditionId: nil, timestampMs: 5, changes: [
            LevelChange(tokenId: Sample.token, side: side, price: .literal(price), size: .literal(size)),
        ]))
    }

    @Test func snapshotThenDeltasKeepBestByValue() throws {
        let books = LocalOrderBooks()
        books.apply(try snapshot(bids: ["0.01", "0.49", "0.51"], asks: ["0.99", "0.55", "0.52"]))
        #expect(books.bestBid(tokenId: Sample.token) == .literal("0.51"))
        #expect(books.bestAsk(tokenId: Sample.token) == .literal("0.52"))
        books.apply(delta(.buy, "0.515", "100"))        // new best bid
        books.apply(delta(.sell, "0.52", "0"))          // best ask removed
        #expect(books.bestBid(tokenId: Sample.token) == .literal("0.515"))
        #expect(books.bestAsk(tokenId: Sample.token) == .literal("0.55"))
        let state = try #require(books.snapshot(tokenId: Sample.token))
        #expect(state.isValid && state.book.bids.map(\.price.description) == ["0.515", "0.51", "0.49", "0.01"])
    }

    @Test func reconnectInvalidatesUntilNextSnapshot() throws {
        let books = LocalOrderBooks()
        books.apply(try snapshot(bids: ["0.4"], asks: ["0.6"]))
        books.apply(.reconnected(ReconnectInfo(reason: "pong timeout", attempt: 1)))
        let stale = try #require(books.snapshot(tokenId: Sample.token))
        #expect(!stale.isValid && stale.invalidReason?.contains("pong timeout") == true)
        #expect(books.bestBid(tokenId: Sample.token) == nil)
        books.apply(try snapshot(bids: ["0.41"], asks: ["0.6"]))
        #expect(books.bestBid(tokenId: Sample.token) == .literal("0.41"))
    }

    @Test func deltaBeforeSnapshotIsInvalidAndTickSizeIsTracked() throws {
        let books = LocalOrderBooks()
        books.apply(delta(.buy, "0.5", "10"))
        #expect(books.snapshot(tokenId: Sample.token)?.isValid == false)
        books.apply(.tickSizeChange(TickSizeChangeEvent(tokenId: Sample.token, oldTickSize: .literal("0.01"),
                                                        newTickSize: .literal("0.001"), timestampMs: 6)))
        #expect(books.snapshot(tokenId: Sample.token)?.tickSize == .literal("0.001"))
        books.invalidateAll(reason: "queue overflow")
        #expect(books.snapshot(tokenId: Sample.token)?.invalidReason == "queue overflow")
    }

    @Test func restCheckMarksDivergenceInvalid() throws {
        let books = LocalOrderBooks()
        books.apply(try snapshot(bids: ["0.4"], asks: ["0.6"]))
        #expect(books.check(against: try Books.wireOrder(bids: ["0.4"], asks: ["0.6"])))
        #expect(!books.check(against: try Books.wireOrder(bids: ["0.3"], asks: ["0.6"])))
        #expect(books.snapshot(tokenId: Sample.token)?.isValid == false)
    }
}
