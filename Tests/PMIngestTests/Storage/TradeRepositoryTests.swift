import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct TradeRepositoryTests {
    let repo: TradeRepository

    init() throws { repo = TradeRepository(try Database(.inMemory())) }

    @Test func storesExactPricesAndSizes() throws {
        let trade = try Sample.trade(price: "0.95", size: "1218691.83")
        #expect(try repo.upsert(trade))
        let back = try repo.trades(tokenId: Sample.token)
        #expect(back == [trade])
        #expect(back[0].price.micros == 950_000)
        #expect(back[0].size.description == "1218691.83")
    }

    @Test func sameTradeTwiceIsOneRow() throws {
        let trade = try Sample.trade()
        #expect(try repo.upsert(trade) == true)
        #expect(try repo.upsert(trade) == false)
        #expect(try repo.count() == 1)
    }

    @Test func idIsStableAndDependsOnIdentifyingFields() throws {
        let a = try Sample.trade(), b = try Sample.trade()
        #expect(a.id == b.id)
        #expect(a.id.count == 64)
        #expect(try Sample.trade(price: "0.56").id != a.id)
        #expect(try Sample.trade(size: "51").id != a.id)
        #expect(try Sample.trade(side: .sell).id != a.id)
        #expect(try Sample.trade(tx: "0x3333").id != a.id)
        #expect(try Sample.trade(wallet: "0x9999").id != a.id)
        #expect(try Sample.trade(at: 1_767_225_601_000).id != a.id)
    }

    @Test func batchIsOneTransactionAndCountsNewRows() throws {
        let trades = try (0..<500).map { try Sample.trade(at: 1_767_225_600_000 + Int64($0)) }
        #expect(try repo.upsert(trades) == 500)
        #expect(try repo.upsert(Array(trades[0..<10]) + [try Sample.trade(at: 42)]) == 1)
        #expect(try repo.count(tokenId: Sample.token) == 501)
        #expect(try repo.count(tokenId: Sample.otherToken) == 0)
    }

    @Test func largeBatchStoresEveryRowItCounts() throws {
        let trades = try (0..<20_000).map { try Sample.trade(at: 1_767_225_600_000 + Int64($0)) }
        #expect(try repo.upsert(trades) == 20_000)
        #expect(try repo.count() == 20_000)
        #expect(try repo.upsert(trades) == 0)   // every counted row really is there
        #expect(try repo.trades(tokenId: Sample.token, fromMs: 1_767_225_619_999).map(\.id) == [trades[19_999].id])
    }

    @Test func queryRangeIsInclusiveOrderedAndLimited() throws {
        for ms in [3000, 1000, 2000, 4000] as [Int64] { try repo.upsert(try Sample.trade(at: ms)) }
        try repo.upsert(try Sample.trade(token: Sample.otherToken, at: 2500))
        #expect(try repo.trades(tokenId: Sample.token, fromMs: 2000, toMs: 3000).map(\.timestampMs) == [2000, 3000])
        #expect(try repo.trades(tokenId: Sample.token).map(\.timestampMs) == [1000, 2000, 3000, 4000])
        #expect(try repo.trades(tokenId: Sample.token, limit: 2).map(\.timestampMs) == [1000, 2000])
        #expect(throws: PMError.self) { try repo.trades(tokenId: Sample.token, fromMs: 5, toMs: 4) }
    }

    @Test func invalidTradesAreRefusedWithTheFieldNamed() throws {
        #expect { try Sample.trade(token: "") } throws: { ($0 as? PMError)?.message.contains("token_id") == true }
        #expect { try Sample.trade(token: "has space") } throws: { ($0 as? PMError)?.kind == .invalidArgument }
        #expect { try Sample.trade(at: 0) } throws: { ($0 as? PMError)?.message.contains("timestamp_ms") == true }
        #expect(throws: DecimalError.self) { try Sample.trade(price: "-0.5") }
    }

    @Test func updateKeepsIdentityAndFillsDescriptiveFields() throws {
        let bare = try PolymarketTrade(tokenId: Sample.token, side: .buy, price: Price("0.5"), size: Size("10"),
                                       timestampMs: 5000, transactionHash: "0xabc")
        try repo.upsert(bare)
        let enriched = try PolymarketTrade(tokenId: Sample.token, conditionId: Sample.condition, side: .buy,
                                           price: Price("0.5"), size: Size("10"), timestampMs: 5000,
                                           transactionHash: "0xabc", outcome: "No")
        #expect(enriched.id == bare.id)
        #expect(try repo.upsert(enriched) == false)
        let stored = try repo.trades(tokenId: Sample.token)
        #expect(stored.count == 1)
        #expect(stored[0].conditionId == Sample.condition)
        #expect(stored[0].outcome == "No")
    }

    @Test func closedDatabaseRefusesCalls() throws {
        let db = try Database(.inMemory())
        db.close()
        db.close()
        #expect { try TradeRepository(db).count() } throws: { ($0 as? PMError)?.kind == .misuse }
    }
}
