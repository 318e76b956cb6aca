import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// A book is evidence only about the token it names: asked for token A and served token B's book,
/// fetching is an error and G5 fails closed — never "valid" against another token's prices.
@Suite struct BookIdentityTests {
    static let a = Sample.token
    static let b = Sample.otherToken
    let endpoints = PolymarketEndpoints(gammaURL: "http://fake/gamma", clobURL: "http://fake/clob", dataURL: "http://fake/data")

    static func body(asset: String, bid: String = "0.5", ask: String = "0.52") -> String {
        #"{"market":"0xc1","asset_id":"\#(asset)","bids":[{"price":"\#(bid)","size":"10"}],"asks":[{"price":"\#(ask)","size":"10"}]}"#
    }

    func client(_ transport: ScriptedTransport) throws -> PolymarketClient {
        try PolymarketClient(endpoints: endpoints, transport: transport)
    }

    @Test func fetchOrderBookRefusesAnotherTokensBook() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/clob/book?token_id=\(Self.a)", body: Self.body(asset: Self.b))
        let client = try client(transport)
        await #expect { try await client.fetchOrderBook(tokenId: Self.a) } throws: {
            let error = $0 as? PMError
            return error?.kind == .bookInvalid && error?.message.contains(Self.a) == true
                && error?.message.contains(Self.b) == true
        }
    }

    @Test func verifyFailsClosedOnAnotherTokensBook() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/clob/book?token_id=\(Self.a)", body: Self.body(asset: Self.b))
        let result = try await verifyOrderbookPrice(client: try client(transport), tokenId: Self.a, expectedPrice: Price("0.5"))
        #expect(!result.isValid)
        #expect(result.bestBid == nil)
        #expect(result.reason.contains(Self.a) && result.reason.contains(Self.b), "\(result.reason)")
    }

    /// The check is G5's own, not only the client's: any `OrderBookSource` may be wrong.
    @Test func verifyChecksTheBookOfAnySource() async throws {
        let other = try Books.wireOrder(bids: ["0.5"], asks: ["0.52"], token: Self.b)
        let result = try await verifyOrderbookPrice(client: FakeBookSource(result: .success(other)), tokenId: Self.a,
                                                    expectedPrice: Price("0.5"))
        #expect(!result.isValid && result.bestBid == nil)
        #expect(result.reason.contains(Self.a) && result.reason.contains(Self.b), "\(result.reason)")
    }

    /// `POST /books`: every returned book must be one of the requested tokens; one that is not
    /// makes the whole answer untrustworthy, so it is an error (not silently dropped).
    @Test func fetchOrderBooksRefusesAnUnrequestedBook() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/clob/books", body: "[\(Self.body(asset: Self.a)),\(Self.body(asset: Self.b))]")
        let client = try client(transport)
        await #expect { try await client.fetchOrderBooks(tokenIds: [Self.a]) } throws: {
            let error = $0 as? PMError
            return error?.kind == .bookInvalid && error?.message.contains(Self.b) == true
                && error?.message.contains("not requested") == true
        }
        // Requested tokens in any order are fine.
        let both = try await client.fetchOrderBooks(tokenIds: [Self.b, Self.a])
        #expect(both.map(\.tokenId) == [Self.a, Self.b])
    }

    /// Local books are keyed by the event's own asset id: B's snapshot never shows under A.
    @Test func localBooksNeverMixTokens() throws {
        let books = LocalOrderBooks()
        books.apply(.book(try Books.wireOrder(bids: ["0.4"], asks: ["0.6"], token: Self.a)))
        books.apply(.book(try Books.wireOrder(bids: ["0.9"], asks: ["0.95"], token: Self.b)))
        books.apply(.priceChange(PriceChangeEvent(conditionId: nil, timestampMs: 5, changes: [
            LevelChange(tokenId: Self.b, side: .buy, price: .literal("0.91"), size: .literal("3")),
        ])))
        let a = try #require(books.snapshot(tokenId: Self.a))
        #expect(a.book.tokenId == Self.a && a.book.bids.map(\.price.description) == ["0.4"])
        #expect(books.bestBid(tokenId: Self.a) == .literal("0.4"))
    }

    /// Tracking only the subscribed tokens: events of any other asset neither create nor alter a
    /// local book, and a book whose token is no longer tracked is reported invalid.
    @Test func localBooksIgnoreUntrackedAssets() throws {
        let subscribed = Subscribed([Self.a])
        let books = LocalOrderBooks(isTracked: { subscribed.contains($0) })
        #expect(books.apply(.book(try Books.wireOrder(bids: ["0.4"], asks: ["0.6"], token: Self.a))) == [Self.a])
        #expect(books.apply(.book(try Books.wireOrder(bids: ["0.9"], asks: ["0.95"], token: Self.b))).isEmpty)
        #expect(books.snapshot(tokenId: Self.b) == nil)
        let touched = books.apply(.priceChange(PriceChangeEvent(conditionId: nil, timestampMs: 5, changes: [
            LevelChange(tokenId: Self.b, side: .buy, price: .literal("0.7"), size: .literal("3")),
            LevelChange(tokenId: Self.a, side: .buy, price: .literal("0.45"), size: .literal("2")),
        ])))
        #expect(touched == [Self.a])
        #expect(books.snapshot(tokenId: Self.b) == nil)
        #expect(books.bestBid(tokenId: Self.a) == .literal("0.45"))
        #expect(books.apply(.tickSizeChange(TickSizeChangeEvent(tokenId: Self.b, oldTickSize: nil, newTickSize: .literal("0.001"),
                                                                  timestampMs: 6))).isEmpty)
        #expect(books.snapshot(tokenId: Self.b) == nil)

        subscribed.set([])   // unsubscribed: its deltas stop, so its book is stale
        let stale = try #require(books.snapshot(tokenId: Self.a))
        #expect(!stale.isValid && stale.invalidReason?.contains("not subscribed") == true)
        #expect(books.bestBid(tokenId: Self.a) == nil)
    }

    @Test func streamClientKnowsItsSubscriptions() throws {
        let client = try StreamClient(url: "ws://127.0.0.1:9/ws/market")
        defer { client.close() }
        try client.subscribe(tokenIds: [Self.a])
        #expect(client.isSubscribed(Self.a))
        #expect(!client.isSubscribed(Self.b))
        try client.unsubscribe(tokenIds: [Self.a])
        #expect(!client.isSubscribed(Self.a))
    }
}

/// A thread-safe set of token ids standing in for a stream's subscriptions.
final class Subscribed: @unchecked Sendable {
    private let lock = Lock()
    private var ids: Set<String>
    init(_ ids: Set<String>) { self.ids = ids }
    func contains(_ id: String) -> Bool { lock.withLock { ids.contains(id) } }
    func set(_ new: Set<String>) { lock.withLock { ids = new } }
}
