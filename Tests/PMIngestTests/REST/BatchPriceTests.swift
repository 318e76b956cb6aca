import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// An in-process CLOB answering `POST /prices`, `/midpoints` and `/last-trades-prices` from fixed
/// per-token values, refusing more than 100 rows a request like the client's chunking promises.
final class BatchPriceTransport: HTTPTransport, @unchecked Sendable {
    private let lock = Lock()
    let bids: [String: String]
    let asks: [String: String]
    let lastTrades: [String: (String, String)]
    var override: [UInt8]?
    private(set) var urls: [String] = []
    private(set) var rowCounts: [Int] = []

    init(bids: [String: String] = [:], asks: [String: String] = [:], lastTrades: [String: (String, String)] = [:]) {
        self.bids = bids
        self.asks = asks
        self.lastTrades = lastTrades
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock {
            urls.append(request.url)
            guard let parsed = try? WireDecoding.parseBody(request.body ?? [], what: "request"), let rows = parsed.arrayValue else {
                return HTTPResponse(status: 400, body: Array(#"{"error":"Invalid payload"}"#.utf8))
            }
            rowCounts.append(rows.count)
            if rows.count > 100 { return HTTPResponse(status: 400, body: Array(#"{"error":"too many"}"#.utf8)) }
            if let override { return HTTPResponse(status: 200, body: override) }
            let tokens = rows.compactMap { $0.objectValue?["token_id"]?.stringValue }
            let sides = rows.compactMap { $0.objectValue?["side"]?.stringValue }
            let text: String
            if request.url.hasSuffix("/books") {
                text = "[" + tokens.filter { bids[$0] != nil }.map { token in
                    #"{"market":"0x01","asset_id":"\#(token)","timestamp":"1","hash":"","bids":[{"price":"\#(bids[token] ?? "")","size":"1"}],"asks":[],"min_order_size":"5","tick_size":"0.01","neg_risk":false}"#
                }.joined(separator: ",") + "]"
            } else if request.url.hasSuffix("/prices") {
                text = "{" + zip(tokens, sides).compactMap { token, side in
                    (side == "BUY" ? bids[token] : asks[token]).map { "\"\(token)\":{\"\(side)\":\"\($0)\"}" }
                }.joined(separator: ",") + "}"
            } else if request.url.hasSuffix("/midpoints") {
                text = "{" + tokens.compactMap { token -> String? in
                    guard let bid = bids[token], let ask = asks[token], let b = Double(bid), let a = Double(ask) else { return nil }
                    return "\"\(token)\":\"\((b + a) / 2)\""
                }.joined(separator: ",") + "}"
            } else {
                text = "[" + tokens.compactMap { token in
                    lastTrades[token].map { #"{"token_id":"\#(token)","price":"\#($0.0)","side":"\#($0.1)"}"# }
                }.joined(separator: ",") + "]"
            }
            return HTTPResponse(status: 200, body: Array(text.utf8))
        }
    }
}

@Suite struct BatchPriceTests {
    let endpoints = PolymarketEndpoints(gammaURL: "http://fake/gamma", clobURL: "http://fake/clob", dataURL: "http://fake/data")

    func client(_ transport: any HTTPTransport) throws -> PolymarketClient {
        try PolymarketClient(endpoints: endpoints, transport: transport)
    }

    func body(_ text: String) throws -> JSONValue { try WireDecoding.parseBody(Array(text.utf8), what: "t") }

    @Test func decodesExactlyAndLeavesMissingTokensOut() throws {
        let prices = try WireDecoding.clobPrices(try body(#"{"11":{"BUY":"0.123456","SELL":"0.2"},"12":{"SELL":"0.3"},"13":null,"14":{"BUY":""}}"#), side: .buy)
        #expect(prices == ["11": .literal("0.123456")])
        #expect(try WireDecoding.clobPrices(try body(#"{"11":{"BUY":"0.1","SELL":"0.2"}}"#), side: .sell) == ["11": .literal("0.2")])
        let mids = try WireDecoding.clobMidpoints(try body(#"{"11":"0.515","12":0.30000000000000004,"13":null,"14":""}"#))
        #expect(mids == ["11": .literal("0.515"), "12": .literal("0.3")])
        let last = try WireDecoding.clobLastTradePrices(try body(
            #"[{"token_id":"11","price":"0.51","side":"BUY"},{"token_id":"12","price":"0.4","side":""},{"token_id":"13","price":""},{"token_id":"14","price":"0.2","side":"sell"}]"#))
        #expect(last == ["11": LastTradePrice(price: .literal("0.51"), side: .buy), "12": LastTradePrice(price: .literal("0.4"), side: nil),
                         "14": LastTradePrice(price: .literal("0.2"), side: .sell)])
    }

    @Test func malformedAnswersAreParseErrors() throws {
        for text in [#"[]"#, #"{"x":"0.5"}"#, #"{"11":"0.5"}"#, #"{"11":{"BUY":-1}}"#, #"{"11":{"BUY":"abc"}}"#] {
            #expect(throws: PMError.self) { try WireDecoding.clobPrices(try body(text), side: .buy) }
        }
        for text in [#"[]"#, #"{"x":"0.5"}"#, #"{"11":"abc"}"#, #"{"11":{}}"#, #"{"11":"-0.5"}"#, #"{"11":"99999999999999"}"#] {
            #expect(throws: PMError.self) { try WireDecoding.clobMidpoints(try body(text)) }
        }
        for text in [#"{}"#, #"[1]"#, #"[{"price":"0.5"}]"#, #"[{"token_id":"x","price":"0.5"}]"#,
                     #"[{"token_id":"11","price":"0.5","side":"HOLD"}]"#, #"[{"token_id":"11","price":"abc"}]"#] {
            #expect(throws: PMError.self) { try WireDecoding.clobLastTradePrices(try body(text)) }
        }
        let range = #expect(throws: PMError.self) { try WireDecoding.clobMidpoints(try body(#"{"11":"99999999999999"}"#)) }
        #expect(range?.kind == .range)
    }

    @Test func aSweepOf2000TokensTakes20RequestsPerEndpoint() async throws {
        let tokens = (1...2000).map { String(1000 + $0) }
        var bids: [String: String] = [:]
        var asks: [String: String] = [:]
        var trades: [String: (String, String)] = [:]
        for (index, token) in tokens.enumerated() where index % 2 == 0 {
            bids[token] = "0.25"
            asks[token] = "0.75"
            trades[token] = ("0.5", index % 4 == 0 ? "BUY" : "SELL")
        }
        let transport = BatchPriceTransport(bids: bids, asks: asks, lastTrades: trades)
        let client = try client(transport)
        let buy = try await client.fetchPrices(tokenIds: tokens + tokens.prefix(10), side: .buy)
        #expect(transport.urls.count == 20 && transport.rowCounts.allSatisfy { $0 == PolymarketClient.clobBatchMaxTokens })
        #expect(buy.count == 1000 && buy["1001"] == .literal("0.25") && buy["1002"] == nil)
        let sell = try await client.fetchPrices(tokenIds: tokens, side: .sell)
        #expect(sell["1001"] == .literal("0.75"))
        let mids = try await client.fetchMidpoints(tokenIds: tokens)
        #expect(mids.count == 1000 && mids["1001"] == .literal("0.5") && mids["1002"] == nil)
        let last = try await client.fetchLastTradePrices(tokenIds: tokens)
        #expect(last.count == 1000 && last["1001"] == LastTradePrice(price: .literal("0.5"), side: .buy))
        #expect(last["1003"]?.side == .sell && last["1002"] == nil)
        #expect(transport.urls.count == 80)
        #expect(transport.urls.filter { $0 == "http://fake/clob/midpoints" }.count == 20)
        #expect(transport.urls.filter { $0 == "http://fake/clob/last-trades-prices" }.count == 20)
    }

    @Test func orderBooksAreFetchedInChunksOf100InRequestOrder() async throws {
        let tokens = (1...250).map { String(5000 + $0) }
        let transport = BatchPriceTransport(bids: Dictionary(uniqueKeysWithValues: tokens.map { ($0, "0.5") }))
        let books = try await client(transport).fetchOrderBooks(tokenIds: tokens)
        #expect(transport.rowCounts == [100, 100, 50] && books.map(\.tokenId) == tokens)
        #expect(try await client(transport).fetchOrderBooks(tokenIds: []).isEmpty && transport.urls.count == 3)
    }

    @Test func badInputStopsBeforeAnyRequestAndStrayTokensAreRefused() async throws {
        let transport = BatchPriceTransport(bids: ["11": "0.5"])
        let client = try client(transport)
        #expect(try await client.fetchMidpoints(tokenIds: []) == [:])
        let bad = await #expect(throws: PMError.self) { try await client.fetchPrices(tokenIds: ["11", "x"], side: .buy) }
        #expect(bad?.kind == .invalidArgument && bad?.message.contains("token_ids[1]") == true)
        #expect(transport.urls.isEmpty)
        transport.override = Array(#"{"12":"0.5"}"#.utf8)
        let stray = await #expect(throws: PMError.self) { try await client.fetchMidpoints(tokenIds: ["11"]) }
        #expect(stray?.kind == .parse)
        transport.override = Array(#"[{"token_id":"12","price":"0.5","side":"BUY"}]"#.utf8)
        await #expect(throws: PMError.self) { _ = try await client.fetchLastTradePrices(tokenIds: ["11"]) }
        let failing = try self.client(BatchStatusTransport(status: 500))
        let http = await #expect(throws: PMError.self) { try await failing.fetchPrices(tokenIds: ["11"], side: .sell) }
        #expect(http?.kind == .http && http?.httpStatus == 500)
    }
}

/// Answers every request with one status and an error body.
struct BatchStatusTransport: HTTPTransport {
    let status: Int
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        HTTPResponse(status: status, body: Array(#"{"error":"down"}"#.utf8))
    }
}
