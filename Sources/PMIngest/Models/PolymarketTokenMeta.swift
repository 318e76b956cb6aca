/// What pmingest keeps about one outcome token of a market (from Gamma, via MetadataSync).
public struct PolymarketTokenMeta: Sendable, Hashable {
    public var tokenId: String
    public var conditionId: String
    public var question: String?
    public var outcome: String?
    /// Position of this token in the market's outcomes (0 = first), when known.
    public var outcomeIndex: Int?
    public var tickSize: Price?
    public var minOrderSize: Size?
    public var negRisk: Bool
    public var active: Bool
    public var closed: Bool
    /// Market end date, ms since the epoch, when known.
    public var endDateMs: Int64?
    public var marketSlug: String?
    /// The market's protocol version; nil when unknown (records stored before it was kept).
    public var protocolVersion: MarketProtocolVersion?
    /// When the store last wrote this record (set by the store; ignored on upsert).
    public var updatedAtMs: Int64?

    public init(tokenId: String, conditionId: String, question: String? = nil, outcome: String? = nil,
                outcomeIndex: Int? = nil, tickSize: Price? = nil, minOrderSize: Size? = nil,
                negRisk: Bool = false, active: Bool = false, closed: Bool = false, endDateMs: Int64? = nil,
                marketSlug: String? = nil, updatedAtMs: Int64? = nil,
                protocolVersion: MarketProtocolVersion? = nil) {
        self.tokenId = tokenId
        self.conditionId = conditionId
        self.question = question
        self.outcome = outcome
        self.outcomeIndex = outcomeIndex
        self.tickSize = tickSize
        self.minOrderSize = minOrderSize
        self.negRisk = negRisk
        self.active = active
        self.closed = closed
        self.endDateMs = endDateMs
        self.marketSlug = marketSlug
        self.updatedAtMs = updatedAtMs
        self.protocolVersion = protocolVersion
    }

    /// Checks the fields before anything is written; the error names the field.
    func validated() throws -> PolymarketTokenMeta {
        try FieldCheck.tokenID(tokenId)
        try FieldCheck.identifier(conditionId, field: "condition_id")
        var copy = self
        copy.question = FieldCheck.nonEmpty(question)
        copy.outcome = FieldCheck.nonEmpty(outcome)
        copy.marketSlug = FieldCheck.nonEmpty(marketSlug)
        if let question = copy.question { try FieldCheck.text(question, field: "question") }
        if let outcome = copy.outcome { try FieldCheck.text(outcome, field: "outcome") }
        if let slug = copy.marketSlug { try FieldCheck.text(slug, field: "market_slug") }
        if let index = outcomeIndex, index < 0 { copy.outcomeIndex = nil }
        if let end = endDateMs, end <= 0 { copy.endDateMs = nil }
        if let tick = tickSize, tick.micros <= 0 { throw PMError(.invalidArgument, "tick_size: must be > 0, got \(tick)") }
        if let min = minOrderSize, min.micros < 0 { throw PMError(.invalidArgument, "min_order_size: must be >= 0") }
        return copy
    }

    /// Same content, ignoring when it was written.
    func sameContent(as other: PolymarketTokenMeta) -> Bool {
        var a = self, b = other
        a.updatedAtMs = nil
        b.updatedAtMs = nil
        return a == b
    }
}
