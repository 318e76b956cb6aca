import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct TradeBackfillTests {
    static let newest: Int64 = 1_767_225_600
    static let nowMs = (newest + 3_600) * 1000
    static let settledTop = nowMs - TradeBackfill.defaultSettleMs

    func setup(_ rows: [TapeTransport.Row]) throws -> (TapeTransport, PolymarketClient, Database) {
        let tape = TapeTransport(rows: rows)
        let client = try PolymarketClient(transport: tape)
        return (tape, client, try Database(.inMemory()))
    }

    func backfill(_ client: PolymarketClient, _ db: Database, since: Int64? = nil, pageSize: Int = 1_000,
                  clock: TestClock = TestClock(TradeBackfillTests.nowMs)) throws -> TradeBackfill {
        try TradeBackfill(client: client, database: db, since: since, clock: clock, pageSize: pageSize)
    }

    @Test func fullBackfillStoresEveryTradeAndProvesTheWholeRange() async throws {
        let (tape, client, db) = try setup(TapeTransport.rows(2_500))
        let pages = ProgressLog()
        let report = try await backfill(client, db).run(conditionIds: [Sample.condition]) { pages.add($0) }
        #expect(report.markets == 1 && report.pages == 3 && report.trades == 2_500 && report.inserted == 2_500)
        #expect(try TradeRepository(db).count() == 2_500)
        let coverage = try #require(try TradeCoverageRepository(db).get(conditionId: Sample.condition))
        #expect(coverage.oldestMs == 0 && coverage.newestMs == Self.settledTop)
        #expect(report.coverage == [coverage])
        #expect(try TradeWatermarkRepository(db).get(conditionId: Sample.condition)?.lastTradeTimestampMs == Self.newest * 1000)
        #expect(pages.all.map(\.pages) == [1, 2, 3] && pages.all.last?.inserted == 2_500)
        #expect(tape.urls.count == 3)
    }

    @Test func killedMidWalkResumesWithoutDuplicatesOrGaps() async throws {
        let (tape, client, db) = try setup(TapeTransport.rows(2_500))
        tape.fail(fromRequest: 3)   // pages 1 and 2 land, then the process "dies"
        await #expect(throws: PMError.self) { try await backfill(client, db).run(conditionIds: [Sample.condition]) }
        #expect(try TradeRepository(db).count() == 2_000)
        let partial = try #require(try TradeCoverageRepository(db).get(conditionId: Sample.condition))
        // Proven: everything above the oldest row seen (second 1999 below the newest).
        #expect(partial.oldestMs == (Self.newest - 1_999) * 1000 + 1 && partial.newestMs == Self.settledTop)
        tape.fail(fromRequest: nil)
        let report = try await backfill(client, db).run(conditionIds: [Sample.condition])
        #expect(report.inserted == 500)
        #expect(try TradeRepository(db).count() == 2_500)
        #expect(try TradeCoverageRepository(db).get(conditionId: Sample.condition)?.oldestMs == 0)
    }

    @Test func rerunWalksOnlyDownToWhatIsCovered() async throws {
        let (tape, client, db) = try setup(TapeTransport.rows(3_000))
        _ = try await backfill(client, db).run(conditionIds: [Sample.condition])
        let before = tape.urls.count
        // 100 new trades arrive; an hour passes.
        tape.set(rows: TapeTransport.rows(100, newest: Self.newest + 1_000) + TapeTransport.rows(3_000))
        let later = TestClock(Self.nowMs + 3_600_000)
        let report = try await backfill(client, db, clock: later).run(conditionIds: [Sample.condition])
        #expect(tape.urls.count - before == 1)   // page 1 reaches the covered range: done
        #expect(report.inserted == 100)
        #expect(try TradeRepository(db).count() == 3_100)
        #expect(try TradeCoverageRepository(db).get(conditionId: Sample.condition)?.newestMs == Self.settledTop + 3_600_000)
    }

    @Test func aKilledRerunNeverClaimsTheGapAboveOldCoverage() async throws {
        let (tape, client, db) = try setup(TapeTransport.rows(1_000))
        _ = try await backfill(client, db).run(conditionIds: [Sample.condition])
        let old = try #require(try TradeCoverageRepository(db).get(conditionId: Sample.condition))
        // 2,500 newer trades; the rerun dies after two pages, before it meets the old coverage.
        tape.set(rows: TapeTransport.rows(2_500, newest: Self.newest + 10_000) + TapeTransport.rows(1_000))
        tape.fail(fromRequest: tape.urls.count + 3)
        let later = TestClock(Self.nowMs + 20_000_000)
        await #expect(throws: PMError.self) { try await backfill(client, db, clock: later).run(conditionIds: [Sample.condition]) }
        #expect(try TradeCoverageRepository(db).get(conditionId: Sample.condition) == old)
        tape.fail(fromRequest: nil)
        _ = try await backfill(client, db, clock: later).run(conditionIds: [Sample.condition])
        let grown = try #require(try TradeCoverageRepository(db).get(conditionId: Sample.condition))
        #expect(grown.oldestMs == 0 && grown.newestMs == Self.nowMs + 20_000_000 - TradeBackfill.defaultSettleMs)
        #expect(try TradeRepository(db).count() == 3_500)
    }

    @Test func tradesOfOneSecondSplitAcrossPagesAreNeverSkipped() async throws {
        // Two trades per second, pages of three: every page boundary cuts a second in half.
        let (tape, client, db) = try setup(TapeTransport.rows(12, pairs: true))
        tape.fail(fromRequest: 3)
        await #expect(throws: PMError.self) { try await backfill(client, db, pageSize: 3).run(conditionIds: [Sample.condition]) }
        let partial = try #require(try TradeCoverageRepository(db).get(conditionId: Sample.condition))
        // Rows 0...5 (seconds 0, 0, 1, 1, 2, 2 below the newest) are stored; the claim stops just
        // above second 2, whose further rows could be on the next page.
        #expect(partial.oldestMs == (Self.newest - 2) * 1000 + 1)
        tape.fail(fromRequest: nil)
        _ = try await backfill(client, db, pageSize: 3).run(conditionIds: [Sample.condition])
        #expect(try TradeRepository(db).count() == 12)
    }

    @Test func sinceBoundsTheWalkAndTheClaim() async throws {
        let (tape, client, db) = try setup(TapeTransport.rows(5_000))
        let since = (Self.newest - 1_499) * 1000
        let report = try await backfill(client, db, since: since).run(conditionIds: [Sample.condition])
        #expect(tape.urls.count == 2 && report.pages == 2)
        #expect(try TradeCoverageRepository(db).get(conditionId: Sample.condition)?.oldestMs == since)
        #expect(try TradeRepository(db).trades(tokenId: Sample.token, fromMs: since).count == 1_500)
    }

    @Test func unsettledTradesAreStoredButNotClaimed() async throws {
        // Every trade is within the settle window: stored, but no coverage yet while the tape goes on.
        let rows = TapeTransport.rows(1_500, newest: Self.nowMs / 1000)
        let (tape, client, db) = try setup(rows)
        tape.fail(fromRequest: 2)
        let patient = try TradeBackfill(client: client, database: db, settleMs: 1_000_000, clock: TestClock(Self.nowMs))
        await #expect(throws: PMError.self) { try await patient.run(conditionIds: [Sample.condition]) }
        #expect(try TradeRepository(db).count() == 1_000)
        #expect(try TradeCoverageRepository(db).get(conditionId: Sample.condition) == nil)
    }

    @Test func marketsComeFromStoredTokenMetadataAndCombosAreCounted() async throws {
        var rows = TapeTransport.rows(10)
        rows.append(.init(condition: "0x" + String(repeating: "cd", count: 31), seconds: Self.newest - 100, slug: "", outcome: ""))
        let (_, client, db) = try setup(rows)
        try TokenMetaRepository(db).upsert(try Sample.meta())
        try TokenMetaRepository(db).upsert(try Sample.meta(token: Sample.otherToken))
        let report = try await backfill(client, db).run()
        #expect(report.markets == 1 && report.trades == 10 && report.combos == 1)
        #expect(try TradeRepository(db).count() == 10)
        let empty = try await backfill(client, try Database(.inMemory())).run()
        #expect(empty.markets == 0 && empty.pages == 0)
    }

    @Test func badArgumentsAreRefused() throws {
        let (_, client, db) = try setup([])
        #expect(throws: PMError.self) { try TradeBackfill(client: client, database: db, since: -1) }
        #expect(throws: PMError.self) { try TradeBackfill(client: client, database: db, settleMs: -1) }
        #expect(throws: PMError.self) { try TradeBackfill(client: client, database: db, pageSize: 0) }
        #expect(throws: PMError.self) { try TradeBackfill(client: client, database: db, pageSize: 1_001) }
        #expect(throws: PMError.self) { try TradeBackfill(client: client, database: db, budget: ListingBudget(maxPages: 0)) }
    }

    @Test func anEmptyTapeIsCoveredToTheSettledTop() async throws {
        let (_, client, db) = try setup([])
        let report = try await backfill(client, db).run(conditionIds: [Sample.condition])
        #expect(report.coverage.first?.oldestMs == 0 && report.coverage.first?.newestMs == Self.settledTop)
        await #expect(throws: PMError.self) { try await backfill(client, db).run(conditionIds: ["bad id"]) }
    }

    @Test func coverageMergesOnlyOverlappingOrTouchingIntervals() throws {
        let db = try Database(.inMemory())
        let repo = TradeCoverageRepository(db)
        #expect(try repo.merge(conditionId: "0xc", oldestMs: 100, newestMs: 200).merged)
        #expect(try repo.merge(conditionId: "0xc", oldestMs: 300, newestMs: 400).merged == false)
        #expect(try repo.merge(conditionId: "0xc", oldestMs: 201, newestMs: 400).coverage.newestMs == 400)
        #expect(try repo.merge(conditionId: "0xc", oldestMs: 10, newestMs: 99).coverage.oldestMs == 10)
        #expect(try repo.merge(conditionId: "0xc", oldestMs: 0, newestMs: 5).merged == false)
        #expect(try repo.merge(conditionId: "0xc", oldestMs: 50, newestMs: 60).merged)   // inside: unchanged
        #expect(try repo.get(conditionId: "0xc").map { [$0.oldestMs, $0.newestMs] } == [10, 400])
        #expect(try repo.list().map(\.conditionId) == ["0xc"])
        #expect(try repo.get(conditionId: "0xnone") == nil)
        #expect(throws: PMError.self) { try repo.merge(conditionId: "0xc", oldestMs: 5, newestMs: 4) }
        #expect(throws: PMError.self) { try repo.merge(conditionId: "0xc", oldestMs: -1, newestMs: 4) }
        #expect(throws: PMError.self) { try repo.get(conditionId: "") }
    }
}

final class ProgressLog: @unchecked Sendable {
    private let lock = Lock()
    private var items: [TradeBackfillProgress] = []
    func add(_ item: TradeBackfillProgress) { lock.withLock { items.append(item) } }
    var all: [TradeBackfillProgress] { lock.withLock { items } }
}
