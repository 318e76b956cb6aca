/// Fills the trade store from the v2 trade tape, market by market, resumably.
///
/// The tape is walked newest first, so "everything newer than X is stored" is only true once a
/// walk has come down to X. Each market's proof is kept as one interval in `trade_coverage`
/// (`TradeCoverageRepository`): after every page the walk has proven [just above the page's
/// oldest row, the settled top] and that interval is merged in only when it overlaps or touches
/// the stored one — a walk that has not yet met the stored interval proves nothing about the gap
/// between them. Trades are written before their coverage, each in its own transaction, and trade
/// ids are content-derived: the backfill can be killed at any point (kill -9 included) and re-run,
/// with no duplicates and no gap. A killed first descent restarts from the top on re-run and
/// rewrites the part already covered (idempotent: cost, never correctness).
///
/// The newest `settleMs` before the run started are never claimed as covered: the tape is
/// CDN-cached for up to five minutes, so a just-made trade may not be on the first page yet.
/// Nothing here is "recent trades": use `TradeFetcher` for that (G1).
public struct TradeBackfill: Sendable {
    /// Default settle margin: the tape's 5-minute cache plus as much again.
    public static let defaultSettleMs: Int64 = 600_000
    /// Default walk bound per market: the tape covers at most three years of a market.
    public static let defaultBudget = ListingBudget(maxPages: 1_000_000, timeoutMs: 86_400_000)

    public let client: PolymarketClient
    public let database: Database
    /// Oldest trade wanted, ms since the epoch; nil = as far back as the tape serves.
    public let since: Int64?
    public let settleMs: Int64
    public let budget: ListingBudget
    public let clock: any PMClock
    public let pageSize: Int

    /// - Throws: `.invalidArgument` for a negative `since` or `settleMs`, a page size outside
    ///   1...1000, or a budget below 1.
    public init(client: PolymarketClient, database: Database, since: Int64? = nil,
                settleMs: Int64 = TradeBackfill.defaultSettleMs, budget: ListingBudget = TradeBackfill.defaultBudget,
                clock: any PMClock = SystemClock(), pageSize: Int = PolymarketClient.tradeTapeMaxPageSize) throws {
        if let since, since < 0 { throw PMError(.invalidArgument, "since: must be >= 0 ms, got \(since)") }
        guard settleMs >= 0 else { throw PMError(.invalidArgument, "settle_ms: must be >= 0, got \(settleMs)") }
        guard (1...PolymarketClient.tradeTapeMaxPageSize).contains(pageSize) else {
            throw PMError(.invalidArgument, "page_size: must be 1...\(PolymarketClient.tradeTapeMaxPageSize), got \(pageSize)")
        }
        self.client = client
        self.database = database
        self.since = since
        self.settleMs = settleMs
        self.budget = try budget.validated()
        self.clock = clock
        self.pageSize = pageSize
    }

    /// Backfills `conditionIds` in order, or (nil) every market in the store's token metadata.
    /// - Parameter onProgress: called after every page.
    /// - Throws: the first market's error ends the run; what was written and proven stays.
    public func run(conditionIds: [String]? = nil,
                    onProgress: (@Sendable (TradeBackfillProgress) -> Void)? = nil) async throws -> TradeBackfillReport {
        let markets = try conditionIds ?? Self.storedMarkets(database)
        for condition in markets { try FieldCheck.identifier(condition, field: "condition_id") }
        var report = TradeBackfillReport(markets: markets.count)
        for (index, condition) in markets.enumerated() {
            try Task.checkCancellation()
            let market = try await backfill(condition, index: index, of: markets.count, onProgress: onProgress)
            report.pages += market.pages
            report.trades += market.trades
            report.inserted += market.inserted
            report.combos += market.combos
            if let coverage = market.coverage { report.coverage.append(coverage) }
        }
        return report
    }

    /// The distinct condition ids of the stored token metadata, sorted.
    static func storedMarkets(_ database: Database) throws -> [String] {
        Array(Set(try TokenMetaRepository(database).list().map(\.conditionId))).sorted()
    }

    private func backfill(_ condition: String, index: Int, of count: Int,
                          onProgress: (@Sendable (TradeBackfillProgress) -> Void)?) async throws -> MarketTally {
        let floor = since ?? 0
        let settledTop = clock.nowMilliseconds().subtractingClamped(settleMs)
        let trades = TradeRepository(database)
        let coverage = TradeCoverageRepository(database)
        let watermarks = TradeWatermarkRepository(database)
        let tally = TallyBox(try coverage.get(conditionId: condition))
        let pages = try await client.walkTradeTape(conditionId: condition, since: since, pageSize: pageSize,
                                                   budget: budget) { page in
            let inserted = try trades.upsert(page.trades)
            // What this walk has proven so far: from just above the oldest row seen (rows of the
            // same second may continue on the next page) up to the settled top — or down to the
            // floor once the page reached past it or the tape ended.
            let oldestSeen = tally.see(page)
            let low: Int64?
            if !page.hasMore || (page.oldestTimestampMs.map { $0 < floor } ?? false) {
                low = floor
            } else {
                low = oldestSeen.map { $0.addingClamped(1) }
            }
            var done = false
            if let low, low <= settledTop {
                let (merged, taken) = try coverage.merge(conditionId: condition, oldestMs: max(low, 0), newestMs: settledTop)
                if taken {
                    tally.coverage = merged
                    if let newest = tally.newestTrade { try watermarks.update(conditionId: condition, lastTradeTimestampMs: newest) }
                    // Met the stored proof and it reaches the floor: the rest is already here.
                    done = merged.oldestMs <= floor
                }
            }
            tally.add(trades: page.trades.count, inserted: inserted, combos: page.combos)
            onProgress?(tally.progress(conditionId: condition, index: index, of: count))
            return !done
        }
        return tally.finish(pages: pages)
    }
}

/// Where a backfill is, after a page.
public struct TradeBackfillProgress: Sendable, Equatable {
    public let conditionId: String
    /// 0-based index of the market in the run, and how many the run has.
    public let marketIndex: Int
    public let marketCount: Int
    /// Pages and trade rows of this market so far, and how many rows were new to the store.
    public let pages: Int
    public let trades: Int
    public let inserted: Int
    /// The market's coverage after the page, if any is proven.
    public let coverage: TradeCoverage?
}

/// What a backfill run did.
public struct TradeBackfillReport: Sendable, Equatable {
    public var markets: Int
    public var pages = 0
    /// Trade rows written (new or already stored) and how many of them were new.
    public var trades = 0
    public var inserted = 0
    /// Combo (multi-leg) rows skipped.
    public var combos = 0
    /// The coverage of each market that has one, in run order.
    public var coverage: [TradeCoverage] = []

    public init(markets: Int) { self.markets = markets }
}

private struct MarketTally {
    var pages = 0, trades = 0, inserted = 0, combos = 0
    var coverage: TradeCoverage?
}

/// The walk's running state, shared with its page callback.
private final class TallyBox: @unchecked Sendable {
    private let lock = Lock()
    private var tally = MarketTally()
    private var oldest: Int64?
    private var newest: Int64?

    init(_ coverage: TradeCoverage?) { tally.coverage = coverage }

    /// Takes in the page's timestamps; returns the oldest row seen in the walk so far.
    func see(_ page: TradeTapePage) -> Int64? {
        lock.withLock {
            if let pageOldest = page.oldestTimestampMs { oldest = min(oldest ?? pageOldest, pageOldest) }
            for trade in page.trades { newest = max(newest ?? trade.timestampMs, trade.timestampMs) }
            return oldest
        }
    }

    var newestTrade: Int64? { lock.withLock { newest } }

    var coverage: TradeCoverage? {
        get { lock.withLock { tally.coverage } }
        set { lock.withLock { tally.coverage = newValue } }
    }

    func add(trades: Int, inserted: Int, combos: Int) {
        lock.withLock {
            tally.pages += 1
            tally.trades += trades
            tally.inserted += inserted
            tally.combos += combos
        }
    }

    func progress(conditionId: String, index: Int, of count: Int) -> TradeBackfillProgress {
        lock.withLock {
            TradeBackfillProgress(conditionId: conditionId, marketIndex: index, marketCount: count, pages: tally.pages,
                                  trades: tally.trades, inserted: tally.inserted, coverage: tally.coverage)
        }
    }

    func finish(pages: Int) -> MarketTally {
        lock.withLock {
            var result = tally
            result.pages = pages
            return result
        }
    }
}
