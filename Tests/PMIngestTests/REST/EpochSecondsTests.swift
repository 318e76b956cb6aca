import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The history walks (v2 trade tape, price history) refuse a seconds field that cannot be epoch
/// seconds: a millisecond stamp read as seconds would be stored thousands of years in the future
/// and poison every later age check and coverage record. (Recent trades from the legacy tape leave
/// such a row to TradeFetcher's future check instead, which drops it and keeps the page.)
@Suite struct EpochSecondsTests {
    private let millis: Int64 = 1_765_000_000_123  // a 2025 instant in milliseconds

    @Test func convertsSecondsAndRefusesMillisecondsAndNegatives() throws {
        #expect(try EpochSeconds.milliseconds(1_765_000_000, what: "t") == 1_765_000_000_000)
        #expect(try EpochSeconds.milliseconds(0, what: "t") == 0)
        #expect(try EpochSeconds.milliseconds(EpochSeconds.maximum, what: "t") == EpochSeconds.maximum * 1000)
        for bad in [millis, EpochSeconds.maximum + 1, Int64.max, -1, Int64.min] {
            #expect { try EpochSeconds.milliseconds(bad, what: "row 3") } throws: {
                ($0 as? PMError)?.kind == .parse && ($0 as? PMError)?.message.contains("row 3") == true
            }
        }
    }

    @Test func v2TapeRowInMillisecondsIsRefusedComboRowsToo() throws {
        let market = "0x" + String(repeating: "a", count: 64)
        let combo = "0x" + String(repeating: "b", count: 62)
        for conditionId in [market, combo] {
            let body = try JSONParser().parse(#"""
            {"data":[{"proxy_wallet":"0x1","side":"SELL","token_id":"7","condition_id":"\#(conditionId)",
              "size":2,"price":0.25,"timestamp":\#(millis)}],"pagination":{"has_more":false}}
            """#)
            #expect { try WireDecoding.dataAPIV2TradePage(body) } throws: {
                ($0 as? PMError)?.kind == .parse && ($0 as? PMError)?.message.contains("not epoch seconds") == true
            }
        }
    }

    @Test func priceHistoryPointsInMillisecondsAreRefusedInBothForms() throws {
        let page = try JSONParser().parse(#"{"data":[{"timestamp":\#(millis),"price":0.5,"resolution_seconds":60}]}"#)
        #expect { try WireDecoding.priceHistoryPage(page, tokenId: "7") } throws: {
            ($0 as? PMError)?.message.contains("not epoch seconds") == true
        }
        let batch = try JSONParser().parse(#"{"history":{"7":[{"t":\#(millis),"p":0.5}]}}"#)
        #expect { try WireDecoding.batchPriceHistory(batch) } throws: {
            ($0 as? PMError)?.message.contains("not epoch seconds") == true
        }
    }
}
