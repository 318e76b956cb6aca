/// Where order books come from; `PolymarketClient` is the real source, tests use fakes.
public protocol OrderBookSource: Sendable {
    func fetchOrderBook(tokenId: String) async throws -> OrderBook
}

/// Where trades come from; `PolymarketClient` is the real source, tests use fakes.
public protocol TradeSource: Sendable {
    /// Up to `limit` of the token's most recent trades, newest first. No age filtering (see `TradeFetcher`).
    func fetchTrades(tokenId: String, limit: Int) async throws -> [PolymarketTrade]
}

/// REST client for Gamma (markets), the CLOB (order books) and the Data API (trades), in their
/// real wire formats. Safe to share between tasks and threads.
public final class PolymarketClient: OrderBookSource, TradeSource, @unchecked Sendable {
    public let endpoints: PolymarketEndpoints
    public let transport: any HTTPTransport
    /// Gamma pages are requested this large (at most 100 on the keyset endpoints; the service
    /// clamps silently, so page length never ends a listing).
    public let marketsPageSize: Int
    /// Page and time bounds of one `fetchActiveMarkets` listing (see `ListingBudget`).
    public let listingBudget: ListingBudget
    private let lock = Lock()
    private var conditionByToken: [String: String] = [:]  // token → condition never changes: cache it

    /// - Throws: `.invalidArgument` for a bad base URL or a budget below 1.
    public init(endpoints: PolymarketEndpoints = .production, transport: any HTTPTransport, marketsPageSize: Int = 500,
                listingBudget: ListingBudget = ListingBudget()) throws {
        self.endpoints = try endpoints.validated()
        self.transport = transport
        self.marketsPageSize = max(1, marketsPageSize)
        self.listingBudget = try listingBudget.validated()
    }

    // MARK: Gamma

    /// Every active, not-closed market, walked by keyset cursor (the legacy offset listing only
    /// when the keyset endpoint is not there; see `GammaListing.swift`), within `listingBudget`.
    /// - Parameter onPage: called after each page with (pages so far, markets so far).
    /// - Throws: `.tooLarge` when the listing has not ended after `listingBudget.maxPages` pages,
    ///   `.timeout` when it has not ended within `listingBudget.timeoutMs` (the request in flight is
    ///   cancelled); both name the budget and what was seen. `.parse` for cursors that cycle or a
    ///   page of only already-seen markets. Never a truncated list.
    public func fetchActiveMarkets(onPage: (@Sendable (Int, Int) -> Void)? = nil) async throws -> [Market] {
        try await listGamma(.markets, filters: [("active", "true"), ("closed", "false")],
                            keep: { $0.active && !$0.closed }, onPage: onPage)
    }

    /// The market with this condition id, or nil when Gamma does not know it.
    public func fetchMarket(conditionId: String) async throws -> Market? {
        try FieldCheck.identifier(conditionId, field: "condition_id")
        let query = URLQuery.string([("condition_ids", conditionId)])
        let body = try await getJSON("\(endpoints.gammaURL)/markets?\(query)", endpoint: "gamma.markets",
                                     what: "GET /markets condition \(conditionId)")
        return try WireDecoding.gammaMarkets(body).first { $0.conditionId == conditionId }
    }

    // MARK: CLOB

    /// The token's order book, levels sorted best-first (see `OrderBook`).
    /// - Throws: `.invalidArgument` for a token id that is not 1...78 digits (before any request);
    ///   `.noOrderBook` when the CLOB answers 404 (a resolved or unknown token; not retried, see
    ///   `NoOrderBook`); `.bookInvalid` when it sends `null` or the book of another token (its
    ///   `asset_id` is not `tokenId`).
    public func fetchOrderBook(tokenId: String) async throws -> OrderBook {
        try FieldCheck.tokenID(tokenId)
        let url = "\(endpoints.clobURL)/book?\(URLQuery.string([("token_id", tokenId)]))"
        let response = try await transport.send(HTTPRequest(url: url, endpoint: "clob.book"))
        if response.status == 404 { throw NoOrderBook.error(tokenId: tokenId, body: response.body) }
        try Self.requireSuccess(response, what: "GET /book")
        let book = try WireDecoding.clobBook(body: response.body, what: "GET /book \(tokenId)")
        guard book.tokenId == tokenId else {
            throw PMError(.bookInvalid, "GET /book \(tokenId): the CLOB sent the book of token \(book.tokenId) "
                          + "instead of \(tokenId)")
        }
        return book
    }

    /// Several books over `POST /books`, one request per `clobBatchMaxTokens` tokens, in request
    /// order; tokens without a book are left out.
    /// - Throws: `.invalidArgument` for a token id that is not 1...78 digits (before any request);
    ///   `.bookInvalid` when the answer holds a book of a token that was not requested — the
    ///   whole answer is then untrustworthy, so it is refused rather than filtered.
    public func fetchOrderBooks(tokenIds: [String]) async throws -> [OrderBook] {
        var request: [JSONValue] = []
        for (index, token) in tokenIds.enumerated() {
            try FieldCheck.tokenID(token, field: "token_ids[\(index)]")
            request.append(.object(JSONObject([.init(key: "token_id", value: .string(token))])))
        }
        var books: [OrderBook] = []
        var start = 0
        while start < request.count {
            let end = min(start + Self.clobBatchMaxTokens, request.count)
            let response = try await transport.send(HTTPRequest(
                method: .post, url: "\(endpoints.clobURL)/books", headers: [("content-type", "application/json")],
                body: Array(JSONValue.array(Array(request[start..<end])).serialized().utf8), endpoint: "clob.books"))
            try Self.requireSuccess(response, what: "POST /books")
            let chunk = try WireDecoding.clobBooks(body: response.body, what: "POST /books")
            let requested = Set(tokenIds[start..<end])
            if let stray = chunk.first(where: { !requested.contains($0.tokenId) }) {
                throw PMError(.bookInvalid, "POST /books: the CLOB sent the book of token \(stray.tokenId), which was not requested")
            }
            books += chunk
            start = end
        }
        return books
    }

    /// The condition id (market) of a token, from the CLOB; cached for the client's lifetime.
    public func conditionId(forToken tokenId: String) async throws -> String {
        try FieldCheck.tokenID(tokenId)
        if let cached = lock.withLock({ conditionByToken[tokenId] }) { return cached }
        let response = try await transport.send(HTTPRequest(
            url: "\(endpoints.clobURL)/markets-by-token/\(URLQuery.encode(tokenId))", endpoint: "clob"))
        if response.status == 404 {
            throw PMError(.invalidArgument, "unknown token \(tokenId): the CLOB has no market for it", httpStatus: 404)
        }
        let body = try Self.jsonBody(response, what: "GET /markets-by-token")
        let condition = try WireDecoding.field("GET /markets-by-token \(tokenId)") { () throws(JSONFieldError) -> String in
            guard let object = body.objectValue else {
                throw JSONFieldError(field: "(body)", problem: .wrongType(expected: "object", found: body.kindName))
            }
            return try object.requiredString("condition_id")
        }
        lock.withLock { conditionByToken[tokenId] = condition }
        return condition
    }

    // MARK: Data API

    /// Up to `limit` (at most 500, the legacy endpoint's cap) of the token's most recent trades
    /// (newest first) from the Data API, which is keyed by market: the token's condition id is resolved first and the rows filtered to the
    /// token. Prices/sizes arrive as floats and are rounded exactly; seconds become ms.
    /// No age filtering here — use `TradeFetcher` for anything called "recent" (G1). Both
    /// requests share one call deadline (`HTTPConfig.deadlineMs`, see `CallDeadline`).
    public func fetchTrades(tokenId: String, limit: Int = 100) async throws -> [PolymarketTrade] {
        try FieldCheck.tokenID(tokenId)
        guard limit > 0 else { throw PMError(.invalidArgument, "limit: must be > 0, got \(limit)") }
        // The condition lookup and the tape request are one call: they share one deadline.
        return try await CallDeadline.scope { try await self.fetchTokenTrades(tokenId: tokenId, limit: limit) }
    }

    private func fetchTokenTrades(tokenId: String, limit: Int) async throws -> [PolymarketTrade] {
        let condition = try await conditionId(forToken: tokenId)
        // Both outcome tokens share the market's tape: ask for more rows than we keep, within
        // the legacy endpoint's 500 cap (clamped before doubling: a huge limit must not overflow).
        let requested = min(max(min(limit, Self.dataAPIMaxLimit) * 2, 100), Self.dataAPIMaxLimit)
        let query = URLQuery.string([("market", condition), ("limit", String(requested)), ("takerOnly", "true")])
        let body = try await getJSON("\(endpoints.dataURL)/trades?\(query)", endpoint: "data.trades", what: "GET /trades")
        let trades = try WireDecoding.dataAPITrades(body).filter { $0.tokenId == tokenId }
        return Array(trades.sorted { $0.timestampMs > $1.timestampMs }.prefix(limit))
    }

    /// The most rows legacy `GET /trades` serves per request: `limit` above 500 (or `offset`
    /// above 1,000) is refused since 2025-08 (docs/wire/data-api.md). This client never pages
    /// that endpoint; whole histories come from `/v2/trades` (`fetchTradeHistory`).
    static let dataAPIMaxLimit = 500

    // MARK: plumbing

    func getJSON(_ url: String, endpoint: String, what: String) async throws -> JSONValue {
        try Self.jsonBody(try await transport.send(HTTPRequest(url: url, endpoint: endpoint)), what: what)
    }

    /// A 2xx JSON body, or an error carrying the status and a readable excerpt (HTML pages too).
    static func jsonBody(_ response: HTTPResponse, what: String) throws -> JSONValue {
        try requireSuccess(response, what: what)
        return try WireDecoding.parseBody(response.body, what: what)
    }

    static func requireSuccess(_ response: HTTPResponse, what: String) throws {
        guard (200..<300).contains(response.status) else {
            throw PMError(.http, "\(what): HTTP \(response.status): \(WireDecoding.excerpt(response.body))",
                          httpStatus: response.status)
        }
    }
}
