/// Price-history bodies (docs/wire/data-api.md): the Data API's v2 pages
/// `{"data":[{"timestamp":<s>,"price":<number>,"resolution_seconds":<s>}],"pagination":{…}}` and
/// the CLOB's batch answer `{"history":{"<asset id>":[{"t":<s>,"p":<number>}]}}`. Prices are JSON
/// numbers rounded half-even to 1e-6 from their literal digits, never through Double.
extension WireDecoding {
    public static func priceHistoryPage(_ body: JSONValue, tokenId: String,
                                        what: String = "GET /v2/prices-history") throws -> PriceHistoryPage {
        let envelope = try object(body, what: what)
        let (rows, hasMore, cursor) = try field(what) { () throws(JSONFieldError) -> ([JSONValue], Bool, String?) in
            let rows = try envelope.optionalArray("data") ?? []
            let pagination = try envelope.optionalObject("pagination")
            return (rows, try pagination?.optionalBool("has_more") ?? false,
                    FieldCheck.nonEmpty(try pagination?.optionalString("next_cursor")))
        }
        let points = try rows.enumerated().map { index, row -> PricePoint in
            let rowWhat = "\(what) row \(index)"
            let object = try object(row, what: rowWhat)
            let (seconds, price, resolution) = try field(rowWhat) { () throws(JSONFieldError) -> (Int64, Price, Int64?) in
                (try object.requiredInt64("timestamp"), try object.requiredPrice("price"),
                 try object.optionalInt64("resolution_seconds"))
            }
            return try point(tokenId: tokenId, seconds: seconds, price: price, resolution: resolution, what: rowWhat)
        }
        return PriceHistoryPage(points: points, hasMore: hasMore, nextCursor: cursor)
    }

    public static func batchPriceHistory(_ body: JSONValue, what: String = "POST /batch-prices-history") throws -> [String: [PricePoint]] {
        let envelope = try object(body, what: what)
        let history = try field(what) { () throws(JSONFieldError) -> JSONObject in try envelope.requiredObject("history") }
        var result: [String: [PricePoint]] = [:]
        for member in history.members {
            let token = member.key
            guard FieldCheck.isTokenID(token.utf8) else {
                throw PMError(.parse, "\(what): history key: \(FieldCheck.tokenIDProblem(token))")
            }
            let rows = try self.rows(member.value, what: "\(what) history[\(token)]")
            result[token] = try rows.enumerated().map { index, row in
                let rowWhat = "\(what) history[\(token)] row \(index)"
                let object = try object(row, what: rowWhat)
                let (seconds, price) = try field(rowWhat) { () throws(JSONFieldError) -> (Int64, Price) in
                    (try object.requiredInt64("t"), try object.requiredPrice("p"))
                }
                return try point(tokenId: token, seconds: seconds, price: price, resolution: nil, what: rowWhat)
            }
        }
        return result
    }

    private static func point(tokenId: String, seconds: Int64, price: Price, resolution: Int64?, what: String) throws -> PricePoint {
        let ms = try EpochSeconds.milliseconds(seconds, what: what)
        do {
            return try PricePoint(tokenId: tokenId, timestampMs: ms, price: price, resolutionSeconds: resolution)
        } catch let error as PMError {
            throw PMError(.parse, "\(what): \(error.message)")
        }
    }
}

/// One page of a v2 price history, oldest first.
public struct PriceHistoryPage: Sendable, Equatable {
    public let points: [PricePoint]
    public let hasMore: Bool
    public let nextCursor: String?
}
