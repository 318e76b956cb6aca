import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct PolymarketClientTests {
    let endpoints = PolymarketEndpoints(gammaURL: "http://fake/gamma/", clobURL: "http://fake/clob", dataURL: "http://fake/data")

    func market(_ n: Int, active: Bool = true, closed: Bool = false) -> String {
        #"{"id":"\#(n)","conditionId":"0xc\#(n)","question":"Q\#(n)","active":\#(active),"closed":\#(closed),"clobTokenIds":"[\"\#(n)1\",\"\#(n)2\"]","outcomes":"[\"Yes\",\"No\"]","orderPriceMinTickSize":0.01}"#
    }

    /// The legacy offset walk, reached because the keyset endpoint is not there (404).
    @Test func activeMarketsFollowPagesUntilEmpty() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/gamma/markets/keyset", status: 404, body: "{\"error\":\"not found\"}")
        transport.on("http://fake/gamma/markets?active=true&closed=false&limit=2&offset=0", body: "[\(market(1)),\(market(2))]")
        transport.on("http://fake/gamma/markets?active=true&closed=false&limit=2&offset=2", body: "[\(market(3, closed: true))]")
        transport.on("http://fake/gamma/markets?active=true&closed=false&limit=2&offset=3", body: "[]")
        let client = try PolymarketClient(endpoints: endpoints, transport: transport, marketsPageSize: 2)
        let markets = try await client.fetchActiveMarkets()
        #expect(markets.map(\.conditionId) == ["0xc1", "0xc2"])
        #expect(transport.urls.filter { !$0.contains("/keyset") }.count == 3)
        #expect(transport.urls.filter { $0.contains("/keyset") }.count == 1)   // the probe, not retried per page
    }

    /// On the legacy offset walk (keyset gone: 410).
    @Test func repeatedPageEndsPaging() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/gamma/markets", body: "[\(market(1))]")   // a server ignoring offset
        transport.on("http://fake/gamma/markets/keyset", status: 410, body: "gone")
        let client = try PolymarketClient(endpoints: endpoints, transport: transport, marketsPageSize: 1)
        #expect(try await client.fetchActiveMarkets().count == 1)
        #expect(transport.urls.filter { !$0.contains("/keyset") }.count == 2)
    }

    @Test func absentMarketIsNil() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/gamma/markets?condition_ids=0xc1", body: "[\(market(1))]")
        transport.on("http://fake/gamma/markets?condition_ids=0xnope", body: "[]")
        let client = try PolymarketClient(endpoints: endpoints, transport: transport)
        #expect(try await client.fetchMarket(conditionId: "0xc1")?.question == "Q1")
        #expect(try await client.fetchMarket(conditionId: "0xnope") == nil)
    }

    @Test func tradesResolveConditionFilterAssetAndConvert() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/clob/markets-by-token/11", body: #"{"condition_id":"0xc1"}"#)
        transport.on("http://fake/data/trades?market=0xc1", body: """
            [{"asset":"12","side":"BUY","price":0.4,"size":5,"timestamp":1767225600,"conditionId":"0xc1"},
             {"asset":"11","side":"SELL","price":0.30000000000000004,"size":50.0,"timestamp":1767225601,"conditionId":"0xc1"},
             {"asset":"11","side":"BUY","price":0.6,"size":1,"timestamp":1767225602,"conditionId":"0xc1"}]
            """)
        let client = try PolymarketClient(endpoints: endpoints, transport: transport)
        let trades = try await client.fetchTrades(tokenId: "11", limit: 10)
        #expect(trades.map(\.timestampMs) == [1_767_225_602_000, 1_767_225_601_000])
        #expect(trades[1].price.description == "0.3")
        _ = try await client.fetchTrades(tokenId: "11", limit: 1)
        #expect(transport.urls.filter { $0.contains("markets-by-token") }.count == 1)   // cached
    }

    @Test func bookIsSortedBestFirstAndMissingBookIsBookInvalid() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/clob/book?token_id=11", body: """
            {"market":"0xc1","asset_id":"11","timestamp":"1767225600123","hash":"abc",
             "bids":[{"price":"0.01","size":"600005"},{"price":"0.49","size":"1200"},{"price":".51","size":"250.5"}],
             "asks":[{"price":"0.99","size":"100000"},{"price":"0.55","size":"300"},{"price":"0.52","size":"84.17"}],
             "min_order_size":"5","tick_size":"0.01","neg_risk":false,"last_trade_price":"0.51"}
            """)
        transport.on("http://fake/clob/book?token_id=12", status: 404, body: #"{"error":"No orderbook exists for the requested token id"}"#)
        transport.on("http://fake/clob/book?token_id=13", body: "null")
        let client = try PolymarketClient(endpoints: endpoints, transport: transport)
        let book = try await client.fetchOrderBook(tokenId: "11")
        #expect(book.bestBid == OrderBookLevel(price: try Price("0.51"), size: try Size("250.5")))
        #expect(book.bestAsk?.size.description == "84.17")
        #expect(book.timestampMs == 1_767_225_600_123)
        #expect(book.tickSize?.description == "0.01")
        await #expect { try await client.fetchOrderBook(tokenId: "12") } throws: { ($0 as? PMError)?.kind == .noOrderBook }
        await #expect { try await client.fetchOrderBook(tokenId: "13") } throws: { ($0 as? PMError)?.kind == .bookInvalid }
    }

    @Test func htmlErrorPagesBecomeHTTPErrorsWithExcerpt() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/gamma/markets", status: 403, body: "<html><head><title>Attention Required! | Cloudflare</title></head></html>")
        let client = try PolymarketClient(endpoints: endpoints, transport: transport)
        await #expect { try await client.fetchActiveMarkets() } throws: {
            let error = $0 as? PMError
            return error?.kind == .http && error?.httpStatus == 403 && error?.message.contains("Cloudflare") == true
        }
    }

    @Test func badEndpointsAreRefused() {
        #expect(throws: PMError.self) {
            try PolymarketClient(endpoints: PolymarketEndpoints(gammaURL: "ftp://x", clobURL: "http://x", dataURL: "http://x"),
                                 transport: ScriptedTransport())
        }
    }
}
