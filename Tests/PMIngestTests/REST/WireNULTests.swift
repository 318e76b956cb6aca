import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// A C string ends at its first NUL: a wire string holding `\u0000` would reach C truncated (an
/// id "123\u0000456" read as "123"). Every string field a decoder reads refuses NUL, naming the
/// field, on both decoders (the token tape of books and stream events, the JSON tree of Gamma
/// and the Data API).
@Suite struct WireNULTests {
    static let token = Sample.token
    static let nul = #"\u0000"#

    static func isParseError(_ error: any Error, naming field: String) -> Bool {
        guard let error = error as? PMError else { return false }
        return error.kind == .parse && error.message.contains(field) && error.message.contains("NUL")
    }

    static func book(asset: String = token, market: String = "0xc1", hash: String = "ab") -> [UInt8] {
        Array(#"{"asset_id":"\#(asset)","market":"\#(market)","hash":"\#(hash)","bids":[{"price":"0.5","size":"1"}],"asks":[]}"#.utf8)
    }

    @Test func restBookRefusesNULInIds() {
        for (field, body) in [("asset_id", Self.book(asset: Self.token + Self.nul + "9")),
                              ("market", Self.book(market: "0xc1" + Self.nul)),
                              ("hash", Self.book(hash: "a" + Self.nul + "b"))] {
            #expect(Comment(rawValue: field)) { try WireDecoding.clobBook(body: body, what: "GET /book") } throws: {
                Self.isParseError($0, naming: field)
            }
            #expect(Comment(rawValue: field)) { try WireDecoding.clobBooks(body: [UInt8]("[".utf8) + body + [UInt8]("]".utf8), what: "POST /books") } throws: {
                Self.isParseError($0, naming: field)
            }
        }
    }

    @Test func streamEventsWithNULAreMalformed() {
        let frames = [
            ("market", #"{"event_type":"book","asset_id":"\#(Self.token)","market":"0x\#(Self.nul)c","bids":[],"asks":[]}"#),
            ("hash", #"{"event_type":"price_change","market":"0xc","timestamp":"1","price_changes":[{"asset_id":"\#(Self.token)","price":"0.5","size":"1","side":"BUY","hash":"h\#(Self.nul)"}]}"#),
            ("transaction_hash", #"{"event_type":"last_trade_price","asset_id":"\#(Self.token)","price":"0.5","timestamp":"1","transaction_hash":"0x\#(Self.nul)1"}"#),
            ("question", #"{"event_type":"new_market","condition_id":"0xc","assets_ids":["\#(Self.token)"],"question":"Q\#(Self.nul)?"}"#),
            ("assets_ids", #"{"event_type":"market_resolved","market":"0xc","assets_ids":["1\#(Self.nul)2"],"winning_asset_id":"\#(Self.token)"}"#),
        ]
        for (field, frame) in frames {
            let outcome = MarketChannelParser().parse(frame)
            #expect(outcome.events.isEmpty && outcome.malformed == 1, "\(field): \(outcome)")
            #expect(outcome.lastSkipReason?.contains(field) == true && outcome.lastSkipReason?.contains("NUL") == true,
                    "\(field): \(outcome.lastSkipReason ?? "")")
        }
    }

    static func market(conditionId: String = "0xc1", question: String = "Q?", tokens: String = #"[\"1\",\"2\"]"#) throws -> JSONValue {
        try JSONParser().parse(#"[{"id":"1","conditionId":"\#(conditionId)","question":"\#(question)","clobTokenIds":"\#(tokens)","outcomes":"[\"Yes\",\"No\"]"}]"#)
    }

    @Test func gammaMarketsRefuseNUL() throws {
        for (field, body) in [("conditionId", try Self.market(conditionId: "0xc" + Self.nul + "1")),
                              ("question", try Self.market(question: "Q" + Self.nul)),
                              ("clobTokenIds", try Self.market(tokens: #"[\"1\\u0000\",\"2\"]"#))] {
            #expect(Comment(rawValue: field)) { try WireDecoding.gammaMarkets(body) } throws: { Self.isParseError($0, naming: field) }
        }
    }

    @Test func dataAPITradesRefuseNUL() throws {
        func row(_ extra: String) throws -> JSONValue {
            try JSONParser().parse(#"[{"asset":"\#(Self.token)","side":"BUY","price":0.5,"size":1,"timestamp":1767225600,\#(extra)}]"#)
        }
        for (field, body) in [("transaction", try row(#""transactionHash":"0x\#(Self.nul)1""#)),
                              ("outcome", try row(#""outcome":"Y\#(Self.nul)es""#)),
                              ("condition", try row(#""conditionId":"0xc\#(Self.nul)""#))] {
            #expect(Comment(rawValue: field)) { try WireDecoding.dataAPITrades(body) } throws: {
                guard let error = $0 as? PMError else { return false }
                return error.kind == .parse && error.message.lowercased().contains(field.lowercased())
            }
        }
    }
}
