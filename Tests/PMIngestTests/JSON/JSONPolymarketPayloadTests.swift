import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Real wire shapes (docs/wire-format.md, docs/wire/), read the way the decoders will read them.
@Suite struct JSONPolymarketPayloadTests {
    static let gammaMarkets = #"""
    [{"id":"512345","question":"Will X happen by 2026-12-31?","conditionId":"0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1",
      "slug":"will-x-happen-by-2026","endDate":"2026-12-31T12:00:00Z","active":true,"closed":false,"archived":false,
      "outcomes":"[\"Yes\", \"No\"]","outcomePrices":"[\"0.515\", \"0.485\"]",
      "clobTokenIds":"[\"71321045679252212594626385532706912750332728571942532289631379312455583992563\", \"52114319501245915516055106046884209969926127482827954674443846427813813222426\"]",
      "volume":"125034.551","volumeNum":125034.551,"liquidity":"8450.12","liquidityNum":8450.12,"volume24hr":3120.5,
      "enableOrderBook":true,"acceptingOrders":true,"orderPriceMinTickSize":0.01,"orderMinSize":5,
      "bestBid":0.51,"bestAsk":0.52,"spread":0.01,"lastTradePrice":0.51,"negRisk":false,"questionID":"0xabc..."}]
    """#

    static let clobBook = #"""
    {"market":"0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1",
     "asset_id":"71321045679252212594626385532706912750332728571942532289631379312455583992563",
     "timestamp":"1767225600123",
     "hash":"3cd4d61e042c81560c9037ece0c61f3b1a8fbbdd",
     "bids":[{"price":"0.01","size":"600005"},{"price":"0.49","size":"1200"},{"price":"0.51","size":"250.5"}],
     "asks":[{"price":"0.99","size":"100000"},{"price":"0.55","size":"300"},{"price":"0.52","size":"84.17"}],
     "min_order_size":"5","tick_size":"0.01","neg_risk":false,"last_trade_price":"0.51"}
    """#

    static let dataTrades = #"""
    [{"proxyWallet":"0x1234567890abcdef1234567890abcdef12345678","side":"BUY",
      "asset":"71321045679252212594626385532706912750332728571942532289631379312455583992563",
      "conditionId":"0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1",
      "size":50.0,"price":0.55,"timestamp":1767225600,"title":"Will X happen?","slug":"will-x-happen",
      "icon":"https://...","eventSlug":"will-x-happen","outcome":"Yes","outcomeIndex":0,"name":"trader","pseudonym":"Calm-Otter",
      "bio":"","profileImage":"","profileImageOptimized":"","transactionHash":"0x2222...2222"},
     {"proxyWallet":"0xabc","side":"SELL","asset":"5211","conditionId":"0x5f65","size":12.345678949999999,
      "price":0.30000000000000004,"timestamp":1767225601,"outcomeIndex":1,"transactionHash":"0x3333"}]
    """#

    static let wsArrayFrame = #"""
    [{"event_type":"book","market":"0x5f65...f8f1","asset_id":"7132...2563","timestamp":"1767225600123",
      "hash":"3cd4d61e042c81560c9037ece0c61f3b1a8fbbdd",
      "bids":[{"price":"0.49","size":"1200"},{"price":".50","size":"250.5"}],
      "asks":[{"price":"0.55","size":"300"},{"price":"0.52","size":"84.17"}],
      "min_order_size":"5","tick_size":"0.01","neg_risk":false,"last_trade_price":"0.51"},
     {"event_type":"price_change","market":"0x5f65...f8f1","timestamp":"1767225600456",
      "price_changes":[
       {"asset_id":"7132...2563","price":"0.51","size":"300","side":"BUY","hash":"56621a121a47ed9333273e21c83b660cff37ae50","best_bid":"0.51","best_ask":"0.52"},
       {"asset_id":"5211...2222","price":"0.49","size":"0","side":"SELL","hash":"1b2c...","best_bid":"0.48","best_ask":""}]},
     {"event_type":"last_trade_price","market":"0x5f65...f8f1","asset_id":"7132...2563","price":"0.52","size":"84.17",
      "side":"BUY","fee_rate_bps":"","timestamp":"1767225600789","transaction_hash":"0x9f3e..."},
     {"event_type":"new_market","id":"612345","question":"Will Y happen?","market":"0xabc...","slug":"will-y-happen",
      "description":"...","assets_ids":["111...","222..."],"outcomes":["Yes","No"],"timestamp":"1767225602000",
      "event_message":{"id":"9001","ticker":"will-y","slug":"will-y","title":"Will Y happen?","description":"..."},
      "tags":["politics"],"condition_id":"0xabc...","active":true,"clob_token_ids":["111...","222..."],
      "order_price_min_tick_size":"0.01","game_start_time":null,"fees_enabled":false},
     {"event_type":"some_future_event","payload":{"x":[1,2,3]}}]
    """#

    @Test func gammaMarketWithJSONInStringFields() throws {
        let markets = try #require(try JSONValue(parsing: Self.gammaMarkets).arrayValue)
        #expect(markets.count == 1)
        let market = try markets[0].object(field: "markets[0]")
        #expect(try market.requiredString("id") == "512345")
        #expect(try market.requiredString("conditionId").count == 66)
        #expect(try market.requiredString("questionID") == "0xabc...")
        #expect(try market.requiredBool("active"))
        #expect(try market.requiredBool("closed") == false)
        #expect(try market.requiredEmbeddedStringArray("clobTokenIds") == [
            "71321045679252212594626385532706912750332728571942532289631379312455583992563",
            "52114319501245915516055106046884209969926127482827954674443846427813813222426",
        ])
        #expect(try market.requiredEmbeddedStringArray("outcomes") == ["Yes", "No"])
        let prices = try market.requiredEmbeddedStringArray("outcomePrices").map { try Price($0) }
        #expect(prices.map(\.micros) == [515_000, 485_000])
        #expect(try market.requiredPrice("orderPriceMinTickSize").micros == 10_000)
        #expect(try market.requiredSize("orderMinSize").micros == 5_000_000)
        #expect(try market.requiredSize("volume").micros == 125_034_551_000)       // string form
        #expect(try market.requiredSize("volumeNum").micros == 125_034_551_000)    // number form
        #expect(try market.requiredPrice("bestBid") == Price("0.51"))
        #expect(try market.optionalPrice("missingField") == nil)
        #expect(try market.optionalEmbeddedStringArray("missingField") == nil)
        #expect(try market.requiredNumber("volume24hr").text == "3120.5")
    }

    @Test func clobBook() throws {
        let book = try #require(try JSONValue(parsing: Self.clobBook).objectValue)
        #expect(try book.requiredString("asset_id").count == 77)
        #expect(try book.requiredInt64("timestamp") == 1_767_225_600_123)
        #expect(try book.requiredString("hash") == "3cd4d61e042c81560c9037ece0c61f3b1a8fbbdd")
        let bids = try levels(book, "bids")
        let asks = try levels(book, "asks")
        #expect(bids.map(\.0.micros) == [10_000, 490_000, 510_000])
        #expect(bids.map(\.1.micros) == [600_005_000_000, 1_200_000_000, 250_500_000])
        #expect(asks.map(\.0.micros) == [990_000, 550_000, 520_000])
        #expect(asks.last?.1 == Size(micros: 84_170_000))
        #expect(try book.requiredSize("min_order_size").micros == 5_000_000)
        #expect(try book.requiredPrice("tick_size").micros == 10_000)
        #expect(try book.requiredBool("neg_risk") == false)
        #expect(try book.optionalPrice("last_trade_price")?.micros == 510_000)
    }

    @Test func postBooksIsAnArrayOfBooksAndNullSidesAreEmpty() throws {
        let nullSides = #"{"market":"0x1","asset_id":"2","timestamp":"1","hash":"h","bids":null,"asks":null,"min_order_size":"5","tick_size":"0.01","neg_risk":true}"#
        let response = try JSONValue(parsing: "[" + Self.clobBook + "," + nullSides + "]")
        let books = try response.array(field: "books")
        #expect(books.count == 2)
        let second = try books[1].object(field: "books[1]")
        #expect(try second.optionalArray("bids") == nil)
        #expect(try second.optionalArray("asks") == nil)
        #expect(try second.optionalPrice("last_trade_price") == nil)
        #expect(throws: JSONFieldError(field: "bids", problem: .missing)) { try second.requiredArray("bids") }
    }

    @Test func dataAPITradesWithFloats() throws {
        let trades = try JSONValue(parsing: Self.dataTrades).array(field: "trades")
        let first = try trades[0].object(field: "trades[0]")
        #expect(try first.requiredSize("size").micros == 50_000_000)
        #expect(try first.requiredPrice("price").micros == 550_000)
        #expect(try first.requiredInt64("timestamp") == 1_767_225_600)
        #expect(try first.requiredInt64("outcomeIndex") == 0)
        #expect(try first.requiredString("bio") == "")
        let second = try trades[1].object(field: "trades[1]")
        #expect(try second.requiredPrice("price").micros == 300_000)          // float noise rounds away
        #expect(try second.requiredSize("size").micros == 12_345_679)         // 12.34567894999… rounds up at the 7th digit
        #expect(try second.requiredNumber("size").text == "12.345678949999999")
    }

    @Test func webSocketArrayFrame() throws {
        let events = try JSONValue(parsing: Self.wsArrayFrame).array(field: "frame")
        #expect(try events.map { try $0.object(field: "event").requiredString("event_type") } ==
            ["book", "price_change", "last_trade_price", "new_market", "some_future_event"])
        let book = try events[0].object(field: "book")
        #expect(try levels(book, "bids").map(\.0.micros) == [490_000, 500_000])   // ".50" without a leading zero
        let changes = try events[1].object(field: "price_change").requiredArray("price_changes")
        let removal = try changes[1].object(field: "price_changes[1]")
        #expect(try removal.requiredSize("size") == Size(micros: 0))
        #expect(try removal.optionalPrice("best_ask") == nil)                     // "" means absent
        #expect(try removal.optionalPrice("best_bid")?.micros == 480_000)
        let trade = try events[2].object(field: "last_trade_price")
        #expect(try trade.optionalString("fee_rate_bps") == "")
        #expect(try trade.optionalSize("fee_rate_bps") == nil)
        #expect(try trade.requiredInt64("timestamp") == 1_767_225_600_789)
        let newMarket = try events[3].object(field: "new_market")
        #expect(try newMarket.requiredEmbeddedStringArray("clob_token_ids") == ["111...", "222..."])  // a real array here
        #expect(try newMarket.requiredObject("event_message").requiredString("ticker") == "will-y")
        #expect(try newMarket.optionalString("game_start_time") == nil)
    }

    @Test func fieldErrorsNameTheField() throws {
        let object = try JSONValue(parsing: #"{"price":0.5,"size":"abc","neg":-1,"ts":"12.5","ids":"[1,2]","bad":"[1,","arr":[1],"n":null,"ts2":1e30}"#).object(field: "root")
        #expect(throws: JSONFieldError(field: "asset_id", problem: .missing)) { try object.requiredString("asset_id") }
        #expect(throws: JSONFieldError(field: "n", problem: .missing)) { try object.requiredString("n") }
        #expect(throws: JSONFieldError(field: "price", problem: .wrongType(expected: "string", found: "number"))) {
            try object.requiredString("price")
        }
        #expect(throws: JSONFieldError(field: "arr", problem: .wrongType(expected: "string", found: "array"))) {
            try object.optionalString("arr")
        }
        #expect(throws: JSONFieldError(field: "size", problem: .invalidDecimal(.malformed("abc")))) { try object.requiredSize("size") }
        #expect(throws: JSONFieldError(field: "neg", problem: .invalidDecimal(.malformed("-1")))) { try object.requiredPrice("neg") }
        #expect(throws: JSONFieldError(field: "ts", problem: .invalidInteger(.notAnInteger("12.5")))) { try object.requiredInt64("ts") }
        #expect(throws: JSONFieldError(field: "ts2", problem: .invalidInteger(.outOfRange("1e30")))) { try object.requiredInt64("ts2") }
        #expect(throws: JSONFieldError(field: "ids[0]", problem: .wrongType(expected: "string", found: "number"))) {
            try object.requiredEmbeddedStringArray("ids")
        }
        #expect(throws: JSONFieldError(field: "arr", problem: .wrongType(expected: "decimal string or number", found: "array"))) {
            try object.requiredPrice("arr")
        }
        do {
            _ = try object.requiredEmbeddedJSON("bad")
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "bad")
            guard case .invalidEmbeddedJSON(let inner) = error.problem else { Issue.record("\(error)"); return }
            #expect(inner.kind == .unexpectedEnd)
            #expect(error.description == #"field "bad": embedded invalid JSON at byte 3: expected a value"#)
        }
        #expect(try object.requiredEmbeddedJSON("ids") == [1, 2])
        #expect(throws: JSONFieldError(field: "price", problem: .wrongType(expected: "string holding JSON", found: "number"))) {
            try object.requiredEmbeddedJSON("price")
        }
        #expect(try object.optionalInt64("missing") == nil)
        #expect(try object.optionalBool("n") == nil)
        #expect(try object.optionalNumber("price")?.text == "0.5")
        #expect(try object.optionalObject("n") == nil)
        #expect(try object.requiredValue("n") == .null)
        #expect(throws: JSONFieldError(field: "zzz", problem: .missing)) { try object.requiredValue("zzz") }
        let error = JSONFieldError(field: "price", problem: .wrongType(expected: "string", found: "number"))
        #expect(error.nested(in: "bids[2]").field == "bids[2].price")
        #expect(JSONFieldError(field: "[1]", problem: .missing).nested(in: "ids").field == "ids[1]")
        #expect(error.description == #"field "price": expected string, found number"#)
        #expect(JSONFieldError(field: "x", problem: .missing).description == #"field "x": missing"#)
    }

    @Test func priceAndSizeFromJSONValues() throws {
        #expect(try Price(jsonNumber: JSONNumber("0.555")!).micros == 555_000)
        #expect(try Size(jsonNumber: JSONNumber("1e3")!).micros == 1_000_000_000)
        #expect(throws: DecimalError.malformed("-0.5")) { try Price(jsonNumber: JSONNumber("-0.5")!) }
        #expect(throws: DecimalError.malformed("-2")) { try Size(jsonNumber: JSONNumber("-2")!) }
        #expect(try Price(jsonNumber: JSONNumber("-0")!) == Price(micros: 0))
        #expect(throws: DecimalError.outOfRange("1e19")) { try Size(jsonNumber: JSONNumber("1e19")!) }
        #expect(try Price(json: "0.0025").micros == 2_500)
        #expect(try Price(json: .number(JSONNumber("0.0025")!)).micros == 2_500)
        #expect(try Size(json: "84.17").micros == 84_170_000)
        #expect(throws: DecimalError.malformed("null")) { try Price(json: nil) }
        #expect(throws: DecimalError.malformed("true")) { try Size(json: true) }
        #expect(throws: DecimalError.malformed("")) { try Price(json: "") }
    }

    private func levels(_ book: JSONObject, _ side: String) throws -> [(Price, Size)] {
        try (book.optionalArray(side) ?? []).enumerated().map { (index, element) throws(JSONFieldError) in
            do throws(JSONFieldError) {
                let level = try element.object(field: "[\(index)]")
                return (try level.requiredPrice("price"), try level.requiredSize("size"))
            } catch {
                throw error.nested(in: side)
            }
        }
    }
}
