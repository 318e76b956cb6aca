@_spi(PMIngestTools) import PMIngest

/// Stream events as one JSON object each (the `--json` NDJSON lines of `stream` and `record`).
/// Prices and sizes are decimal strings, times milliseconds since the epoch; absent fields are left
/// out. Every object has "type": the event's wire name ("reconnected" for the client's own event).
extension Output {
    static func eventJSON(_ event: StreamEvent) -> JSONValue {
        var o = Fields(type: event.eventType)
        switch event {
        case .book(let book):
            if case .object(let b) = bookJSON(book) { o.members += b.members }
        case .priceChange(let e):
            o.add("condition_id", e.conditionId)
            o.add("timestamp_ms", e.timestampMs)
            o.members.append(.init(key: "changes", value: .array(e.changes.map { c in
                var f = Fields()
                f.add("token_id", c.tokenId); f.add("side", c.side.rawValue)
                f.add("price", c.price.description); f.add("size", c.size.description)
                f.add("best_bid", c.bestBid?.description); f.add("best_ask", c.bestAsk?.description)
                f.add("hash", c.hash)
                return f.value
            })))
        case .lastTradePrice(let e):
            o.add("token_id", e.tokenId); o.add("condition_id", e.conditionId)
            o.add("side", e.side?.rawValue); o.add("price", e.price.description); o.add("size", e.size?.description)
            o.add("fee_rate_bps", e.feeRateBps); o.add("timestamp_ms", e.timestampMs)
            o.add("transaction_hash", e.transactionHash)
        case .tickSizeChange(let e):
            o.add("token_id", e.tokenId); o.add("condition_id", e.conditionId)
            o.add("old_tick_size", e.oldTickSize?.description); o.add("new_tick_size", e.newTickSize.description)
            o.add("timestamp_ms", e.timestampMs)
        case .bestBidAsk(let e):
            o.add("token_id", e.tokenId); o.add("condition_id", e.conditionId)
            o.add("best_bid", e.bestBid?.description); o.add("best_ask", e.bestAsk?.description)
            o.add("spread", e.spread?.description); o.add("timestamp_ms", e.timestampMs)
        case .newMarket(let e):
            o.add("id", e.id); o.add("condition_id", e.conditionId); o.add("question", e.question)
            o.add("slug", e.slug); o.add("asset_ids", e.assetIds); o.add("outcomes", e.outcomes)
            o.add("tick_size", e.tickSize?.description)
            if let active = e.active { o.members.append(.init(key: "active", value: .bool(active))) }
            o.add("timestamp_ms", e.timestampMs)
        case .marketResolved(let e):
            o.add("id", e.id); o.add("condition_id", e.conditionId); o.add("asset_ids", e.assetIds)
            o.add("winning_asset_id", e.winningAssetId); o.add("winning_outcome", e.winningOutcome)
            o.add("timestamp_ms", e.timestampMs)
        case .legacyPriceChange(let e):
            o.add("token_id", e.tokenId); o.add("condition_id", e.conditionId)
            o.add("price", e.price.description); o.add("timestamp_ms", e.effectiveTimestampMs)
        case .reconnected(let e):
            o.add("reason", e.reason); o.add("attempt", Int64(e.attempt)); o.add("token_ids", e.tokenIds)
        }
        return o.value
    }

    /// A price update after the G3 size back-fill (`stream --json`, type "sized_price_update").
    static func processedJSON(_ p: ProcessedEvent) -> JSONValue {
        var o = Fields(type: "sized_price_update")
        o.add("token_id", p.update.tokenId); o.add("condition_id", p.update.conditionId)
        o.add("price", p.update.price.description); o.add("size", p.size?.description)
        let source: String
        switch p.sizeSource {
        case .stream: source = "stream"
        case .restBackfill: source = "rest_backfill"
        case .none: source = "unknown"
        }
        o.add("size_source", source)
        o.members.append(.init(key: "passed_size_filter", value: .bool(p.passedSizeFilter)))
        o.add("timestamp_ms", p.update.timestampMs)
        return o.value
    }

    /// An object built field by field; nil values are left out.
    struct Fields {
        var members: [JSONObject.Member] = []

        init() {}
        init(type: String) { add("type", type) }

        mutating func add(_ key: String, _ value: String?) {
            if let value { members.append(.init(key: key, value: .string(value))) }
        }

        mutating func add(_ key: String, _ value: Int64?) {
            if let value { members.append(.init(key: key, value: .number(JSONNumber(value)))) }
        }

        mutating func add(_ key: String, _ values: [String]) {
            members.append(.init(key: key, value: .array(values.map(JSONValue.string))))
        }

        var value: JSONValue { .object(JSONObject(members)) }
    }
}
