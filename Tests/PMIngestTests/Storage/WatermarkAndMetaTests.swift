import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct TradeWatermarkRepositoryTests {
    @Test func neverMovesBackwards() throws {
        let clock = ManualClock(milliseconds: 1_000)
        let repo = TradeWatermarkRepository(try Database(.inMemory(), clock: clock))
        #expect(try repo.get(conditionId: Sample.condition) == nil)
        let first = try repo.update(conditionId: Sample.condition, lastTradeTimestampMs: 5_000)
        #expect(first == TradeWatermark(conditionId: Sample.condition, lastTradeTimestampMs: 5_000, updatedAtMs: 1_000))
        clock.set(milliseconds: 2_000)
        let older = try repo.update(conditionId: Sample.condition, lastTradeTimestampMs: 4_000)
        #expect(older == first)
        clock.set(milliseconds: 3_000)
        let newer = try repo.update(conditionId: Sample.condition, lastTradeTimestampMs: 6_000)
        #expect(newer.lastTradeTimestampMs == 6_000 && newer.updatedAtMs == 3_000)
        #expect(try repo.get(conditionId: Sample.condition) == newer)
        #expect(throws: PMError.self) { try repo.update(conditionId: Sample.condition, lastTradeTimestampMs: -1) }
    }
}

@Suite struct TokenMetaRepositoryTests {
    @Test func reportsInsertedUpdatedUnchanged() throws {
        let repo = TokenMetaRepository(try Database(.inMemory()))
        let meta = try Sample.meta()
        #expect(try repo.upsert(meta) == .inserted)
        #expect(try repo.upsert(meta) == .unchanged)
        var changed = meta
        changed.tickSize = try Price("0.001")
        #expect(try repo.upsert(changed) == .updated)
        let stored = try #require(try repo.get(tokenId: Sample.token))
        #expect(stored.tickSize?.description == "0.001")
        #expect(stored.updatedAtMs != nil)
        #expect(stored.sameContent(as: changed))
        #expect(try repo.get(tokenId: Sample.otherToken) == nil)
    }

    @Test func listsInConditionThenOutcomeOrder() throws {
        let repo = TokenMetaRepository(try Database(.inMemory()))
        var no = try Sample.meta(token: Sample.otherToken)
        no.outcome = "No"
        no.outcomeIndex = 1
        try repo.upsert(no)
        try repo.upsert(try Sample.meta())
        #expect(try repo.list().map(\.outcome) == ["Yes", "No"])
    }

    @Test func refusesBadFields() throws {
        let repo = TokenMetaRepository(try Database(.inMemory()))
        var bad = try Sample.meta()
        bad.conditionId = ""
        #expect { try repo.upsert(bad) } throws: { ($0 as? PMError)?.message.contains("condition_id") == true }
        bad = try Sample.meta()
        bad.tickSize = Price(micros: 0)
        #expect { try repo.upsert(bad) } throws: { ($0 as? PMError)?.message.contains("tick_size") == true }
        #expect(try repo.list().isEmpty)
    }
}
