import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The brief's regressions end to end: real libcurl, real wire shapes, the project's fake
/// Polymarket on 127.0.0.1. Each test scripts its own session.
@Suite struct GuardsOverHTTPTests {
    static let token = "144025376118479892262749490880200562967355458335621099086839387638815271716888"
    static let condition = "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"

    struct Fixture {
        let session: FakeSession
        let client: PolymarketClient
        let transport: CurlTransport
    }

    func fixture(config: HTTPConfig = HTTPConfig(connectTimeoutMs: 2_000, totalTimeoutMs: 5_000)) async throws -> Fixture {
        let session = try await FakePolymarket.shared.newSession()
        let transport = try CurlTransport(config: config)
        let client = try PolymarketClient(endpoints: PolymarketEndpoints(gammaURL: session.gammaURL, clobURL: session.clobURL,
                                                                         dataURL: session.dataURL), transport: transport)
        return Fixture(session: session, client: client, transport: transport)
    }

    static func tradeRow(ageSeconds: Int, now: Int, price: String, size: String = "50.0", tx: String) -> String {
        #"{"proxyWallet":"0x1234567890abcdef1234567890abcdef12345678","side":"BUY","asset":"\#(token)","conditionId":"\#(condition)","size":\#(size),"price":\#(price),"timestamp":\#(now - ageSeconds),"title":"Will X happen?","slug":"will-x","outcome":"Yes","outcomeIndex":0,"transactionHash":"\#(tx)"}"#
    }

    static func state(trades: [String]) -> String {
        #"{"market_by_token":{"\#(token)":"\#(condition)"},"trades":[\#(trades.joined(separator: ","))]}"#
    }

    /// G1: a 60-day-old trade beside a 10-second-old one → only the fresh one.
    @Test func staleTradeIsNeverHandedOutAsRecent() async throws {
        let f = try await fixture()
        defer { f.transport.shutdown() }
        let now = Int(SystemClock().nowMilliseconds() / 1000)
        try await f.session.setState(Self.state(trades: [
            Self.tradeRow(ageSeconds: 60 * 86_400, now: now, price: "0.95", tx: "0xold"),
            Self.tradeRow(ageSeconds: 10, now: now, price: "0.05", tx: "0xnew"),
        ]))
        let fetcher = try TradeFetcher(source: f.client)
        let recent = try await fetcher.fetchRecentTrades(tokenId: Self.token)
        #expect(recent.map(\.transactionHash) == ["0xnew"])
        #expect(recent.first?.price == Price.literal("0.05"))
        #expect(recent.first?.timestampMs == Int64(now - 10) * 1000)   // seconds on the wire → ms

        try await f.session.setState(Self.state(trades: [
            Self.tradeRow(ageSeconds: 60 * 86_400, now: now, price: "0.95", tx: "0xold"),
            Self.tradeRow(ageSeconds: 3_600, now: now, price: "0.94", tx: "0xhour"),
        ]))
        #expect(try await fetcher.fetchRecentTrades(tokenId: Self.token).isEmpty)
    }

    /// G3 fallback over HTTP: the size of a fresh trade near the price; float noise rounded exactly.
    @Test func sizeAtPriceOverHTTP() async throws {
        let f = try await fixture()
        defer { f.transport.shutdown() }
        let now = Int(SystemClock().nowMilliseconds() / 1000)
        try await f.session.setState(Self.state(trades: [
            Self.tradeRow(ageSeconds: 20, now: now, price: "0.30000000000000004", size: "75.5", tx: "0xa"),
            Self.tradeRow(ageSeconds: 90 * 86_400, now: now, price: "0.3", size: "9999", tx: "0xb"),
        ]))
        let fetcher = try TradeFetcher(source: f.client)
        #expect(try await fetcher.fetchTradeSizeAtPrice(tokenId: Self.token, targetPrice: Price("0.3")) == Size.literal("75.5"))
        #expect(try await fetcher.fetchTradeSizeAtPrice(tokenId: Self.token, targetPrice: Price("0.3"), maxAgeSeconds: 10) == nil)
    }

    /// G5: book at 0.05 (bids lowest-first on the wire) vs an expected 0.95 → rejected, both prices named.
    @Test func spikeIsRejectedAgainstTheBook() async throws {
        let f = try await fixture()
        defer { f.transport.shutdown() }
        try await f.session.setState(#"""
            {"books":{"\#(Self.token)":{"market":"\#(Self.condition)","asset_id":"\#(Self.token)","timestamp":"1767225600123",
              "hash":"3cd4","bids":[{"price":"0.01","size":"600005"},{"price":"0.03","size":"1200"},{"price":"0.05","size":"250.5"}],
              "asks":[{"price":"0.99","size":"100000"},{"price":"0.08","size":"300"},{"price":"0.07","size":"84.17"}],
              "min_order_size":"5","tick_size":"0.01","neg_risk":false,"last_trade_price":"0.05"}}}
            """#)
        let result = try await verifyOrderbookPrice(client: f.client, tokenId: Self.token, expectedPrice: Price("0.95"))
        #expect(!result.isValid)
        #expect(result.bestBid == Price.literal("0.05"))
        #expect(result.reason.contains("0.05") && result.reason.contains("0.95"))
        let near = try await verifyOrderbookPrice(client: f.client, tokenId: Self.token, expectedPrice: Price("0.06"))
        #expect(near.isValid)
    }

    @Test func nullEmptyAndCrossedBooksAreInvalid() async throws {
        let f = try await fixture()
        defer { f.transport.shutdown() }
        let empty = "\"1\":{\"asset_id\":\"1\",\"bids\":[],\"asks\":[{\"price\":\"0.5\",\"size\":\"1\"}]}"
        let nullBids = "\"2\":{\"asset_id\":\"2\",\"bids\":null,\"asks\":null}"
        let crossed = "\"3\":{\"asset_id\":\"3\",\"bids\":[{\"price\":\"0.6\",\"size\":\"1\"}],\"asks\":[{\"price\":\"0.55\",\"size\":\"1\"}]}"
        try await f.session.setState("{\"books\":{\(empty),\(nullBids),\(crossed),\"4\":null}}")
        for token in ["1", "2", "3", "4", "5"] {   // 4: body `null`; 5: 404 no book
            let result = try await verifyOrderbookPrice(client: f.client, tokenId: token, expectedPrice: Price("0.6"))
            #expect(!result.isValid, "token \(token): \(result.reason)")
            #expect(result.reason.contains("0.6"), "token \(token): \(result.reason)")
        }
    }

    /// G5 over HTTP against another token's book, a size-0 best bid, and an HTTP/0.9 reply: each
    /// fails closed (valid false, with the reason), none is an exception or a pass.
    @Test func untrustworthyBooksFailClosed() async throws {
        let f = try await fixture()
        defer { f.transport.shutdown() }
        let other = "52114319501245915516055106046884209969926127482827954674443846427813813222426"
        let zero = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
        try await f.session.setState(#"""
            {"books":{"\#(Self.token)":{"asset_id":"\#(other)","bids":[{"price":"0.95","size":"10"}],"asks":[{"price":"0.96","size":"10"}]},
                      "\#(zero)":{"asset_id":"\#(zero)","bids":[{"price":"0.05","size":"10"},{"price":"0.95","size":"0"}],"asks":[{"price":"0.99","size":"1"}]}}}
            """#)
        let mismatch = try await verifyOrderbookPrice(client: f.client, tokenId: Self.token, expectedPrice: Price("0.95"))
        #expect(!mismatch.isValid && mismatch.reason.contains(Self.token) && mismatch.reason.contains(other), "\(mismatch.reason)")
        await #expect { try await f.client.fetchOrderBook(tokenId: Self.token) } throws: { ($0 as? PMError)?.kind == .bookInvalid }
        await #expect { try await f.client.fetchOrderBooks(tokenIds: [Self.token]) } throws: { ($0 as? PMError)?.kind == .bookInvalid }

        let zeroSize = try await verifyOrderbookPrice(client: f.client, tokenId: zero, expectedPrice: Price("0.95"))
        #expect(!zeroSize.isValid && zeroSize.bestBid == Price.literal("0.05"), "\(zeroSize.reason)")
        #expect(try await f.client.fetchOrderBook(tokenId: zero).bids.map(\.price.description) == ["0.05"])

        try await f.session.addFaults([FakeFault(path: "/clob/book", http09: true)])
        let http09 = try await verifyOrderbookPrice(client: f.client, tokenId: zero, expectedPrice: Price("0.05"))
        #expect(!http09.isValid && http09.reason.contains("unavailable"), "\(http09.reason)")
    }

    @Test func metadataSyncIsIncremental() async throws {
        let f = try await fixture()
        defer { f.transport.shutdown() }
        try await f.session.seed("basic")
        let database = try Database(.inMemory())
        let sync = MetadataSync(client: f.client, database: database)
        let first = try await sync.sync()
        #expect(first.markets == 4)                       // 5 in the preset, one closed
        #expect(first.inserted == 8 && first.updated == 0 && first.unchanged == 0)
        let second = try await sync.sync()
        #expect(second.inserted == 0 && second.unchanged == 8)
        let stored = try TokenMetaRepository(database).get(tokenId: Self.token)
        #expect(stored?.tickSize == Price.literal("0.01") && stored?.outcome == "Yes" && stored?.active == true)
    }

    @Test func paginationFollowsClampedPages() async throws {
        let f = try await fixture()
        defer { f.transport.shutdown() }
        try await f.session.seed("basic")
        _ = try await FakeSession.call(f.session.control, .post,
                                       "\(f.session.root)/_control/sessions/\(f.session.id)/config", json: ["gamma_limit_max": 2])
        let markets = try await f.client.fetchActiveMarkets()
        #expect(markets.count == 4)
        let pages = try await f.session.requests(path: "/gamma/markets/keyset")
        #expect(pages.count == 2)   // clamped to 2 per page: two pages, the second without a cursor
    }

    @Test func garbageBodiesAreParseErrorsNotCrashes() async throws {
        let f = try await fixture()
        defer { f.transport.shutdown() }
        try await f.session.addFaults([FakeFault(path: "/clob/book", body: "{\"asset_id\": [1,2,"),
                                       FakeFault(path: "/gamma/markets/keyset", body: "<html>oops</html>")])
        await #expect { try await f.client.fetchOrderBook(tokenId: "1") } throws: { ($0 as? PMError)?.kind == .parse }
        await #expect { try await f.client.fetchActiveMarkets() } throws: { ($0 as? PMError)?.kind == .parse }
    }
}
