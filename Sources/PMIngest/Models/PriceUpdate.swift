/// A **trade-price** signal from the market stream: "token `tokenId` traded at `price` at
/// `timestampMs`". Nothing else.
///
/// **It has no size, by design (G3).** The stream's price updates are not a reliable source of
/// trade size — the brief's stream carried none, and even the real `last_trade_price` event only
/// sometimes does — yet the size filter (for example size ≥ 50) is critical to whether a signal is
/// worth acting on. A size that is sometimes there invites code that silently treats "absent" as
/// "small" or "large". So `PriceUpdate` carries no size field at all; callers that need the size
/// back-fill it over REST with `TradeFetcher.fetchTradeSizeAtPrice` (which also applies the G1
/// freshness check). Code that wants the stream's own optional size must read it from
/// `StreamEvent.lastTradePrice(_:)` (`LastTradeEvent.size`) and knowingly accept that it may be
/// missing. Do not add a size field here: a test asserts there is none.
///
/// Only `last_trade_price` events and the brief's simplified top-level
/// `{"type":"price_change","asset_id":…,"price":…}` produce a `PriceUpdate`
/// (see `StreamEvent.priceUpdates`). Order-book level changes (`price_changes[]`) never do: a new
/// ask resting at 0.95 is not a trade at 0.95.
public struct PriceUpdate: Sendable, Hashable {
    /// The CLOB token (asset) id: a decimal string of up to 78 digits.
    public let tokenId: String
    /// The traded price, exact (micro-units; never a Double).
    public let price: Price
    /// Server time of the trade, milliseconds since the Unix epoch (UTC).
    public let timestampMs: Int64
    /// The market's condition id when the event carried it.
    public let conditionId: String?

    public init(tokenId: String, price: Price, timestampMs: Int64, conditionId: String? = nil) {
        self.tokenId = tokenId
        self.price = price
        self.timestampMs = timestampMs
        self.conditionId = conditionId
    }
}
