import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

private func fixture(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/\(name)")
    return Array(try Data(contentsOf: url))
}

@Suite struct WireDecodingTests {
    @Test func dataAPITradesBecomeExactMillisecondTrades() throws {
        let trades = try WireDecoding.dataAPITrades(try WireDecoding.parseBody(try fixture("data_api_trades.json"), what: "t"))
        #expect(trades.count == 6)
        #expect(trades[0].timestampMs == 1_767_225_600_000)          // seconds → ms
        #expect(trades[0].price == Price.literal("0.55"))
        #expect(trades[2].price.micros == 300_000)                    // 0.30000000000000004 → 0.3
        #expect(trades[1].size.description == "120.5")
        #expect(trades[0].id == trades[5].id)                         // the duplicate row
        #expect(trades[3].outcome == "No")
    }

    @Test func dataAPIRowErrorsNameRowAndField() throws {
        let body = try JSONParser().parse(#"[{"asset":"1","side":"BUY","price":0.5,"size":1,"timestamp":1},{"asset":"1","side":"BUY","size":1,"timestamp":1}]"#)
        #expect { try WireDecoding.dataAPITrades(body) } throws: {
            let message = ($0 as? PMError)?.message ?? ""
            return message.contains("row 1") && message.contains("price")
        }
        #expect(throws: PMError.self) { try WireDecoding.dataAPITrades(try JSONParser().parse(#"{"error":"x"}"#)) }
        #expect(throws: PMError.self) {
            try WireDecoding.dataAPITrades(try JSONParser().parse(#"[{"asset":"1","side":"HOLD","price":0.5,"size":1,"timestamp":1}]"#))
        }
        #expect(throws: PMError.self) {
            try WireDecoding.dataAPITrades(try JSONParser().parse(#"[{"asset":"1","side":"BUY","price":-0.5,"size":1,"timestamp":1}]"#))
        }
    }

    @Test func gammaMarketsDecodeEmbeddedJSON() throws {
        let markets = try WireDecoding.gammaMarkets(try WireDecoding.parseBody(try fixture("gamma_markets.json"), what: "m"))
        #expect(markets.count == 2)
        let first = markets[0]
        #expect(first.tokens.map(\.outcome) == ["Yes", "No"])
        #expect(first.tokens[0].tokenId == "71321045679252212594626385532706912750332728571942532289631379312455583992563")
        #expect(first.tickSize?.description == "0.01")
        #expect(first.minOrderSize?.description == "5")
        #expect(first.endDateMs == 1_798_718_400_000)
        #expect(markets[1].negRisk)
        #expect(markets[1].tokens[0].price?.description == "0.05")   // float noise in a string, rounded
        let metas = first.tokenMetas
        #expect(metas.map(\.outcomeIndex) == [0, 1])
        #expect(metas.allSatisfy { $0.conditionId == first.conditionId && $0.active && !$0.closed })
    }

    @Test func garbageBodiesGiveParseErrorsWithExcerpt() {
        #expect { try WireDecoding.parseBody(Array("<html><title>Attention Required! | Cloudflare</title>".utf8), what: "GET /book") } throws: {
            let error = $0 as? PMError
            return error?.kind == .parse && error?.message.contains("Cloudflare") == true
        }
        #expect(WireDecoding.excerpt(Array("a  \n\t b".utf8)) == "a b")
    }
}

@Suite struct ISO8601Tests {
    @Test func parsesGammaForms() {
        #expect(ISO8601.milliseconds("1970-01-01T00:00:00Z") == 0)
        #expect(ISO8601.milliseconds("2026-12-31T12:00:00Z") == 1_798_718_400_000)
        #expect(ISO8601.milliseconds("2026-12-31T14:00:00+02:00") == 1_798_718_400_000)
        #expect(ISO8601.milliseconds("2026-12-31T12:00:00.250Z") == 1_798_718_400_250)
        #expect(ISO8601.milliseconds("2026-12-31") == 1_798_675_200_000)
        #expect(ISO8601.milliseconds("2024-02-29T00:00:00Z") != nil)
        for bad in ["", "2026-13-01", "2025-02-29", "2026-12-31T25:00:00Z", "2026-12-31T12:00:00Zjunk", "yesterday"] {
            #expect(ISO8601.milliseconds(bad) == nil, "\(bad)")
        }
    }

    @Test func formatRoundTrips() {
        for ms: Int64 in [0, 1_798_718_400_000, 1_798_718_400_250, -86_400_000, 951_782_400_000] {
            #expect(ISO8601.milliseconds(ISO8601.format(milliseconds: ms)) == ms)
        }
        #expect(ISO8601.format(milliseconds: 1_767_225_600_000) == "2026-01-01T00:00:00Z")
        _ = ISO8601.format(milliseconds: Int64.min)  // must not trap
        _ = ISO8601.format(milliseconds: Int64.max)
    }
}
