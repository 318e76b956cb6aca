/// How far trade processing has got for one market: the newest trade timestamp processed.
public struct TradeWatermark: Sendable, Hashable {
    public let conditionId: String
    /// Timestamp of the last processed trade, ms since the epoch.
    public let lastTradeTimestampMs: Int64
    /// When the watermark last moved, ms since the epoch.
    public let updatedAtMs: Int64

    public init(conditionId: String, lastTradeTimestampMs: Int64, updatedAtMs: Int64) {
        self.conditionId = conditionId
        self.lastTradeTimestampMs = lastTradeTimestampMs
        self.updatedAtMs = updatedAtMs
    }
}
