/// The taker's side of a trade, or the book side of a level (BUY = bids, SELL = asks).
public enum TradeSide: String, Sendable, Hashable, CaseIterable {
    case buy = "BUY"
    case sell = "SELL"

    /// Reads "BUY"/"SELL" in any ASCII letter case (some feeds send lowercase). ASCII only:
    /// Unicode upper-casing reads "ſell" (U+017F) as SELL, which the stream's byte-level path
    /// refuses, so one frame decoded differently when its side was written as "\u017fell".
    public init?(wire: String) {
        var upper = Array(wire.utf8.prefix(5))
        guard upper.count <= 4 else { return nil }
        for index in upper.indices where upper[index] >= UInt8(ascii: "a") && upper[index] <= UInt8(ascii: "z") {
            upper[index] -= 0x20
        }
        if upper.elementsEqual("BUY".utf8) {
            self = .buy
        } else if upper.elementsEqual("SELL".utf8) {
            self = .sell
        } else {
            return nil
        }
    }
}
