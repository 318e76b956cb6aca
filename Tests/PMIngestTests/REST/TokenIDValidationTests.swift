import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Token ids are decimal strings of 1...78 digits. Anything else is refused where it enters —
/// from a caller (`.invalidArgument`, before any request: `..` must never turn
/// `/markets-by-token/..` into `GET {clob}/`) or from the wire (`.parse`, naming the field).
@Suite struct TokenIDValidationTests {
    static let bad = ["", "..", ".", "/", "12a", "0x12", " 12", "12 ", "1.5", "-1", "１２", "tok1", String(repeating: "9", count: 79)]
    static let good = ["1", "007", String(repeating: "9", count: 78), Sample.token]

    let endpoints = PolymarketEndpoints(gammaURL: "http://fake/gamma", clobURL: "http://fake/clob", dataURL: "http://fake/data")

    static func isInvalidArgument(_ error: any Error) -> Bool {
        guard let error = error as? PMError else { return false }
        return error.kind == .invalidArgument && error.message.contains("token_id")
    }

    @Test(arguments: bad) func clientRefusesBeforeAnyRequest(_ token: String) async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/", body: "{}")
        let client = try PolymarketClient(endpoints: endpoints, transport: transport)
        await #expect { try await client.fetchOrderBook(tokenId: token) } throws: { Self.isInvalidArgument($0) }
        await #expect { try await client.fetchOrderBooks(tokenIds: [Sample.token, token]) } throws: { Self.isInvalidArgument($0) }
        await #expect { try await client.conditionId(forToken: token) } throws: { Self.isInvalidArgument($0) }
        await #expect { try await client.fetchTrades(tokenId: token) } throws: { Self.isInvalidArgument($0) }
        await #expect { try await verifyOrderbookPrice(client: client, tokenId: token, expectedPrice: .literal("0.5")) } throws: {
            Self.isInvalidArgument($0)
        }
        let fetcher = try TradeFetcher(source: client)
        await #expect { try await fetcher.fetchRecentTrades(tokenId: token) } throws: { Self.isInvalidArgument($0) }
        await #expect { try await fetcher.fetchTradeSizeAtPrice(tokenId: token, targetPrice: .literal("0.5")) } throws: {
            Self.isInvalidArgument($0)
        }
        #expect(transport.urls.isEmpty, "\(transport.urls)")
    }

    /// Any `TradeSource`, not only the client: the fetcher checks the id itself.
    @Test func fetcherRefusesForAnySource() async throws {
        let fetcher = try TradeFetcher(source: FakeTradeSource(trades: []))
        await #expect { try await fetcher.fetchRecentTrades(tokenId: "..") } throws: { Self.isInvalidArgument($0) }
    }

    @Test(arguments: bad) func modelsAndStreamRefuse(_ token: String) throws {
        #expect { try PolymarketTrade(tokenId: token, side: .buy, price: .literal("0.5"), size: .literal("1"), timestampMs: 1) } throws: {
            Self.isInvalidArgument($0)
        }
        let database = try Database(.inMemory())
        #expect { try TokenMetaRepository(database).upsert(PolymarketTokenMeta(tokenId: token, conditionId: "0xc1")) } throws: {
            Self.isInvalidArgument($0)
        }
        let stream = try StreamClient(url: "ws://127.0.0.1:9/ws/market")
        defer { stream.close() }
        #expect { try stream.subscribe(tokenIds: [Sample.token, token]) } throws: { ($0 as? PMError)?.kind == .invalidArgument }
        #expect(stream.subscribedTokenIds.isEmpty)
        #expect { try stream.unsubscribe(tokenIds: [token]) } throws: { ($0 as? PMError)?.kind == .invalidArgument }
    }

    /// Store look-ups refuse a malformed id instead of answering "nothing stored".
    @Test(arguments: bad) func storeQueriesRefuse(_ token: String) throws {
        let database = try Database(.inMemory())
        #expect { try TradeRepository(database).trades(tokenId: token) } throws: { Self.isInvalidArgument($0) }
        #expect { try TradeRepository(database).count(tokenId: token) } throws: { Self.isInvalidArgument($0) }
        #expect { try TokenMetaRepository(database).get(tokenId: token) } throws: { Self.isInvalidArgument($0) }
    }

    @Test(arguments: good) func digitsAreAccepted(_ token: String) throws {
        _ = try PolymarketTrade(tokenId: token, side: .buy, price: .literal("0.5"), size: .literal("1"), timestampMs: 1)
        let stream = try StreamClient(url: "ws://127.0.0.1:9/ws/market")
        defer { stream.close() }
        try stream.subscribe(tokenIds: [token])
        #expect(stream.subscribedTokenIds == [token])
    }

    // MARK: from the wire

    static func isParseError(_ error: any Error, naming field: String) -> Bool {
        guard let error = error as? PMError else { return false }
        return error.kind == .parse && error.message.contains(field)
    }

    @Test func restBooksRefuseANonDigitAssetID() {
        let body = Array(#"{"asset_id":"tok1","bids":[{"price":"0.5","size":"1"}],"asks":[]}"#.utf8)
        #expect { try WireDecoding.clobBook(body: body, what: "GET /book") } throws: { Self.isParseError($0, naming: "asset_id") }
        #expect { try WireDecoding.clobBooks(body: Array("[".utf8) + body + Array("]".utf8), what: "POST /books") } throws: {
            Self.isParseError($0, naming: "asset_id")
        }
    }

    @Test func streamEventsWithANonDigitAssetAreMalformed() {
        let frames = [
            ("asset_id", #"{"event_type":"book","asset_id":"..","bids":[],"asks":[]}"#),
            ("asset_id", #"{"event_type":"price_change","market":"0xc","timestamp":"1","price_changes":[{"asset_id":"x1","price":"0.5","size":"1","side":"BUY"}]}"#),
            ("asset_id", #"{"event_type":"price_change","asset_id":"x1","market":"0xc","timestamp":"1","changes":[{"price":"0.5","size":"1","side":"BUY"}]}"#),
            ("asset_id", #"{"event_type":"last_trade_price","asset_id":"x1","price":"0.5","timestamp":"1"}"#),
            ("asset_id", #"{"event_type":"tick_size_change","asset_id":"x1","new_tick_size":"0.01","timestamp":"1"}"#),
            ("asset_id", #"{"event_type":"best_bid_ask","asset_id":"x1","best_bid":"0.5","timestamp":"1"}"#),
            ("asset_id", #"{"type":"price_change","asset_id":"x1","price":"0.5"}"#),
            ("assets_ids", #"{"event_type":"new_market","condition_id":"0xc","assets_ids":["1","x2"]}"#),
            ("assets_ids", #"{"event_type":"market_resolved","market":"0xc","assets_ids":["x2"],"winning_asset_id":"1"}"#),
            ("winning_asset_id", #"{"event_type":"market_resolved","market":"0xc","assets_ids":["1"],"winning_asset_id":"x"}"#),
        ]
        for (field, frame) in frames {
            let outcome = MarketChannelParser().parse(frame)
            #expect(outcome.events.isEmpty && outcome.malformed == 1, "\(frame): \(outcome)")
            #expect(outcome.lastSkipReason?.contains(field) == true, "\(frame): \(outcome.lastSkipReason ?? "")")
        }
    }

    @Test func gammaAndDataAPIRowsRefuseANonDigitToken() throws {
        let market = try JSONParser().parse(#"[{"id":"1","conditionId":"0xc1","clobTokenIds":"[\"1\",\"..\"]"}]"#)
        #expect { try WireDecoding.gammaMarkets(market) } throws: { Self.isParseError($0, naming: "clobTokenIds[1]") }
        let trade = try JSONParser().parse(#"[{"asset":"..","side":"BUY","price":0.5,"size":1,"timestamp":1767225600}]"#)
        #expect { try WireDecoding.dataAPITrades(trade) } throws: { Self.isParseError($0, naming: "row 0") }
    }
}
