/// Which exchange protocol a market trades on (Gamma's `version`, docs/wire/gamma.md). It decides
/// where Gamma puts the market's asset ids: `clobTokenIds` for v1, `positionIds` for v2.
public enum MarketProtocolVersion: String, Sendable, Hashable, CaseIterable {
    case v1
    case v2
}

/// A Polymarket market (one question, usually two outcome tokens), as Gamma describes it.
public struct Market: Sendable, Hashable {
    /// One outcome token of the market.
    public struct Token: Sendable, Hashable {
        public let tokenId: String
        public let outcome: String?
        /// Gamma's indicative outcome price, when sent.
        public let price: Price?

        public init(tokenId: String, outcome: String?, price: Price?) {
            self.tokenId = tokenId
            self.outcome = outcome
            self.price = price
        }
    }

    /// Gamma's numeric id (sent as a string).
    public let id: String
    public let conditionId: String
    public let question: String?
    public let slug: String?
    public let tokens: [Token]
    public let active: Bool
    public let closed: Bool
    public let archived: Bool
    public let acceptingOrders: Bool
    public let enableOrderBook: Bool
    public let negRisk: Bool
    public let tickSize: Price?
    public let minOrderSize: Size?
    public let endDateMs: Int64?
    /// The protocol the market trades on; decides which Gamma field its token ids came from.
    public let protocolVersion: MarketProtocolVersion

    public init(id: String, conditionId: String, question: String?, slug: String?, tokens: [Token], active: Bool,
                closed: Bool, archived: Bool = false, acceptingOrders: Bool = true, enableOrderBook: Bool = true,
                negRisk: Bool = false, tickSize: Price? = nil, minOrderSize: Size? = nil, endDateMs: Int64? = nil,
                protocolVersion: MarketProtocolVersion = .v1) {
        self.id = id
        self.conditionId = conditionId
        self.question = question
        self.slug = slug
        self.tokens = tokens
        self.active = active
        self.closed = closed
        self.archived = archived
        self.acceptingOrders = acceptingOrders
        self.enableOrderBook = enableOrderBook
        self.negRisk = negRisk
        self.tickSize = tickSize
        self.minOrderSize = minOrderSize
        self.endDateMs = endDateMs
        self.protocolVersion = protocolVersion
    }

    /// One metadata record per outcome token, as stored by `TokenMetaRepository`.
    public var tokenMetas: [PolymarketTokenMeta] {
        tokens.enumerated().map { index, token in
            PolymarketTokenMeta(tokenId: token.tokenId, conditionId: conditionId, question: question,
                                outcome: token.outcome, outcomeIndex: index, tickSize: tickSize,
                                minOrderSize: minOrderSize, negRisk: negRisk, active: active, closed: closed,
                                endDateMs: endDateMs, marketSlug: slug, protocolVersion: protocolVersion)
        }
    }
}
