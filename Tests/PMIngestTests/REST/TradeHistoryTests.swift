import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct TradeHistoryTests {
    let endpoints = PolymarketEndpoints(gammaURL: "http://fake/gamma", clobURL: "http://fake/clob", dataURL: "http://fake/data")
    static let combo = "0x" + String(repeating: "ab", count: 31)

    func client(_ transport: any HTTPTransport, budget: ListingBudget = ListingBudget()) throws -> PolymarketClient {
        try PolymarketClient(endpoints: endpoints, transport: transport, listingBudget: budget)
    }

    @Test func decodesSnakeCaseRowsExactlyInSecondsAndSkipsCombos() throws {
        let body = try WireDecoding.parseBody(Array("""
            {"data":[{"proxy_wallet":"0x1234","side":"SELL","token_id":"11","condition_id":"\(Sample.condition)",
                      "size":50.0,"price":0.30000000000000004,"timestamp":1767225601,"title":"T","slug":"s",
                      "event_slug":"e","outcome":"","outcome_index":999,"transaction_hash":"0xdead"},
                     {"proxy_wallet":"0x1","side":"BUY","token_id":"12","condition_id":"\(Self.combo)","size":1,
                      "price":0.5,"timestamp":1767225500,"title":"","slug":"","outcome":"","outcome_index":999}],
             "pagination":{"limit":2,"offset":0,"has_more":true,"next_cursor":"abc"}}
            """.utf8), what: "t")
        let page = try WireDecoding.dataAPIV2TradePage(body)
        #expect(page.trades.count == 1 && page.combos == 1 && page.rows == 2)
        let trade = try #require(page.trades.first)
        #expect(trade.price == .literal("0.3") && trade.size == .literal("50"))
        #expect(trade.timestampMs == 1_767_225_601_000 && trade.side == .sell && trade.outcome == nil)
        #expect(trade.transactionHash == "0xdead" && trade.proxyWallet == "0x1234" && trade.conditionId == Sample.condition)
        #expect(page.oldestTimestampMs == 1_767_225_500_000 && page.hasMore && page.nextCursor == "abc")
    }

    @Test func malformedPagesAreParseErrors() throws {
        for text in [#"[]"#, #"{"pagination":{}}"#, #"{"data":[1]}"#, #"{"data":[{"timestamp":"x"}]}"#,
                     #"{"data":[{"timestamp":1,"side":"HOLD","token_id":"1","price":1,"size":1}]}"#,
                     #"{"data":[{"timestamp":1,"side":"BUY","token_id":"abc","price":1,"size":1}]}"#,
                     #"{"data":[{"timestamp":9223372036854775807,"side":"BUY","token_id":"1","price":1,"size":1}]}"#] {
            let body = try WireDecoding.parseBody(Array(text.utf8), what: "t")
            #expect(throws: PMError.self) { try WireDecoding.dataAPIV2TradePage(body) }
        }
        let empty = try WireDecoding.dataAPIV2TradePage(try WireDecoding.parseBody(Array(#"{"data":[]}"#.utf8), what: "t"))
        #expect(empty.rows == 0 && empty.oldestTimestampMs == nil && !empty.hasMore && empty.nextCursor == nil)
        #expect(!WireDecoding.isCombo(nil) && !WireDecoding.isCombo(Sample.condition) && WireDecoding.isCombo(Self.combo))
        #expect(!WireDecoding.isCombo("0x" + String(repeating: "g", count: 62)) && !WireDecoding.isCombo("1x" + String(repeating: "a", count: 62)))
    }

    @Test func walksEveryPageNewestFirstWithOneRequestShape() async throws {
        let tape = TapeTransport(rows: TapeTransport.rows(2_500))
        let trades = try await client(tape).fetchTradeHistory(conditionId: Sample.condition)
        #expect(trades.count == 2_500 && Set(trades.map(\.id)).count == 2_500)
        #expect(trades.map(\.timestampMs) == trades.map(\.timestampMs).sorted(by: >))
        #expect(tape.urls.count == 3)
        #expect(tape.urls[0] == "http://fake/data/v2/trades?condition=\(Sample.condition)&limit=1000&taker_only=true")
        #expect(tape.urls[2].hasSuffix("&taker_only=true&cursor=2000"))
    }

    @Test func sinceKeepsOnlyNewerTradesAndStopsAtThePageThatPassesIt() async throws {
        let tape = TapeTransport(rows: TapeTransport.rows(5_000))
        let since: Int64 = (1_767_225_600 - 1_499) * 1000
        let trades = try await client(tape).fetchTradeHistory(conditionId: Sample.condition, since: since)
        #expect(trades.count == 1_500 && trades.allSatisfy { $0.timestampMs >= since })
        #expect(tape.urls.count == 2)   // page 2 reaches below `since`: no page 3
    }

    @Test func combosInTheFeedAreSkipped() async throws {
        var rows = TapeTransport.rows(3)
        rows.append(.init(condition: Self.combo, seconds: 1_767_225_599, tx: "0xc0", slug: "", outcome: ""))
        let trades = try await client(TapeTransport(rows: rows)).fetchTradeHistory(conditionId: Sample.condition)
        #expect(trades.count == 3 && trades.allSatisfy { $0.conditionId == Sample.condition })
    }

    @Test func repeatedOrMissingCursorEndsTheWalkWithAnError() async throws {
        let stuck = TapeTransport(rows: TapeTransport.rows(3_000))
        stuck.stuckCursor = "same"
        let first = await #expect(throws: PMError.self) { try await client(stuck).fetchTradeHistory(conditionId: Sample.condition) }
        #expect(first?.kind == .parse && first?.message.contains("a second time") == true)
        #expect(stuck.urls.count == 2)
        let dropped = TapeTransport(rows: TapeTransport.rows(3_000))
        dropped.dropCursor = true
        let second = await #expect(throws: PMError.self) { try await client(dropped).fetchTradeHistory(conditionId: Sample.condition) }
        #expect(second?.kind == .parse && second?.message.contains("no next_cursor") == true)
    }

    @Test func duplicateRowsAcrossPagesComeOutOnce() async throws {
        // A server whose pages overlap (the same trade on both sides of a page boundary).
        let transport = ScriptedTransport()
        let row = TapeTransport.Row(seconds: 1_767_225_600).json
        let older = TapeTransport.Row(seconds: 1_767_225_500, tx: "0xold").json
        transport.on("http://fake/data/v2/trades", body: #"{"data":[\#(row)],"pagination":{"has_more":true,"next_cursor":"c1"}}"#)
        transport.on("http://fake/data/v2/trades?condition=\(Sample.condition)&limit=1000&taker_only=true&cursor=c1",
                     body: #"{"data":[\#(row),\#(older)],"pagination":{"has_more":false,"next_cursor":null}}"#)
        let trades = try await client(transport).fetchTradeHistory(conditionId: Sample.condition)
        #expect(trades.map(\.timestampMs) == [1_767_225_600_000, 1_767_225_500_000])
    }

    @Test func budgetsBoundTheWalk() async throws {
        let tape = TapeTransport(rows: TapeTransport.rows(5_000))
        let error = await #expect(throws: PMError.self) {
            try await client(tape, budget: ListingBudget(maxPages: 2)).fetchTradeHistory(conditionId: Sample.condition)
        }
        #expect(error?.kind == .tooLarge && tape.urls.count == 2)
        await #expect(throws: PMError.self) { try await client(tape).fetchTradeHistory(conditionId: "bad id") }
        await #expect(throws: PMError.self) { try await client(tape).fetchTradeHistory(conditionId: Sample.condition, since: -1) }
        let slow = SlowTransport()
        let timeout = await #expect(throws: PMError.self) {
            try await client(slow, budget: ListingBudget(timeoutMs: 50)).fetchTradeHistory(conditionId: Sample.condition)
        }
        #expect(timeout?.kind == .timeout)
    }

    @Test func httpErrorsSurface() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/data/v2/trades", status: 400,
                     body: #"{"error":"offset is not supported","code":"bad_request","retryable":false,"trace_id":"t1"}"#)
        let error = await #expect(throws: PMError.self) { try await client(transport).fetchTradeHistory(conditionId: Sample.condition) }
        #expect(error?.kind == .http && error?.httpStatus == 400)
    }

    @Test func legacyTradesNeverAskMoreThan500() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/clob/markets-by-token/11", body: #"{"condition_id":"0xc1"}"#)
        transport.on("http://fake/data/trades", body: "[]")
        let client = try client(transport)
        _ = try await client.fetchTrades(tokenId: "11", limit: Int.max)
        _ = try await client.fetchTrades(tokenId: "11", limit: 400)
        let limits = transport.urls.filter { $0.contains("/data/trades") }.compactMap { TapeTransport.query($0)["limit"] }
        #expect(limits == ["500", "500"])
        #expect(transport.urls.allSatisfy { !$0.contains("offset=") })
    }
}

/// Never answers until cancelled.
final class SlowTransport: HTTPTransport, @unchecked Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await Task.sleep(nanoseconds: 10_000_000_000)
        return HTTPResponse(status: 500)
    }
}
