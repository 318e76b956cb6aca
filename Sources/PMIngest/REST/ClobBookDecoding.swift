/// CLOB `GET /book` and `POST /books` OrderBookSummary objects: decimal strings, ms timestamp as a
/// string, bids ascending / asks descending on the wire (polymarket-api.md §1.2, §1.2.1).
extension WireDecoding {
    public static func clobBook(_ value: JSONValue, what: String) throws -> OrderBook {
        if value.isNull { throw PMError(.bookInvalid, "\(what): the server sent null instead of an order book") }
        let object = try object(value, what: what)
        return try field(what) { () throws(JSONFieldError) -> OrderBook in
            OrderBook(
                tokenId: try object.requiredString("asset_id"),
                conditionId: try object.optionalString("market"),
                timestampMs: try object.optionalInt64("timestamp"),
                hash: try object.optionalString("hash"),
                bids: try levels(object, "bids"),
                asks: try levels(object, "asks"),
                tickSize: try object.optionalPrice("tick_size"),
                minOrderSize: try object.optionalSize("min_order_size"),
                negRisk: try object.optionalBool("neg_risk"),
                lastTradePrice: try object.optionalPrice("last_trade_price"))
        }
    }

    public static func clobBooks(_ value: JSONValue) throws -> [OrderBook] {
        try rows(value, what: "CLOB books").enumerated().compactMap { index, row in
            row.isNull ? nil : try clobBook(row, what: "CLOB books row \(index)")
        }
    }

    /// `null` or a missing array is an empty side (an empty book is then invalid for trading).
    private static func levels(_ object: JSONObject, _ key: String) throws(JSONFieldError) -> [OrderBookLevel] {
        guard let rows = try object.optionalArray(key) else { return [] }
        var levels: [OrderBookLevel] = []
        levels.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            guard let level = row.objectValue else {
                throw JSONFieldError(field: "\(key)[\(index)]", problem: .wrongType(expected: "object", found: row.kindName))
            }
            do {
                levels.append(OrderBookLevel(price: try level.requiredPrice("price"), size: try level.requiredSize("size")))
            } catch {
                throw error.nested(in: "\(key)[\(index)]")
            }
        }
        return levels
    }
}
