import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Which Gamma field holds a market's asset ids, by its protocol `version` (docs/wire/gamma.md).
@Suite struct GammaVersionDecodingTests {
    static let v1Ids = ["71321045679252212594626385532706912750332728571942532289631379312455583992563",
                        "52114319501245915516055106046884209969926127482827954674443846427813813222426"]
    static let v2Ids = ["30000000000000000000000000000000000000000000000000000000000000000000000000001",
                        "30000000000000000000000000000000000000000000000000000000000000000000000000002"]

    func decode(_ fields: String) throws -> Market {
        let json = #"{"id":"512345","conditionId":"0xc1","outcomes":"[\"Yes\",\"No\"]","outcomePrices":"[\"0.515\",\"0.485\"]",\#(fields)}"#
        return try WireDecoding.gammaMarket(try WireDecoding.parseBody(Array(json.utf8), what: "test"), what: "row 0")
    }

    var clob: String { #""clobTokenIds":"[\"\#(Self.v1Ids[0])\",\"\#(Self.v1Ids[1])\"]""# }
    var positionsArray: String { #""positionIds":["\#(Self.v2Ids[0])","\#(Self.v2Ids[1])"]"# }
    var positionsString: String { #""positionIds":"[\"\#(Self.v2Ids[0])\",\"\#(Self.v2Ids[1])\"]""# }

    func parseError(_ fields: String) -> PMError? {
        do {
            _ = try decode(fields)
            return nil
        } catch { return error as? PMError }
    }

    @Test func v2TakesPositionIdsInEitherFormEvenBesideClobTokenIds() throws {
        for ids in [positionsArray, positionsString] {
            let market = try decode(#""version":"v2",\#(ids),\#(clob)"#)
            #expect(market.protocolVersion == .v2)
            #expect(market.tokens.map(\.tokenId) == Self.v2Ids)
            #expect(market.tokens.map(\.outcome) == ["Yes", "No"])
            #expect(market.tokens.map { $0.price?.description } == ["0.515", "0.485"])
            #expect(market.tokenMetas.map(\.protocolVersion) == [.v2, .v2])
        }
    }

    @Test func v1TakesClobTokenIdsEvenBesidePositionIds() throws {
        let market = try decode(#""version":"v1",\#(clob),\#(positionsArray)"#)
        #expect(market.protocolVersion == .v1)
        #expect(market.tokens.map(\.tokenId) == Self.v1Ids)
    }

    @Test func missingVersionIsV1ForOldCopies() throws {
        let market = try decode(clob)
        #expect(market.protocolVersion == .v1)
        #expect(market.tokens.map(\.tokenId) == Self.v1Ids)
        #expect(try decode(#""positionIds":null,\#(clob)"#).protocolVersion == .v1)   // null is absent
    }

    @Test func missingVersionBesidePositionIdsIsRefused() {
        let error = parseError(#"\#(positionsArray),\#(clob)"#)
        #expect(error?.kind == .parse)
        #expect(error?.message.contains("512345") == true && error?.message.contains("positionIds") == true, "\(String(describing: error))")
    }

    @Test func unknownVersionIsRefusedNamingTheMarket() {
        for version in [#""v3""#, #""V2""#, #""""#] {
            let error = parseError(#""version":\#(version),\#(clob)"#)
            #expect(error?.kind == .parse)
            #expect(error?.message.contains("market 512345 0xc1") == true && error?.message.contains("unknown protocol version") == true,
                    "\(String(describing: error))")
            #expect(error?.message.contains("row 0") == true)
        }
        let wrongType = parseError(#""version":2,\#(clob)"#)
        #expect(wrongType?.kind == .parse && wrongType?.message.contains("512345") == true, "\(String(describing: wrongType))")
    }

    @Test func v2WithoutPositionIdsIsRefused() {
        for fields in [#""version":"v2",\#(clob)"#, #""version":"v2","positionIds":null"#, #""version":"v2","positionIds":"""#] {
            let error = parseError(fields)
            #expect(error?.kind == .parse && error?.message.contains("positionIds") == true, "\(String(describing: error))")
        }
    }

    @Test func badPositionIdsAreRefusedByName() {
        let numbers = parseError(#""version":"v2","positionIds":[1,2]"#)
        #expect(numbers?.kind == .parse && numbers?.message.contains("positionIds[0]") == true, "\(String(describing: numbers))")
        let notAToken = parseError(#""version":"v2","positionIds":["0x12"]"#)
        #expect(notAToken?.kind == .parse && notAToken?.message.contains("positionIds[0]") == true, "\(String(describing: notAToken))")
        let garbage = parseError(#""version":"v2","positionIds":"[\"1\","#)
        #expect(garbage?.kind == .parse, "\(String(describing: garbage))")
    }

    @Test func newMarketFieldsNeverBreakDecoding() throws {
        let newFields = [#""feesEnabled":true"#, #""feeType":"taker""#, #""feeSchedule":{"rate":"0.02","tiers":[1,2]}"#,
                         #""closedTime":"2026-11-03 12:00:00+00""#, #""umaResolutionStatuses":"[\"proposed\"]""#,
                         #""eventStartTime":null"#, #""rfqEnabled":false"#, #""volume24hrClob":1.5"#, #""volume1wkClob":2"#,
                         #""volumeClob":"3.25""#, #""liquidityClob":8450.12"#, #""somethingNew":[{"deep":[null]}]"#]
        let market = try decode(#""version":"v2",\#(positionsArray),"# + newFields.joined(separator: ","))
        #expect(market.tokens.count == 2 && market.protocolVersion == .v2)
    }

    @Test func eventsCarryTheirMarketsAndRefuseABadOne() throws {
        let body = #"[{"id":"9001","slug":"will-y","title":"Will Y?","active":true,"closed":false,"liquidity":12.5,"negRisk":false,"markets":[{"id":"1","conditionId":"0xc1","version":"v2",\#(positionsArray)},{"id":"2","conditionId":"0xc2",\#(clob)}]},{"id":"9002"}]"#
        let events = try WireDecoding.gammaEvents(try WireDecoding.parseBody(Array(body.utf8), what: "test"))
        #expect(events.map(\.id) == ["9001", "9002"])
        #expect(events[0].slug == "will-y" && events[0].title == "Will Y?" && events[0].active && !events[0].closed)
        #expect(events[0].markets.map(\.protocolVersion) == [.v2, .v1])
        #expect(events[0].markets[0].tokens.map(\.tokenId) == Self.v2Ids)
        #expect(events[1].markets.isEmpty && events[1].slug == nil && !events[1].active)

        let bad = #"[{"id":"9003","markets":[{"id":"7","conditionId":"0xc7","version":"v9"}]}]"#
        #expect { try WireDecoding.gammaEvents(try WireDecoding.parseBody(Array(bad.utf8), what: "test")) } throws: {
            let error = $0 as? PMError
            return error?.kind == .parse && error?.message.contains("event 9003") == true && error?.message.contains("market 7") == true
        }
        #expect { try WireDecoding.gammaEvents(try WireDecoding.parseBody(Array(#"[{"slug":"x"}]"#.utf8), what: "t")) } throws: {
            ($0 as? PMError)?.kind == .parse
        }
        #expect { try WireDecoding.gammaEvents(try WireDecoding.parseBody(Array(#"{"events":[]}"#.utf8), what: "t")) } throws: {
            ($0 as? PMError)?.kind == .parse
        }
    }
}
