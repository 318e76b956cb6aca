import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The one-pass decoder (`MarketFrameFastPath`) against the tape (`MarketChannelParser.parseWithTape`):
/// whatever it decodes must be exactly what the tape decodes, and whatever it is unsure of it must
/// leave to the tape. (The fuzz property `stream` checks the same on every fuzz input.)
@Suite struct StreamParserFastPathTests {
    let parser = MarketChannelParser()
    static let id = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
    static let market = "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"

    static let priceChange = #"{"market":"\#(market)","price_changes":[{"asset_id":"\#(id)","price":"0.51","size":"300","side":"BUY","hash":"56621a121a47ed9333273e21c83b660cff37ae50","best_bid":"0.51","best_ask":"0.52"},{"asset_id":"2","price":".49","size":"0","side":"sell","hash":"","best_bid":"","best_ask":"0.49"}],"timestamp":"1767225600456","event_type":"price_change"}"#
    static let lastTrade = #"{"asset_id":"\#(id)","event_type":"last_trade_price","fee_rate_bps":"0","market":"\#(market)","price":"0.456","side":"BUY","size":"219.217767","timestamp":"1750428146322","transaction_hash":"0xabc"}"#
    static let book = #"{"market":"\#(market)","asset_id":"\#(id)","timestamp":"1767225600021","hash":"0xdf4f","bids":[{"price":"0.01","size":"10"},{"price":"0.02","size":"0"},{"price":"0.03","size":"5.5"}],"asks":[{"price":"0.99","size":"1"},{"price":"0.98","size":"2"}],"tick_size":"0.01","min_order_size":"5","neg_risk":false,"last_trade_price":"0.5","event_type":"book"}"#

    /// Frames the one-pass decoder takes itself.
    static let decoded: [String] = [
        priceChange, lastTrade, book,
        "[\(book),\(priceChange),\(lastTrade)]",
        " \n[ \(lastTrade) , \(book) ]\t",
        "[]",
        #"{ "event_type" : "book" , "asset_id" : "1" , "bids" : null , "asks" : [ ] }"#,
        #"{"event_type":"book","asset_id":"1","timestamp":1767225600021,"neg_risk":true,"hash":null,"market":""}"#,
        #"{"event_type":"last_trade_price","asset_id":"9","price":"1","timestamp":5,"fee_rate_bps":12,"size":"","side":null,"extra":-1.5e3,"x":true,"longer_key_than_sixteen":"v","k":null,"f":false,"z":0}"#,
        #"{"event_type":"price_change","timestamp":"7","price_changes":[]}"#,
        #"{"event_type":"price_change","timestamp":"7","price_changes":[{"asset_id":"1","price":"5.","size":"000.000001","side":"Buy","note":"x","z":1}]}"#,
        #"{"type":"legacy","event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1"}"#,
        #"{"event_type":"book","asset_id":"1","bids":[{"price":"0.5","size":"1","x":"y"}],"tick_size":"","min_order_size":null}"#,
    ]

    /// Frames it must leave to the tape (other types, legacy forms, escapes, non-ASCII, repeated
    /// keys, numbers for decimals, bad values, bad JSON).
    static let leftToTape: [String] = [
        #"{"event_type":"tick_size_change","asset_id":"1","new_tick_size":"0.01","timestamp":"1"}"#,
        #"{"event_type":"best_bid_ask","asset_id":"1","best_bid":"0.5","best_ask":"0.6","spread":"0.1","timestamp":"1"}"#,
        #"{"type":"price_change","asset_id":"1","price":"0.55"}"#,
        #"{"event_type":"price_change","asset_id":"1","timestamp":"1","changes":[{"price":"0.5","side":"BUY","size":"1"}]}"#,
        #"{"event_type":null,"type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1","market":"caf\u00e9"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1","market":"café"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","asset_id":"2","price":"0.5","timestamp":"1"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":0.5,"timestamp":"1"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1.0"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"01"}"#,
        #"{"event_type":"last_trade_price","asset_id":"x1","price":"0.5","timestamp":"1"}"#,
        #"{"event_type":"last_trade_price","asset_id":"","price":"0.5","timestamp":"1"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.1234567","timestamp":"1"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"1234567890123.5","timestamp":"1"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"-1","timestamp":"1"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":".","timestamp":"1"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"1.2.3","timestamp":"1"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1","side":"HOLD"}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1","nested":{"a":1}}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5"}"#,
        #"{"event_type":"book","asset_id":"1","bids":[{"price":"0.5"}]}"#,
        #"{"event_type":"book","asset_id":"1","bids":[{"price":"0.5","size":"1"}]null}"#,
        #"{"event_type":"book","asset_id":"1","bids":[{"price":"x","size":"1"}]}"#,
        #"{"event_type":"book","asset_id":"1","bids":[{"price":"x","size":"1"}null}"#,
        #"{"event_type":"book","asset_id":"1","bids":""}"#,
        #"{"event_type":"book","asset_id":"1","bids":[],"bids":[]}"#,
        #"{"event_type":"book","asset_id":"1","neg_risk":"no"}"#,
        #"{"event_type":"price_change","timestamp":"1","price_changes":[{"asset_id":"1","price":"0.5","size":"1","side":"BUY"},7]}"#,
        #"{"event_type":"price_change","timestamp":"1","price_changes":[{"asset_id":"1","price":"0.5","size":"1","side":"BUY","side":"SELL"}]}"#,
        #"{"event_type":"price_change","timestamp":"1","price_changes":"[]"}"#,
        #"{"event_type":"price_change","timestamp":"1","price_changes":null}"#,
        #"[\#(lastTrade),7]"#,
        #"[\#(lastTrade),{"event_type":"brand_new"}]"#,
        "\(lastTrade) x", "\(lastTrade),", "[\(lastTrade)", "[\(lastTrade),]", String(lastTrade.dropLast()),
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1",}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1" "x":1}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1","t":tru}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1","t":fals}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1","t":01}"#,
        #"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","timestamp":"1","t":"a\tb"}"#,
        "\u{FEFF}\(lastTrade)", "", "   ", "42", #""book""#, "{}", #"{"event_type":5}"#,
    ]

    @Test func decodesTheCommonFramesExactlyAsTheTape() {
        for frame in Self.decoded {
            let bytes = Array(frame.utf8)
            let fast = bytes.withUnsafeBufferPointer { MarketFrameFastPath.decode($0) }
            #expect(fast != nil, "not decoded in one pass: \(frame)")
            let tape = bytes.withUnsafeBufferPointer { parser.parseWithTape($0) }
            #expect(tape.skipped == 0, "\(frame): \(tape.lastSkipReason ?? "")")
            #expect(fast == tape.events, "\(frame)")
            #expect(parser.parse(frame) == tape)
        }
    }

    @Test func leavesEverythingElseToTheTape() {
        for frame in Self.leftToTape {
            let bytes = Array(frame.utf8)
            let fast = bytes.withUnsafeBufferPointer { MarketFrameFastPath.decode($0) }
            #expect(fast == nil, "decoded in one pass, but the tape must decide: \(frame)")
            let tape = bytes.withUnsafeBufferPointer { parser.parseWithTape($0) }
            #expect(parser.parse(frame) == tape, "\(frame)")
        }
    }

    @Test func everyTruncationAgreesWithTheTape() {
        for frame in [Self.priceChange, Self.lastTrade, Self.book] {
            let bytes = Array(frame.utf8)
            for cut in 0...bytes.count {
                let prefix = Array(bytes[0..<cut])
                let tape = prefix.withUnsafeBufferPointer { parser.parseWithTape($0) }
                #expect(parser.parse(prefix) == tape, "cut at \(cut)")
            }
        }
    }

    @Test func shallowParsersUseTheTape() {
        let shallow = MarketChannelParser(maxDepth: 3)
        #expect(shallow.parse(Self.lastTrade).events.count == 1)
        #expect(shallow.parse("[\(Self.book)]").malformed == 1)   // too deep for 3, as before
    }

    @Test func theDecimalGrammarMatchesDecimalParse() {
        for text in ["0", "0.5", ".5", "5.", "000.000001", "999999999999.999999", "0.1234567", "", ".", "1.2.3",
                     "-1", "1e3", " 1", "1 ", "1,5", "9999999999999"] {
            let fast = Array(text.utf8).withUnsafeBufferPointer { MarketFrameFastPath.micros($0) }
            let full = try? DecimalParse.micros(text)
            if let fast { #expect(fast == full, "\(text)") }
            if full == nil { #expect(fast == nil, "\(text)") }
        }
    }

    @Test func theWideScanLandsOnTheFirstSpecialByte() {
        for length in 0..<70 {
            for special in [UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x1F, 0x80] {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length) + [special] + [UInt8](repeating: UInt8(ascii: "b"), count: 20)
                let landed = bytes.withUnsafeMutableBufferPointer { buffer -> Int in
                    guard let base = buffer.baseAddress else { return -1 }
                    var i = PlainByteScan.skipPlainWide(UnsafePointer(base), from: 0, end: buffer.count)
                    while i < buffer.count, buffer[i] != special { i += 1 }
                    return i
                }
                #expect(landed == length)
                bytes.removeAll()
            }
        }
        func allDigits(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return false }
                return PlainByteScan.allDigits(base, count: buffer.count)
            }
        }
        #expect(allDigits("12345678901234567890123456789012345"))
        #expect(!allDigits("1234567890123456789012345678901234/"))
        #expect(!allDigits("12345678901234/"))
    }

    /// `OrderBook.bestFirst` (keep or reverse an ordered side) against filter + sort.
    @Test func bookSidesSortLikeFilterAndSort() {
        func level(_ price: Int64, _ size: Int64) -> OrderBookLevel { OrderBookLevel(price: Price(micros: price), size: Size(micros: size)) }
        var state: UInt64 = 42
        func next(_ n: UInt64) -> Int64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int64((state >> 33) % n)
        }
        var sides: [[OrderBookLevel]] = [[], [level(5, 1)], [level(5, 0)],
                                         (1...20).map { level($0 * 10_000, 7) }, (1...20).reversed().map { level($0 * 10_000, 7) },
                                         [level(1, 1), level(1, 2), level(2, 3)], [level(3, 1), level(2, 0), level(1, 1)]]
        for _ in 0..<300 {
            let count = Int(next(8))
            sides.append((0..<count).map { _ in level(next(6), next(3)) })
        }
        for side in sides {
            let kept = side.filter { $0.size.micros > 0 }
            #expect(OrderBook.bestFirst(side, highestFirst: true).map(\.price) == kept.sorted { $0.price > $1.price }.map(\.price))
            #expect(OrderBook.bestFirst(side, highestFirst: false).map(\.price) == kept.sorted { $0.price < $1.price }.map(\.price))
            #expect(Set(OrderBook.bestFirst(side, highestFirst: true)) == Set(kept))
            #expect(OrderBook.bestFirst(side, highestFirst: false).count == kept.count)
        }
    }

    /// The id cache hands out equal strings whatever collides, and a busy cache is simply not used.
    @Test func idCacheIsTransparent() {
        let cache = IDStringCache()
        for round in 0..<2 {
            for n in 0..<3_000 {
                let text = String(n &* 7_919 &+ 10_000_000_000_000_000)
                let got = Array(text.utf8).withUnsafeBufferPointer { bytes in
                    cache.withCacheIfFree { $0?.string(bytes) ?? "busy" }
                }
                #expect(got == text, "round \(round)")
            }
        }
        let nested = cache.withCacheIfFree { outer in
            cache.withCacheIfFree { inner in outer != nil && inner == nil }
        }
        #expect(nested)   // the holder's own second attempt finds it busy: no wait, no deadlock
        #expect(Array("12345".utf8).withUnsafeBufferPointer { cache.string($0) } == "12345")
    }
}
