extension PolymarketClient {
    /// Every Gamma event with `closed` as asked (false: the open ones, the service's default;
    /// true: resolved ones, for a backfill), each with its markets — walked and bounded like
    /// `fetchActiveMarkets` (keyset cursor first, legacy offset only when keyset is not there).
    /// - Parameter onPage: called after each page with (pages so far, events so far).
    /// - Throws: as `fetchActiveMarkets`; `.parse` for an event or market the decoder refuses.
    public func fetchEvents(closed: Bool = false, onPage: (@Sendable (Int, Int) -> Void)? = nil) async throws -> [GammaEvent] {
        try await listGamma(.events, filters: [("closed", closed ? "true" : "false")],
                            keep: { $0.closed == closed }, onPage: onPage)
    }
}
