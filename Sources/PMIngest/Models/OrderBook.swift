/// One price level of an order book.
public struct OrderBookLevel: Sendable, Hashable {
    public let price: Price
    public let size: Size

    public init(price: Price, size: Size) {
        self.price = price
        self.size = size
    }
}

/// An order-book snapshot of one token.
///
/// Levels are sorted **best first** on construction — bids by descending price, asks by ascending —
/// whatever order they arrived in. The real API sends bids lowest-first and asks highest-first, so
/// `bids[0]` on the wire is the *worst* bid; here `bids.first` is the best.
///
/// Levels of size 0 are left out on construction: a size-0 level is no liquidity (on the stream,
/// size 0 deletes a level), and kept it could become a best bid or ask — a "bid" at 0.95 with
/// nothing behind it. Every path a book is built by (REST, stream snapshots, local books) comes
/// through this initialiser.
public struct OrderBook: Sendable, Hashable {
    public let tokenId: String
    /// The market's condition id.
    public let conditionId: String?
    /// Server time of the snapshot, ms since the epoch.
    public let timestampMs: Int64?
    public let hash: String?
    /// Best (highest) bid first.
    public let bids: [OrderBookLevel]
    /// Best (lowest) ask first.
    public let asks: [OrderBookLevel]
    public let tickSize: Price?
    public let minOrderSize: Size?
    public let negRisk: Bool?
    public let lastTradePrice: Price?

    public init(tokenId: String, conditionId: String? = nil, timestampMs: Int64? = nil, hash: String? = nil,
                bids: [OrderBookLevel], asks: [OrderBookLevel], tickSize: Price? = nil, minOrderSize: Size? = nil,
                negRisk: Bool? = nil, lastTradePrice: Price? = nil) {
        self.tokenId = tokenId
        self.conditionId = conditionId
        self.timestampMs = timestampMs
        self.hash = hash
        self.bids = OrderBook.bestFirst(bids, highestFirst: true)
        self.asks = OrderBook.bestFirst(asks, highestFirst: false)
        self.tickSize = tickSize
        self.minOrderSize = minOrderSize
        self.negRisk = negRisk
        self.lastTradePrice = lastTradePrice
    }

    /// `levels` without size-0 levels, best first. The wire's order (worst first) and an already
    /// sorted side, strictly monotonic and without size 0, are reversed or kept as they are
    /// (what sorting gives, with one allocation or none); anything else is filtered and sorted.
    static func bestFirst(_ levels: [OrderBookLevel], highestFirst: Bool) -> [OrderBookLevel] {
        var ascending = true
        var descending = true
        var previous: Int64?
        for level in levels {
            guard level.size.micros > 0 else { ascending = false; descending = false; break }
            if let previous {
                if level.price.micros <= previous { ascending = false }
                if level.price.micros >= previous { descending = false }
            }
            previous = level.price.micros
        }
        if highestFirst ? descending : ascending { return levels }
        if highestFirst ? ascending : descending { return levels.reversed() }
        let kept = levels.filter { $0.size.micros > 0 }
        return highestFirst ? kept.sorted { $0.price > $1.price } : kept.sorted { $0.price < $1.price }
    }

    /// The highest bid, by value.
    public var bestBid: OrderBookLevel? { bids.first }
    /// The lowest ask, by value.
    public var bestAsk: OrderBookLevel? { asks.first }
    /// Best bid at or above best ask: not a tradable book.
    public var isCrossed: Bool {
        guard let bid = bestBid, let ask = bestAsk else { return false }
        return bid.price >= ask.price
    }
}
