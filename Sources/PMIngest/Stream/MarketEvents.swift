/// `tick_size_change`: a token's minimum tick changed (for example when the market becomes one
/// sided). Update cached tick sizes from this; never cache them forever.
public struct TickSizeChangeEvent: Sendable, Hashable {
    public let tokenId: String
    public let conditionId: String?
    /// The previous tick; nil when absent or `""`.
    public let oldTickSize: Price?
    public let newTickSize: Price
    public let timestampMs: Int64

    public init(tokenId: String, conditionId: String? = nil, oldTickSize: Price?, newTickSize: Price, timestampMs: Int64) {
        self.tokenId = tokenId
        self.conditionId = conditionId
        self.oldTickSize = oldTickSize
        self.newTickSize = newTickSize
        self.timestampMs = timestampMs
    }
}

/// `best_bid_ask` (needs `custom_feature_enabled`): a token's new top of book. A side that is
/// empty comes as `""` on the wire and is nil here.
public struct BestBidAskEvent: Sendable, Hashable {
    public let tokenId: String
    public let conditionId: String?
    public let bestBid: Price?
    public let bestAsk: Price?
    public let spread: Price?
    public let timestampMs: Int64

    public init(tokenId: String, conditionId: String? = nil, bestBid: Price?, bestAsk: Price?, spread: Price?,
                timestampMs: Int64) {
        self.tokenId = tokenId
        self.conditionId = conditionId
        self.bestBid = bestBid
        self.bestAsk = bestAsk
        self.spread = spread
        self.timestampMs = timestampMs
    }
}

/// `new_market` (needs `custom_feature_enabled`): a market was created. Only the fields useful
/// to ingestion are kept (descriptions, tags and the nested `event_message` are dropped).
public struct NewMarketEvent: Sendable, Hashable {
    /// The Gamma market id (`id`), when present.
    public let id: String?
    /// `condition_id`, or `market` when that is absent.
    public let conditionId: String
    public let question: String?
    public let slug: String?
    /// The token ids (`assets_ids`, or `clob_token_ids` when that is absent), in outcome order.
    public let assetIds: [String]
    /// Outcome names ("Yes", "No"), parallel to `assetIds`; empty when absent.
    public let outcomes: [String]
    /// `order_price_min_tick_size`, when present.
    public let tickSize: Price?
    public let active: Bool?
    /// Server time, ms since the epoch; nil when absent (lifecycle events are kept without one).
    public let timestampMs: Int64?

    public init(id: String?, conditionId: String, question: String?, slug: String?, assetIds: [String],
                outcomes: [String], tickSize: Price? = nil, active: Bool? = nil, timestampMs: Int64?) {
        self.id = id
        self.conditionId = conditionId
        self.question = question
        self.slug = slug
        self.assetIds = assetIds
        self.outcomes = outcomes
        self.tickSize = tickSize
        self.active = active
        self.timestampMs = timestampMs
    }
}

/// `market_resolved` (needs `custom_feature_enabled`; reported never to arrive in practice,
/// rs-clob-client #226): a market resolved to `winningAssetId`.
public struct MarketResolvedEvent: Sendable, Hashable {
    /// The Gamma market id (`id`), when present.
    public let id: String?
    /// `market` (or `condition_id`).
    public let conditionId: String
    /// The market's token ids (`assets_ids`); empty when absent.
    public let assetIds: [String]
    public let winningAssetId: String
    public let winningOutcome: String?
    /// Server time, ms since the epoch; nil when absent.
    public let timestampMs: Int64?

    public init(id: String? = nil, conditionId: String, assetIds: [String], winningAssetId: String,
                winningOutcome: String?, timestampMs: Int64?) {
        self.id = id
        self.conditionId = conditionId
        self.assetIds = assetIds
        self.winningAssetId = winningAssetId
        self.winningOutcome = winningOutcome
        self.timestampMs = timestampMs
    }
}

/// The brief's simplified price message, `{"type":"price_change","asset_id":"…","price":"0.55"}`
/// (optionally with `timestamp` and `market`; `event_type` instead of `type` is accepted too):
/// a price signal for one token with no book side and no size. It produces a `PriceUpdate`.
///
/// The form often has no timestamp. `timestampMs` is only ever the wire's; when the parser was
/// given the frame's receive time (`MarketChannelParser.parse(_:receivedAtMs:)`) it is kept
/// apart in `receivedAtMs`, and the `PriceUpdate` uses it when the wire had none.
///
/// The pre-2025 `asset_id` + `changes[]` form is *not* this: it carries level deltas and decodes
/// to `StreamEvent.priceChange` with `PriceChangeEvent.Schema.legacyChanges`.
public struct LegacyPriceChangeEvent: Sendable, Hashable {
    public let tokenId: String
    public let price: Price
    /// The wire timestamp (ms) when the frame carried one; never invented.
    public let timestampMs: Int64?
    public let conditionId: String?
    /// When the frame was received (ms, the caller's clock), if the parser was told.
    public let receivedAtMs: Int64?

    public init(tokenId: String, price: Price, timestampMs: Int64? = nil, conditionId: String? = nil,
                receivedAtMs: Int64? = nil) {
        self.tokenId = tokenId
        self.price = price
        self.timestampMs = timestampMs
        self.conditionId = conditionId
        self.receivedAtMs = receivedAtMs
    }

    /// The time a `PriceUpdate` from this event carries: the wire's, else the receive time.
    public var effectiveTimestampMs: Int64? { timestampMs ?? receivedAtMs }
}

/// Why and how often the stream client reconnected (see `StreamEvent.reconnected`): continuity
/// was lost for `tokenIds`, so their local books must be distrusted until their next `book`
/// snapshot.
public struct ReconnectInfo: Sendable, Hashable {
    /// A short human-readable cause ("heartbeat timeout", "server closed: 1006", …).
    public let reason: String
    /// The reconnect attempt that succeeded, counted from 1 since the last healthy connection; 0
    /// for a local gap (queue overflow, an asset moved between the pool's sockets).
    public let attempt: Int
    /// The assets whose continuity was lost: the reconnected socket's assets (or the moved ones).
    /// Empty means every asset of the stream (a queue overflow drops events of any asset).
    public let tokenIds: [String]

    public init(reason: String, attempt: Int, tokenIds: [String] = []) {
        self.reason = reason
        self.attempt = attempt
        self.tokenIds = tokenIds
    }

    /// Whether `tokenId`'s continuity was lost.
    public func affects(_ tokenId: String) -> Bool {
        tokenIds.isEmpty || tokenIds.contains(tokenId)
    }
}
