/// A `price_change` event: order-book deltas for one or more tokens of one market.
///
/// Current schema (since 2025-09-15): `market`, `timestamp`, `price_changes[]` whose entries carry
/// `asset_id, price, size, side, hash, best_bid, best_ask`. The pre-2025-09-15 schema
/// (`asset_id`, `market`, `timestamp`, `hash`, `changes[]` of `price, side, size`) decodes to the
/// same type with `schema == .legacyChanges`: every change gets the top-level `asset_id`, the
/// top-level `hash`, and no best bid/ask.
///
/// These are **not trades**: they never produce `PriceUpdate`s.
public struct PriceChangeEvent: Sendable, Hashable {
    /// Which wire schema the event came in.
    public enum Schema: Sendable, Hashable {
        /// `price_changes[]` (since 2025-09-15).
        case priceChanges
        /// `asset_id` + `changes[]` (before 2025-09-15; no longer sent, still accepted).
        case legacyChanges
    }

    /// The market's condition id (`market`), when present.
    public let conditionId: String?
    /// Server time, ms since the epoch.
    public let timestampMs: Int64
    /// The level changes in wire order.
    public let changes: [LevelChange]
    public let schema: Schema

    public init(conditionId: String?, timestampMs: Int64, changes: [LevelChange], schema: Schema = .priceChanges) {
        self.conditionId = conditionId
        self.timestampMs = timestampMs
        self.changes = changes
        self.schema = schema
    }
}

/// One price level's new state in a token's book.
public struct LevelChange: Sendable, Hashable {
    /// The token (asset) id whose book changed.
    public let tokenId: String
    /// The book side: `.buy` = bids, `.sell` = asks (lowercase on the wire is accepted).
    public let side: TradeSide
    /// The level's price.
    public let price: Price
    /// The level's **new total** size; zero means the level was removed.
    public let size: Size
    /// The token's best bid after the change; nil when that side is empty (`""` on the wire) or the
    /// field is absent (legacy schema).
    public let bestBid: Price?
    /// The token's best ask after the change; nil as for `bestBid`.
    public let bestAsk: Price?
    /// The book hash after the change (per entry in the current schema, per event in the legacy one).
    public let hash: String?

    public init(tokenId: String, side: TradeSide, price: Price, size: Size, bestBid: Price? = nil,
                bestAsk: Price? = nil, hash: String? = nil) {
        self.tokenId = tokenId
        self.side = side
        self.price = price
        self.size = size
        self.bestBid = bestBid
        self.bestAsk = bestAsk
        self.hash = hash
    }

    /// Whether this change removes the level (new size zero).
    public var removesLevel: Bool { size.micros == 0 }
}
