/// Price history: the Data API's `GET /v2/prices-history` (one token, cursor pages, explicit
/// windows of at most 15 days) and the CLOB's `POST /batch-prices-history` (up to 20 tokens a
/// call). See docs/wire/data-api.md.
extension PolymarketClient {
    /// The longest explicit window `/v2/prices-history` serves.
    public static let priceHistoryMaxWindowMs: Int64 = 15 * 86_400_000
    /// The most points one `/v2/prices-history` page holds.
    public static let priceHistoryMaxPageSize = 10_000
    /// The most tokens one `POST /batch-prices-history` takes.
    public static let batchPriceHistoryMaxTokens = 20

    /// The token's prices with `start <= timestamp < end` (ms since the epoch; `end` nil = now),
    /// oldest first, each timestamp once. A range longer than 15 days is asked as consecutive
    /// windows of at most 15 days and joined. `bucketSeconds` (nil: the server's choice) asks for
    /// that spacing; points are never evenly spaced anyway. Bounded by `listingBudget` like a
    /// listing.
    /// - Throws: `.invalidArgument` for a bad token id, a negative start, `end <= start`, or a
    ///   bucket below 1 s; `.parse` for a repeated cursor or `has_more` without one.
    public func fetchPriceHistory(tokenId: String, start: Int64, end: Int64? = nil,
                                  bucketSeconds: Int64? = nil) async throws -> [PricePoint] {
        try await fetchPriceHistory(tokenId: tokenId, start: start, end: end, bucketSeconds: bucketSeconds,
                                    nowMs: SystemClock().nowMilliseconds())
    }

    func fetchPriceHistory(tokenId: String, start: Int64, end: Int64?, bucketSeconds: Int64?,
                           nowMs: Int64) async throws -> [PricePoint] {
        try FieldCheck.tokenID(tokenId)
        let end = end ?? nowMs
        guard start >= 0 else { throw PMError(.invalidArgument, "start: must be >= 0 ms, got \(start)") }
        guard end > start else { throw PMError(.invalidArgument, "end (\(end)) must be after start (\(start))") }
        if let bucketSeconds, bucketSeconds < 1 { throw PMError(.invalidArgument, "bucket_seconds: must be >= 1, got \(bucketSeconds)") }
        let windows = Self.priceWindows(start: start, end: end)
        let budget = listingBudget
        return try await TimeLimit.run(milliseconds: budget.timeoutMs, expired: {
            PMError(.timeout, "GET /v2/prices-history \(tokenId): not done within its time budget of \(budget.timeoutMs) ms (listing_timeout_ms)")
        }) {
            var points: [PricePoint] = []
            var seen = Set<Int64>()
            var pages = 0
            for window in windows {
                var cursor: String?
                var cursors = Set<String>()
                repeat {
                    guard pages < budget.maxPages else {
                        throw PMError(.tooLarge, "GET /v2/prices-history \(tokenId): more than \(budget.maxPages) page(s) (listing_max_pages)")
                    }
                    var items = [("token_id", tokenId), ("start", String(window.startSeconds)), ("end", String(window.endSeconds))]
                    if let bucketSeconds { items.append(("bucket_seconds", String(bucketSeconds))) }
                    if let cursor { items.append(("cursor", cursor)) } else { items.append(("limit", String(Self.priceHistoryMaxPageSize))) }
                    let body = try await self.getJSON("\(self.endpoints.dataURL)/v2/prices-history?\(URLQuery.string(items))",
                                                      endpoint: "data.prices-history", what: "GET /v2/prices-history")
                    let page = try WireDecoding.priceHistoryPage(body, tokenId: tokenId)
                    pages += 1
                    // Keep the window's own points only: the range is [start, end) in ms.
                    for point in page.points where point.timestampMs >= start && point.timestampMs < end
                        && seen.insert(point.timestampMs).inserted {
                        points.append(point)
                    }
                    cursor = try Self.nextCursor(page.hasMore, page.nextCursor, seen: &cursors,
                                                 what: "GET /v2/prices-history \(tokenId) page \(pages)")
                    try Task.checkCancellation()
                } while cursor != nil
            }
            return points.sorted { $0.timestampMs < $1.timestampMs }
        }
    }

    /// [start, end) in ms as consecutive windows of whole seconds, each at most 15 days: a point
    /// at second t is in the range when start <= t * 1000 < end, i.e. ceil(start/1000) <= t <
    /// ceil(end/1000).
    static func priceWindows(start: Int64, end: Int64) -> [(startSeconds: Int64, endSeconds: Int64)] {
        func ceilSeconds(_ ms: Int64) -> Int64 { ms / 1000 + (ms % 1000 > 0 ? 1 : 0) }
        let first = ceilSeconds(start), last = ceilSeconds(end)
        let span = priceHistoryMaxWindowMs / 1000
        var windows: [(Int64, Int64)] = []
        var from = first
        while from < last {
            let to = min(from.addingClamped(span), last)
            windows.append((from, to))
            from = to
        }
        return windows
    }

    /// The cursor to follow, nil at the end; a repeated cursor or has_more without one is an error.
    static func nextCursor(_ hasMore: Bool, _ next: String?, seen: inout Set<String>, what: String) throws -> String? {
        guard hasMore else { return nil }
        guard let next else { throw PMError(.parse, "\(what): has_more is true but there is no next_cursor") }
        guard seen.insert(next).inserted else { throw PMError(.parse, "\(what): the server sent cursor \"\(next)\" a second time") }
        return next
    }

    /// The prices of several tokens with `start <= timestamp <= end` (ms; `end` nil = now), by
    /// token, oldest first; one `POST /batch-prices-history` per 20 tokens. `fidelityMinutes`
    /// (nil: the server's) is the spacing asked for. Tokens the answer leaves out map to [].
    /// - Throws: `.invalidArgument` for a bad token id (before any request), a negative start or
    ///   `end < start`; `.parse` when the answer holds a token that was not asked for.
    public func fetchPriceHistories(tokenIds: [String], start: Int64, end: Int64? = nil,
                                    fidelityMinutes: Int? = nil) async throws -> [String: [PricePoint]] {
        for (index, token) in tokenIds.enumerated() { try FieldCheck.tokenID(token, field: "token_ids[\(index)]") }
        let end = end ?? SystemClock().nowMilliseconds()
        guard start >= 0 else { throw PMError(.invalidArgument, "start: must be >= 0 ms, got \(start)") }
        guard end >= start else { throw PMError(.invalidArgument, "end (\(end)) must not be before start (\(start))") }
        if let fidelityMinutes, fidelityMinutes < 1 { throw PMError(.invalidArgument, "fidelity: must be >= 1 minute") }
        var result: [String: [PricePoint]] = [:]
        let unique = Array(Set(tokenIds)).sorted()
        var index = 0
        while index < unique.count {
            let chunk = Array(unique[index..<min(index + Self.batchPriceHistoryMaxTokens, unique.count)])
            index += chunk.count
            var members: [JSONObject.Member] = [
                .init(key: "markets", value: .array(chunk.map { .string($0) })),
                .init(key: "start_ts", value: .number(JSONNumber(start / 1000))),
                .init(key: "end_ts", value: .number(JSONNumber(end / 1000))),
            ]
            if let fidelityMinutes { members.append(.init(key: "fidelity", value: .number(JSONNumber(Int64(fidelityMinutes))))) }
            let response = try await transport.send(HTTPRequest(
                method: .post, url: "\(endpoints.clobURL)/batch-prices-history", headers: [("content-type", "application/json")],
                body: Array(JSONValue.object(JSONObject(members)).serialized().utf8), endpoint: "clob.prices-history"))
            let body = try Self.jsonBody(response, what: "POST /batch-prices-history")
            let history = try WireDecoding.batchPriceHistory(body)
            let asked = Set(chunk)
            if let stray = history.keys.sorted().first(where: { !asked.contains($0) }) {
                throw PMError(.parse, "POST /batch-prices-history: the answer holds token \(stray), which was not requested")
            }
            for token in chunk {
                let points = (history[token] ?? []).filter { $0.timestampMs >= start && $0.timestampMs <= end }
                var seen = Set<Int64>()
                result[token] = points.filter { seen.insert($0.timestampMs).inserted }.sorted { $0.timestampMs < $1.timestampMs }
            }
        }
        return result
    }
}
