import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// A level of size 0 is not a level (on the stream, size 0 deletes one): it must never become a
/// best bid or ask, on any path a book is built by.
@Suite struct ZeroSizeLevelTests {
    static let token = Sample.token

    static func level(_ price: String, _ size: String) -> OrderBookLevel {
        OrderBookLevel(price: .literal(price), size: .literal(size))
    }

    @Test func orderBookDropsZeroSizeLevels() {
        let book = OrderBook(tokenId: Self.token, bids: [Self.level("0.05", "10"), Self.level("0.95", "0")],
                             asks: [Self.level("0.06", "10"), Self.level("0.02", "0")])
        #expect(book.bids == [Self.level("0.05", "10")])
        #expect(book.asks == [Self.level("0.06", "10")])
        #expect(!book.isCrossed)
    }

    /// The G5 hole: a size-0 bid at 0.95 while the only real bid is at 0.05.
    @Test func zeroSizeBidDoesNotPassVerification() async throws {
        let book = OrderBook(tokenId: Self.token, bids: [Self.level("0.05", "10"), Self.level("0.95", "0")],
                             asks: [Self.level("0.99", "10")])
        let result = try await verifyOrderbookPrice(client: FakeBookSource(result: .success(book)), tokenId: Self.token,
                                                    expectedPrice: Price("0.95"))
        #expect(!result.isValid)
        #expect(result.bestBid == .literal("0.05"))
        let onlyZero = OrderBook(tokenId: Self.token, bids: [Self.level("0.95", "0")], asks: [])
        let empty = OrderBookVerification.check(onlyZero, expectedPrice: .literal("0.95"))
        #expect(!empty.isValid && empty.bestBid == nil && empty.reason.contains("no bids"))
    }

    @Test func restBookDecoderDropsZeroSizeLevels() throws {
        let body = #"""
            {"asset_id":"\#(Self.token)","bids":[{"price":"0.05","size":"10"},{"price":"0.95","size":"0"},{"price":"0.9","size":"0.000"}],
             "asks":[{"price":"0.99","size":"5"},{"price":"0.5","size":0}]}
            """#
        let book = try WireDecoding.clobBook(body: Array(body.utf8), what: "GET /book")
        #expect(book.bids.map(\.price.description) == ["0.05"])
        #expect(book.asks.map(\.price.description) == ["0.99"])
        let books = try WireDecoding.clobBooks(body: Array("[\(body)]".utf8), what: "POST /books")
        #expect(books.first?.bestBid?.price == .literal("0.05"))
    }

    @Test func streamBookSnapshotDropsZeroSizeLevels() throws {
        let frame = #"""
            {"event_type":"book","asset_id":"\#(Self.token)","market":"0xc1","timestamp":"1767225600000",
             "bids":[{"price":"0.05","size":"10"},{"price":"0.95","size":"0"}],"asks":[{"price":"0.06","size":"10"}]}
            """#
        let outcome = MarketChannelParser().parse(frame)
        guard case .book(let book)? = outcome.events.first else {
            Issue.record("no book event: \(outcome)")
            return
        }
        #expect(book.bids.map(\.price.description) == ["0.05"])
        let books = LocalOrderBooks()
        books.apply(.book(book))
        let local = try #require(books.snapshot(tokenId: Self.token))
        #expect(local.isValid && !local.book.isCrossed)
        #expect(local.book.bids.map(\.price.description) == ["0.05"])
        #expect(books.bestBid(tokenId: Self.token) == .literal("0.05"))
    }

    /// Deltas: size 0 deletes the level, and a deleted level never comes back as a best price.
    @Test func zeroSizeDeltaDeletesTheLevel() throws {
        let books = LocalOrderBooks()
        books.apply(.book(OrderBook(tokenId: Self.token, bids: [Self.level("0.05", "10"), Self.level("0.5", "3")],
                                    asks: [Self.level("0.6", "10")])))
        books.apply(.priceChange(PriceChangeEvent(conditionId: nil, timestampMs: 5, changes: [
            LevelChange(tokenId: Self.token, side: .buy, price: .literal("0.5"), size: .literal("0")),
            LevelChange(tokenId: Self.token, side: .buy, price: .literal("0.95"), size: .literal("0")),
        ])))
        let local = try #require(books.snapshot(tokenId: Self.token))
        #expect(local.book.bids == [Self.level("0.05", "10")])
        #expect(books.bestBid(tokenId: Self.token) == .literal("0.05"))
    }
}
