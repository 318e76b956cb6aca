import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Skipping, counting and never trapping: PONG, bad JSON, invalid UTF-8, truncation, huge numbers,
/// missing fields — and the neighbours of a bad event survive.
@Suite struct StreamParserRobustnessTests {
    typealias F = StreamFixtures
    let parser = MarketChannelParser()

    @Test func mixedArrayKeepsGoodNeighbours() throws {
        let outcome = try F.parse("mixed_array")
        #expect(outcome.events.count == 2)
        if case .lastTradePrice(let trade)? = outcome.events.first { #expect(trade.size == ss("10")) } else { Issue.record("first") }
        if case .priceChange(let change)? = outcome.events.last { #expect(change.changes.first?.price == sp("0.53")) } else { Issue.record("last") }
        #expect(outcome.unknownEventTypes == 1)       // brand_new_type
        #expect(outcome.malformed == 3)               // trade without price, 42, object without event_type
        #expect(outcome.lastSkipReason == "frame[4]: event without \"event_type\"")
    }

    @Test func malformedReasonNamesTheField() {
        let outcome = parser.parse(#"[{"event_type":"last_trade_price","asset_id":"1","timestamp":"5"}]"#)
        #expect(outcome.malformed == 1)
        #expect(outcome.lastSkipReason == "frame[0]: last_trade_price: field \"price\": missing")
        let nested = parser.parse(#"{"event_type":"price_change","timestamp":"1","price_changes":[{"asset_id":"1","price":"0.5","size":"1","side":"BUY"},{"asset_id":"2","price":"0.5","side":"BUY"}]}"#)
        #expect(nested.events.isEmpty && nested.malformed == 1)
        #expect(nested.lastSkipReason == "price_change: field \"price_changes[1].size\": missing")
        let notObject = parser.parse(#"{"event_type":"book","asset_id":"1","bids":[{"price":"0.5","size":"1"},7]}"#)
        #expect(notObject.lastSkipReason == "book: field \"bids[1]\": expected object, found number")
    }

    @Test func pongIsRecognisedWithoutJSON() {
        for frame in ["PONG", " PONG\n", "PONG\r\n"] {
            let outcome = parser.parse(frame)
            #expect(outcome.pong && outcome.events.isEmpty && outcome.skipped == 0, "\(frame.debugDescription)")
        }
        for frame in ["PONGG", "PON", "\"PONG\"", "pong x"] {
            let outcome = parser.parse(frame)
            #expect(!outcome.pong && outcome.malformed == 1, "\(frame.debugDescription)")
        }
        #expect(parser.parse("PING").lastSkipReason?.hasPrefix("not JSON") == true)
    }

    @Test func invalidUTF8IsMalformed() {
        var bytes = Array(#"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1","x":"#.utf8)
        bytes += [0x22, 0xC3, 0x28, 0x22, 0x7D]   // "\xC3(" then }
        let outcome = parser.parse(bytes)
        #expect(outcome.events.isEmpty && outcome.malformed == 1)
        #expect(outcome.lastSkipReason?.contains("UTF-8") == true)
        for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let frame = Array(#"{"event_type":"x","s":""#.utf8) + bad + Array(#""}"#.utf8)
            #expect(parser.parse(frame).malformed == 1, "\(bad)")
        }
        // Well-formed multi-byte text and escapes are fine.
        let good = parser.parse(#"{"event_type":"new_market","market":"0x1","assets_ids":["1"],"question":"Élection — 🗳 \u00e9 \ud83d\ude00?"}"#)
        if case .newMarket(let market)? = good.events.first { #expect(market.question == "Élection — 🗳 é 😀?") } else { Issue.record("\(good)") }
        #expect(parser.parse(#"{"event_type":"x","s":"\ud83d"}"#).malformed == 1)   // lone surrogate
    }

    @Test func truncatedFramesAreMalformedAtEveryCut() throws {
        let full = try F.bytes("price_change")
        var cut = 0
        while cut < full.count - 1 {   // the last byte is a newline: without it the frame is still whole
            let outcome = parser.parse(Array(full[0..<cut]))
            #expect(outcome.events.isEmpty && outcome.malformed == 1, "cut at \(cut)")
            cut += 1
        }
        let whole = try F.bytes("initial_dump")
        let outcome = parser.parse(Array(whole.dropLast(5)))
        #expect(outcome.events.isEmpty && outcome.malformed == 1)   // a truncated array frame yields nothing
    }

    @Test func hugeAndBadNumbers() {
        let cases: [(String, String)] = [
            (#""price":"123456789012345678901234567890""#, "price"),
            (#""price":"0.1234567""#, "price"),                 // more than 6 fraction digits in a string
            (#""price":"-0.5""#, "price"),
            (#""price":"1e3""#, "price"),
            (#""price":"NaN""#, "price"),
            (#""price":1e400"#, "price"),
            (#""price":-0.5"#, "price"),
            (#""price":"""#, "price"),                           // "" is absent; price is required
            (#""price":null"#, "price"),
            (#""price":true"#, "price"),
        ]
        for (field, name) in cases {
            let frame = #"{"event_type":"last_trade_price","asset_id":"1","timestamp":"1767225600000",\#(field)}"#
            let outcome = parser.parse(frame)
            #expect(outcome.events.isEmpty && outcome.malformed == 1, "\(field)")
            #expect(outcome.lastSkipReason?.contains("\"\(name)\"") == true, "\(outcome.lastSkipReason ?? "")")
        }
        for timestamp in [#""99999999999999999999""#, #"1e400"#, #""1.5""#, #""abc""#, #""""#, "[]"] {
            let frame = #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":\#(timestamp)}"#
            #expect(parser.parse(frame).malformed == 1, "\(timestamp)")
        }
        // Numbers where strings are usual: exact rounding, integers in any exact form.
        let numeric = parser.parse(#"{"event_type":"last_trade_price","asset_id":"1","price":0.30000000000000004,"size":50.0,"timestamp":1.767225600123e12}"#)
        if case .lastTradePrice(let trade)? = numeric.events.first {
            #expect(trade.price.micros == 300_000 && trade.size?.micros == 50_000_000 && trade.timestampMs == 1_767_225_600_123)
        } else { Issue.record("\(numeric)") }
        let long = parser.parse(#"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"9223372036854775807"}"#)
        if case .lastTradePrice(let trade)? = long.events.first { #expect(trade.timestampMs == Int64.max) } else { Issue.record("\(long)") }
    }

    @Test func emptyStringMeansAbsentForOptionalDecimals() {
        let frame = #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","size":"","side":"","fee_rate_bps":"","transaction_hash":"","market":"","timestamp":"1"}"#
        guard case .lastTradePrice(let trade)? = parser.parse(frame).events.first else { Issue.record("none"); return }
        #expect(trade.size == nil && trade.side == nil && trade.feeRateBps == nil && trade.transactionHash == nil)
        #expect(trade.conditionId == nil)
        let nulls = #"{"event_type":"best_bid_ask","asset_id":"1","best_bid":null,"best_ask":"","spread":null,"timestamp":"1"}"#
        #expect(parser.parse(nulls).events == [.bestBidAsk(BestBidAskEvent(tokenId: "1", bestBid: nil, bestAsk: nil, spread: nil, timestampMs: 1))])
        // A malformed optional decimal is not "absent": it is loud.
        #expect(parser.parse(#"{"event_type":"best_bid_ask","asset_id":"1","best_bid":"x","timestamp":"1"}"#).malformed == 1)
        #expect(parser.parse(#"{"event_type":"best_bid_ask","asset_id":"","timestamp":"1"}"#).malformed == 1)   // "" id
    }

    @Test func sidesInAnyCaseAndUnknownSides() {
        func change(_ side: String) -> ParseOutcome {
            parser.parse(#"{"event_type":"price_change","timestamp":"1","price_changes":[{"asset_id":"1","price":"0.5","size":"1","side":\#(side)}]}"#)
        }
        for (wire, side) in [(#""buy""#, TradeSide.buy), (#""Sell""#, .sell), (#""BUY""#, .buy), (#""s\u0065ll""#, .sell)] {
            guard case .priceChange(let event)? = change(wire).events.first else { Issue.record("\(wire)"); continue }
            #expect(event.changes.first?.side == side, "\(wire)")
        }
        for wire in [#""BID""#, #""""#, "1", #""BUYY""#] {
            #expect(change(wire).malformed == 1, "\(wire)")
        }
        #expect(parser.parse(#"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","side":"hold","timestamp":"1"}"#).malformed == 1)
    }

    @Test func frameShapes() {
        #expect(parser.parse("").malformed == 1)
        #expect(parser.parse("   ").malformed == 1)
        #expect(parser.parse("[]") == ParseOutcome())
        #expect(parser.parse("42").lastSkipReason == "expected an event object or an array of them, found number")
        #expect(parser.parse("{} {}").malformed == 1)                 // trailing data
        #expect(parser.parse(#"{"event_type":null}"#).malformed == 1)
        #expect(parser.parse(#"{"event_type":7}"#).lastSkipReason == "\"event_type\" is a number, not a string")
        #expect(parser.parse("[[]]").lastSkipReason == "frame[0]: expected an event object, found array")
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"event_type":"tick_size_change","asset_id":"1","new_tick_size":"0.001","timestamp":"1"}"#.utf8)
        #expect(parser.parse(bom).events.count == 1)
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(parser.parse(deep).lastSkipReason?.contains("nesting") == true)
        let veryDeep = String(repeating: "[", count: 200_000)
        #expect(parser.parse(veryDeep).malformed == 1)
        #expect(parser.parse("INVALID OPERATION").lastSkipReason?.contains("INVALID OPERATION") == true)
    }

    @Test func duplicateKeysLastWinsAndEscapedKeysMatch() {
        let frame = #"{"event_type":"tick_size_change","asset_id":"1","asset_id":"2","new_tick_s\u0069ze":"0.001","timestamp":"1"}"#
        guard case .tickSizeChange(let event)? = parser.parse(frame).events.first else { Issue.record("none"); return }
        #expect(event.tokenId == "2" && event.newTickSize == Price(micros: 1_000) && event.oldTickSize == nil)
        let escapedValue = parser.parse(#"{"event_type":"last_trade_price","asset_id":"1\u0032","price":"0.\u0035","timestamp":"1\u0030"}"#)
        #expect(escapedValue.events == [.lastTradePrice(LastTradeEvent(tokenId: "12", price: Price(micros: 500_000), timestampMs: 10))])
        let typeKey = parser.parse(#"{"type":"market"}"#)                 // a subscription echo
        #expect(typeKey.unknownEventTypes == 1 && typeKey.lastSkipReason == "unknown event_type \"market\"")
    }

    @Test func nearMissKeysDoNotMatch() {
        // Same first eight bytes, other lengths; same length, other tail; prefixes of real keys.
        let frame = #"{"event_typX":"book","event_type":"last_trade_price","asset_idx":"1","asset_i":"2","asset_id":"3","pricex":"0.1","pric":"0.2","price":"0.5","timestamP":"7","timestamps":"9","timestamp":"1","sizes":"5"}"#
        #expect(parser.parse(frame).events == [.lastTradePrice(LastTradeEvent(tokenId: "3", price: Price(micros: 500_000), timestampMs: 1))])
        let typeOnly = parser.parse(#"{"event_typ":"book","type":"best_bid_ask","asset_id":"1","timestamp":"2"}"#)
        #expect(typeOnly.events == [.bestBidAsk(BestBidAskEvent(tokenId: "1", bestBid: nil, bestAsk: nil, spread: nil, timestampMs: 2))])
        #expect(parser.parse(#"{"event_type":"last_trade_pricE"}"#).unknownEventTypes == 1)
        #expect(parser.parse(#"{"event_type":"boo"}"#).unknownEventTypes == 1)
        #expect(parser.parse(#"{"event_type":"bookk"}"#).unknownEventTypes == 1)
    }

    @Test func wrongTypesAreMalformed() {
        let frames = [
            #"{"event_type":"book","asset_id":1}"#,
            #"{"event_type":"book","asset_id":"1","bids":{}}"#,
            #"{"event_type":"book","asset_id":"1","neg_risk":"false"}"#,
            #"{"event_type":"price_change","timestamp":"1","price_changes":{}}"#,
            #"{"event_type":"price_change","timestamp":"1","price_changes":[1]}"#,
            #"{"event_type":"price_change","timestamp":"1"}"#,
            #"{"event_type":"price_change","price_changes":[]}"#,
            #"{"event_type":"new_market","market":"0x1"}"#,
            #"{"event_type":"new_market","market":"0x1","assets_ids":[1]}"#,
            #"{"event_type":"new_market","assets_ids":["1"]}"#,
            #"{"event_type":"market_resolved","market":"0x1"}"#,
            #"{"event_type":"tick_size_change","asset_id":"1","timestamp":"1"}"#,
        ]
        for frame in frames {
            let outcome = parser.parse(frame)
            #expect(outcome.events.isEmpty && outcome.malformed == 1, "\(frame)")
        }
        // An empty price_changes array is a valid (empty) delta.
        #expect(parser.parse(#"{"event_type":"price_change","timestamp":"1","price_changes":[]}"#).events.count == 1)
    }

    @Test func allEntryPointsAgree() throws {
        let bytes = try F.bytes("price_change")
        let expected = parser.parse(bytes)
        #expect(bytes.withUnsafeBytes { parser.parse($0) } == expected)
        #expect(parser.parse(bytes[...]) == expected)
        #expect(parser.parse(String(decoding: bytes, as: UTF8.self)) == expected)
        #expect(UnsafeRawBufferPointer(start: nil, count: 0).withMemoryRebound(to: UInt8.self) { parser.parse($0) }.malformed == 1)
    }
}
