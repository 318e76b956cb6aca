/// The CLOB's batch price endpoints: `POST /prices` (best bid or ask), `POST /midpoints` and
/// `POST /last-trades-prices`, one request per `clobBatchMaxTokens` tokens (docs/wire/clob.md,
/// "Batch prices"). Answers are keyed by token id; a token the CLOB leaves out (no book, no
/// trade) is absent from the result, never zero.
extension PolymarketClient {
    /// The most tokens one batch price request carries. The CLOB's own ceiling is not published;
    /// 100 keeps each body small (about 9 KB) and turns a 2,000-token sweep into 20 requests.
    public static let clobBatchMaxTokens = 100

    /// The best price on `side` of each token's book (`.buy`: the best bid, `.sell`: the best ask).
    /// - Throws: `.invalidArgument` for a token id that is not 1...78 digits (before any request);
    ///   `.http` for a non-2xx answer; `.parse` for a malformed answer or one holding a token that
    ///   was not requested.
    public func fetchPrices(tokenIds: [String], side: TradeSide) async throws -> [String: Price] {
        try await batch(tokenIds, path: "/prices", endpoint: "clob.prices", side: side) { body, what in
            try WireDecoding.clobPrices(body, side: side, what: what)
        }
    }

    /// Each token's midpoint (the mean of its best bid and best ask). Throws as `fetchPrices`.
    public func fetchMidpoints(tokenIds: [String]) async throws -> [String: Price] {
        try await batch(tokenIds, path: "/midpoints", endpoint: "clob.midpoints", side: nil) { body, what in
            try WireDecoding.clobMidpoints(body, what: what)
        }
    }

    /// Each token's last trade price and side. Throws as `fetchPrices`.
    public func fetchLastTradePrices(tokenIds: [String]) async throws -> [String: LastTradePrice] {
        try await batch(tokenIds, path: "/last-trades-prices", endpoint: "clob.last-trades-prices", side: nil) { body, what in
            try WireDecoding.clobLastTradePrices(body, what: what)
        }
    }

    /// Validates every id first, drops repeats (first one kept), then posts
    /// `[{"token_id":…[,"side":…]}]` per chunk and merges the answers.
    private func batch<Value>(_ tokenIds: [String], path: String, endpoint: String, side: TradeSide?,
                              decode: (JSONValue, String) throws -> [String: Value]) async throws -> [String: Value] {
        var unique: [String] = []
        var seen = Set<String>()
        for (index, token) in tokenIds.enumerated() {
            try FieldCheck.tokenID(token, field: "token_ids[\(index)]")
            if seen.insert(token).inserted { unique.append(token) }
        }
        var result: [String: Value] = [:]
        var start = 0
        while start < unique.count {
            let chunk = unique[start..<min(start + Self.clobBatchMaxTokens, unique.count)]
            start += chunk.count
            let rows: [JSONValue] = chunk.map { token in
                var members: [JSONObject.Member] = [.init(key: "token_id", value: .string(token))]
                if let side { members.append(.init(key: "side", value: .string(side.rawValue))) }
                return .object(JSONObject(members))
            }
            let what = "POST \(path)"
            let response = try await transport.send(HTTPRequest(
                method: .post, url: "\(endpoints.clobURL)\(path)", headers: [("content-type", "application/json")],
                body: Array(JSONValue.array(rows).serialized().utf8), endpoint: endpoint))
            let answer = try decode(try Self.jsonBody(response, what: what), what)
            let asked = Set(chunk)
            if let stray = answer.keys.sorted().first(where: { !asked.contains($0) }) {
                throw PMError(.parse, "\(what): the answer holds token \(stray), which was not requested")
            }
            result.merge(answer) { first, _ in first }
        }
        return result
    }
}
