/// A `last_trade_price` event: one trade execution on a token — the stream's only public trade
/// print (no trade id, no wallet).
///
/// It becomes a `PriceUpdate` (see `StreamEvent.priceUpdates`), which deliberately drops `size`
/// (G3). `size` here is the stream's own optional trade size: absent, null or `""` on the wire
/// give nil, so never read a nil as "small".
public struct LastTradeEvent: Sendable, Hashable {
    public let tokenId: String
    /// The market's condition id (`market`), when present.
    public let conditionId: String?
    public let price: Price
    /// The trade size when the stream sent one; nil otherwise.
    public let size: Size?
    /// The taker's side, when sent (lowercase accepted).
    public let side: TradeSide?
    /// The fee rate in basis points as sent (a decimal string such as "0"); nil for absent or `""`.
    public let feeRateBps: String?
    /// Server time of the trade, ms since the epoch.
    public let timestampMs: Int64
    /// The settlement transaction hash, when sent (nil for absent or `""`).
    public let transactionHash: String?

    public init(tokenId: String, conditionId: String? = nil, price: Price, size: Size? = nil, side: TradeSide? = nil,
                feeRateBps: String? = nil, timestampMs: Int64, transactionHash: String? = nil) {
        self.tokenId = tokenId
        self.conditionId = conditionId
        self.price = price
        self.size = size
        self.side = side
        self.feeRateBps = feeRateBps
        self.timestampMs = timestampMs
        self.transactionHash = transactionHash
    }
}
