/// The taker's side of a trade, or the book side of a level (BUY = bids, SELL = asks).
public enum TradeSide: String, Sendable, Hashable, CaseIterable {
    case buy = "BUY"
    case sell = "SELL"

    /// Reads "BUY"/"SELL" in any case (some feeds send lowercase).
    public init?(wire: String) {
        switch wire.uppercased() {
        case "BUY": self = .buy
        case "SELL": self = .sell
        default: return nil
        }
    }
}
