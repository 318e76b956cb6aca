/// A token's last trade as the CLOB reports it (`POST /last-trades-prices`): the exact price and
/// the taker's side, nil when the CLOB sends none.
public struct LastTradePrice: Sendable, Hashable {
    public let price: Price
    public let side: TradeSide?

    public init(price: Price, side: TradeSide?) {
        self.price = price
        self.side = side
    }
}
