/// One observed price of a token (price history), exact.
public struct PricePoint: Sendable, Hashable {
    /// The CLOB token (asset) id: a decimal string of up to 78 digits.
    public let tokenId: String
    /// Milliseconds since the epoch (the wire's seconds, converted once).
    public let timestampMs: Int64
    public let price: Price
    /// The window the point was observed in, seconds, when the wire says (v2 history only).
    public let resolutionSeconds: Int64?

    /// - Throws: `.invalidArgument` for a malformed token id, a negative timestamp or price.
    public init(tokenId: String, timestampMs: Int64, price: Price, resolutionSeconds: Int64? = nil) throws {
        try FieldCheck.tokenID(tokenId)
        guard timestampMs >= 0 else { throw PMError(.invalidArgument, "timestamp_ms: must be >= 0, got \(timestampMs)") }
        guard price.micros >= 0 else { throw PMError(.invalidArgument, "price: must be >= 0, got \(price)") }
        self.tokenId = tokenId
        self.timestampMs = timestampMs
        self.price = price
        self.resolutionSeconds = resolutionSeconds
    }

    init(storedToken tokenId: String, timestampMs: Int64, price: Price) {
        self.tokenId = tokenId
        self.timestampMs = timestampMs
        self.price = price
        self.resolutionSeconds = nil
    }
}
