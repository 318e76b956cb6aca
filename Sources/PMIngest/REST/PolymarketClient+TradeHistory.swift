/// The v2 trade tape (`GET {data}/v2/trades`, docs/wire/data-api.md): cursor-paged, newest first.
///
/// These are history walks, not "recent trades": the tape is CDN-cached for up to five minutes, so
/// its newest page can lag. Anything called recent goes through `TradeFetcher` (G1), which judges
/// age by each row's own timestamp.
extension PolymarketClient {
    /// The most rows `/v2/trades` serves per page.
    public static let tradeTapeMaxPageSize = 1_000

    /// Every trade of the market (condition id) at or after `since` (ms since the epoch; nil = as
    /// far back as the tape goes), newest first, each once. Combo (multi-leg) rows are skipped.
    /// The walk stops at the first page that reaches past `since`, and is bounded by
    /// `listingBudget` (pages and wall time) like a market listing.
    /// - Throws: `.invalidArgument` for a bad condition id or a negative `since`; `.parse` when the
    ///   server repeats a cursor or says `has_more` without one (the walk would loop or leave a
    ///   gap: never a silently truncated history); `.tooLarge` / `.timeout` past the budget.
    public func fetchTradeHistory(conditionId: String, since: Int64? = nil) async throws -> [PolymarketTrade] {
        let collected = TradeCollector()
        try await walkTradeTape(conditionId: conditionId, since: since) { page in
            collected.add(page.trades.filter { since == nil || $0.timestampMs >= since ?? 0 })
            return true
        }
        return collected.trades
    }

    /// Walks the market's tape from the newest page down, handing each page to `onPage` (which
    /// returns false to stop). Stops by itself after the page that reaches below `since`, or at the
    /// end of the tape. Returns the number of pages fetched. `budget` nil: the client's.
    @discardableResult
    func walkTradeTape(conditionId: String, since: Int64?, pageSize: Int = PolymarketClient.tradeTapeMaxPageSize,
                       budget: ListingBudget? = nil, onPage: @escaping @Sendable (TradeTapePage) throws -> Bool) async throws -> Int {
        try FieldCheck.identifier(conditionId, field: "condition_id")
        if let since, since < 0 { throw PMError(.invalidArgument, "since: must be >= 0 ms, got \(since)") }
        let size = min(max(pageSize, 1), Self.tradeTapeMaxPageSize)
        let budget = try (budget ?? listingBudget).validated()
        let progress = TapeProgress()
        return try await TimeLimit.run(milliseconds: budget.timeoutMs, expired: {
            PMError(.timeout, "GET /v2/trades \(conditionId): the walk did not end within its time budget of "
                    + "\(budget.timeoutMs) ms (listing_timeout_ms): \(progress.pages) page(s) done")
        }) {
            var cursor: String?
            var cursors = Set<String>()
            var pages = 0
            while true {
                guard pages < budget.maxPages else {
                    throw PMError(.tooLarge, "GET /v2/trades \(conditionId): the walk did not end within its budget of "
                                  + "\(budget.maxPages) page(s) (listing_max_pages)")
                }
                // The same filters on every page: changing one mid-walk re-anchors the cursor.
                var items = [("condition", conditionId), ("limit", String(size)), ("taker_only", "true")]
                if let cursor { items.append(("cursor", cursor)) }
                let body = try await self.getJSON("\(self.endpoints.dataURL)/v2/trades?\(URLQuery.string(items))",
                                                  endpoint: "data.trades", what: "GET /v2/trades")
                let page = try WireDecoding.dataAPIV2TradePage(body, what: "GET /v2/trades \(conditionId) page \(pages + 1)")
                pages += 1
                progress.pages = pages
                guard try onPage(page) else { return pages }
                if let since, let oldest = page.oldestTimestampMs, oldest < since { return pages }
                guard page.hasMore else { return pages }
                guard let next = page.nextCursor else {
                    throw PMError(.parse, "GET /v2/trades \(conditionId) page \(pages): has_more is true but there is no "
                                  + "next_cursor; the rest of the history cannot be reached")
                }
                guard cursors.insert(next).inserted else {
                    throw PMError(.parse, "GET /v2/trades \(conditionId) page \(pages): the server sent cursor \"\(next)\" "
                                  + "a second time; the walk would loop")
                }
                cursor = next
                try Task.checkCancellation()
            }
        }
    }
}

/// Trades of a walk, each id once, in the order first seen (newest first).
private final class TradeCollector: @unchecked Sendable {
    private let lock = Lock()
    private var ids = Set<String>()
    private var kept: [PolymarketTrade] = []

    func add(_ trades: [PolymarketTrade]) {
        lock.withLock {
            for trade in trades where ids.insert(trade.id).inserted { kept.append(trade) }
        }
    }

    var trades: [PolymarketTrade] { lock.withLock { kept } }
}

/// Pages done so far, for the time-budget message (read from the timer's task).
private final class TapeProgress: @unchecked Sendable {
    private let lock = Lock()
    private var value = 0
    var pages: Int {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
