/// Bounds on one market listing (`PolymarketClient.fetchActiveMarkets`, and so on every
/// `MetadataSync.sync`), so a server that never ends its listing — fresh market ids on every
/// page, or a page that never arrives — cannot hold the caller (and its memory) forever.
/// Exceeding a budget is an error naming the budget, never a silently truncated list.
///
/// Defaults: the real Gamma lists tens of thousands of active markets, at most 100 a keyset page
/// (clamped silently; 500 on the legacy offset listing): a few hundred pages. 1,000 pages leaves
/// room for 100,000 markets; 5 minutes covers 1,000 pages paced by Gamma's documented
/// `/markets` limit (300 requests / 10 s ≈ 33 s) with room for slow pages and retries.
public struct ListingBudget: Sendable, Equatable {
    /// Most pages one listing may request; the page that would exceed it is not requested and
    /// the listing fails with `.tooLarge`. The empty page that ends a listing counts.
    public var maxPages: Int
    /// Wall time for the whole listing — every page, retry, back-off and rate-limit wait. When it
    /// runs out the request in flight is cancelled and the listing fails with `.timeout`.
    public var timeoutMs: Int

    public static let defaultMaxPages = 1_000
    public static let defaultTimeoutMs = 300_000

    public init(maxPages: Int = ListingBudget.defaultMaxPages, timeoutMs: Int = ListingBudget.defaultTimeoutMs) {
        self.maxPages = maxPages
        self.timeoutMs = timeoutMs
    }

    /// Refuses budgets that would end every listing at once (`.invalidArgument`).
    func validated() throws -> ListingBudget {
        guard maxPages >= 1 else { throw PMError(.invalidArgument, "listing_max_pages: must be >= 1, got \(maxPages)") }
        guard timeoutMs >= 1 else { throw PMError(.invalidArgument, "listing_timeout_ms: must be >= 1, got \(timeoutMs)") }
        return self
    }
}
