/// One typed event from the Polymarket market channel (docs/wire/market-channel.md), or the stream
/// client's own continuity signal.
///
/// Produced by `MarketChannelParser` from the wire frames (every case except `reconnected`) and by
/// the WebSocket client (`reconnected`). Decimals are exact (`Price`/`Size`, micro-units), and
/// timestamps are milliseconds since the epoch.
public enum StreamEvent: Sendable, Equatable {
    /// `book`: a full snapshot of one token's book (on subscribe, and after trades). The wire sends
    /// bids ascending and asks descending; `OrderBook` sorts both **best first**. A snapshot
    /// replaces the local book and re-establishes trust after `reconnected`.
    case book(OrderBook)
    /// `price_change`: order-book **deltas** (new total size per level; 0 removes the level), for
    /// one or more tokens of a market. Never a trade, never a `PriceUpdate`. The pre-2025-09-15 form
    /// (`asset_id` + `changes[]`) is decoded into this case too (`schema == .legacyChanges`).
    case priceChange(PriceChangeEvent)
    /// `last_trade_price`: one trade execution — the stream's only public trade print, and the
    /// source of `PriceUpdate`s.
    case lastTradePrice(LastTradeEvent)
    /// `tick_size_change`: the token's tick changed (update cached tick sizes).
    case tickSizeChange(TickSizeChangeEvent)
    /// `best_bid_ask` (custom features): the token's new top of book.
    case bestBidAsk(BestBidAskEvent)
    /// `new_market` (custom features): a market was created.
    case newMarket(NewMarketEvent)
    /// `market_resolved` (custom features): a market resolved.
    case marketResolved(MarketResolvedEvent)
    /// The brief's simplified `{"type":"price_change","asset_id":…,"price":…}`: a last-traded
    /// price signal for one token (produces a `PriceUpdate`).
    case legacyPriceChange(LegacyPriceChangeEvent)
    /// Emitted by the stream client, never parsed: the connection was re-established, so events
    /// may have been lost. **Continuity is broken: distrust every local book until its next
    /// `book` snapshot.**
    case reconnected(ReconnectInfo)

    /// The wire name of the event ("book", "price_change", …); "reconnected" for the client's event
    /// and "price_change" for the legacy form.
    public var eventType: String {
        switch self {
        case .book: return "book"
        case .priceChange: return "price_change"
        case .lastTradePrice: return "last_trade_price"
        case .tickSizeChange: return "tick_size_change"
        case .bestBidAsk: return "best_bid_ask"
        case .newMarket: return "new_market"
        case .marketResolved: return "market_resolved"
        case .legacyPriceChange: return "price_change"
        case .reconnected: return "reconnected"
        }
    }
}

extension StreamEvent {
    /// The trade-price signals in this event, for consumers of `PriceUpdate` (G3: no size).
    ///
    /// Only two events are trade prices:
    /// - `lastTradePrice` → one update (its size, if any, is deliberately dropped);
    /// - `legacyPriceChange` → one update, timed by the wire timestamp, else by the receive time
    ///   the parser was given (`MarketChannelParser.parse(_:receivedAtMs:)`); with neither, none —
    ///   a time is never invented here (see `priceUpdates(receivedAtMs:)`).
    ///
    /// Everything else yields nothing. In particular `priceChange` (current `price_changes[]` and
    /// pre-2025 `changes[]`) is a set of order-book deltas: a new ask resting at 0.95 is not a
    /// trade at 0.95, so level changes never become `PriceUpdate`s.
    public var priceUpdates: [PriceUpdate] {
        switch self {
        case .lastTradePrice(let trade):
            return [PriceUpdate(tokenId: trade.tokenId, price: trade.price, timestampMs: trade.timestampMs,
                                conditionId: trade.conditionId)]
        case .legacyPriceChange(let legacy):
            guard let timestampMs = legacy.effectiveTimestampMs else { return [] }
            return [PriceUpdate(tokenId: legacy.tokenId, price: legacy.price, timestampMs: timestampMs,
                                conditionId: legacy.conditionId)]
        case .book, .priceChange, .tickSizeChange, .bestBidAsk, .newMarket, .marketResolved, .reconnected:
            return []
        }
    }

    /// As `priceUpdates`, but a legacy price change with neither a wire timestamp nor a recorded
    /// receive time is stamped with `receivedAtMs` (the caller's clock) instead of being left out.
    public func priceUpdates(receivedAtMs: Int64) -> [PriceUpdate] {
        if case .legacyPriceChange(let legacy) = self, legacy.effectiveTimestampMs == nil {
            return [PriceUpdate(tokenId: legacy.tokenId, price: legacy.price, timestampMs: receivedAtMs,
                                conditionId: legacy.conditionId)]
        }
        return priceUpdates
    }
}
