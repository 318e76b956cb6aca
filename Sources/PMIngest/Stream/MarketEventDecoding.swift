/// Decoders from market-channel event objects (docs/wire/market-channel.md) to `StreamEvent`s, over a
/// `FrameTape`. Each throws a `JSONFieldError` naming the field when a required field is missing
/// or malformed; the parser then skips that event only.
extension FrameTape {
    /// What one event object decodes to.
    enum DecodedEvent {
        case event(StreamEvent)
        /// A well-formed event of a type this parser does not know (dropped, counted).
        case unknown(String)
        /// A known event with missing or malformed fields, or an object without a type.
        case malformed(String)
    }

    func decodeEvent(_ object: Int, receivedAtMs: Int64? = nil) -> DecodedEvent {
        guard let type = member(object, "event_type").flatMap({ token($0)?.kind == .null ? nil : $0 })
            ?? member(object, "type")
        else { return .malformed("event without \"event_type\"") }
        guard token(type)?.kind == .string else {
            return .malformed("\"event_type\" is a \(kindName(type)), not a string")
        }
        do {
            if stringEquals(type, "price_change") { return .event(try priceChange(object, receivedAtMs: receivedAtMs)) }
            if stringEquals(type, "last_trade_price") { return .event(.lastTradePrice(try lastTrade(object))) }
            if stringEquals(type, "book") { return .event(.book(try book(object))) }
            if stringEquals(type, "best_bid_ask") { return .event(.bestBidAsk(try bestBidAsk(object))) }
            if stringEquals(type, "tick_size_change") { return .event(.tickSizeChange(try tickSizeChange(object))) }
            if stringEquals(type, "new_market") { return .event(.newMarket(try newMarket(object))) }
            if stringEquals(type, "market_resolved") { return .event(.marketResolved(try marketResolved(object))) }
        } catch {
            return .malformed("\(string(type) ?? "?"): \(error)")
        }
        return .unknown(DecimalError.excerpt(string(type) ?? ""))
    }

    /// `book`: levels in any order (OrderBook sorts them best first); a missing or null side is empty.
    func book(_ object: Int) throws(JSONFieldError) -> OrderBook {
        OrderBook(
            tokenId: try requiredTokenID(object, "asset_id"),
            conditionId: try optionalString(object, "market"),
            timestampMs: try optionalInt64(object, "timestamp"),
            hash: try optionalString(object, "hash"),
            bids: try levels(object, "bids"),
            asks: try levels(object, "asks"),
            tickSize: try optionalPrice(object, "tick_size"),
            minOrderSize: try optionalSize(object, "min_order_size"),
            negRisk: try optionalBool(object, "neg_risk"),
            lastTradePrice: try optionalPrice(object, "last_trade_price"))
    }

    private func levels(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> [OrderBookLevel] {
        guard let rows = try optionalArray(object, key) else { return [] }
        var levels: [OrderBookLevel] = []
        levels.reserveCapacity(rows.count)
        for (position, row) in rows.enumerated() {
            levels.append(try element(row, "\(fieldName(key))[\(position)]") { (row) throws(JSONFieldError) in
                OrderBookLevel(price: try requiredPrice(row, "price"), size: try requiredSize(row, "size"))
            })
        }
        return levels
    }

    /// Decodes the array element `index`, which must be an object; errors name `path`
    /// ("price_changes[1].size").
    private func element<T>(_ index: Int, _ path: @autoclosure () -> String,
                            _ decode: (Int) throws(JSONFieldError) -> T) throws(JSONFieldError) -> T {
        guard token(index)?.kind == .object else {
            throw JSONFieldError(field: path(), problem: .wrongType(expected: "object", found: kindName(index)))
        }
        do {
            return try decode(index)
        } catch {
            throw error.nested(in: path())
        }
    }

    /// `price_change` in its three forms:
    /// - `price_changes[]` (current) → `.priceChange`;
    /// - `asset_id` + `changes[]` (before 2025-09-15) → `.priceChange` with `.legacyChanges`;
    /// - `asset_id` + `price` (the brief's simplified form) → `.legacyPriceChange`.
    func priceChange(_ object: Int, receivedAtMs: Int64? = nil) throws(JSONFieldError) -> StreamEvent {
        if let entries = try optionalArray(object, "price_changes") {
            let timestampMs = try requiredInt64(object, "timestamp")
            let conditionId = try optionalString(object, "market")
            var changes: [LevelChange] = []
            changes.reserveCapacity(entries.count)
            for (position, entry) in entries.enumerated() {
                changes.append(try element(entry, "price_changes[\(position)]") { (entry) throws(JSONFieldError) in
                    LevelChange(
                        tokenId: try requiredTokenID(entry, "asset_id"),
                        side: try requiredSide(entry, "side"),
                        price: try requiredPrice(entry, "price"),
                        size: try requiredSize(entry, "size"),
                        bestBid: try optionalPrice(entry, "best_bid"),
                        bestAsk: try optionalPrice(entry, "best_ask"),
                        hash: try optionalString(entry, "hash"))
                })
            }
            return .priceChange(PriceChangeEvent(conditionId: conditionId, timestampMs: timestampMs, changes: changes))
        }
        if let entries = try optionalArray(object, "changes") {
            let tokenId = try requiredTokenID(object, "asset_id")
            let timestampMs = try requiredInt64(object, "timestamp")
            let conditionId = try optionalString(object, "market")
            let hash = try optionalString(object, "hash")
            var changes: [LevelChange] = []
            changes.reserveCapacity(entries.count)
            for (position, entry) in entries.enumerated() {
                changes.append(try element(entry, "changes[\(position)]") { (entry) throws(JSONFieldError) in
                    LevelChange(
                        tokenId: tokenId,
                        side: try requiredSide(entry, "side"),
                        price: try requiredPrice(entry, "price"),
                        size: try requiredSize(entry, "size"),
                        hash: hash)
                })
            }
            return .priceChange(PriceChangeEvent(conditionId: conditionId, timestampMs: timestampMs, changes: changes,
                                                 schema: .legacyChanges))
        }
        if member(object, "price") != nil {
            return .legacyPriceChange(LegacyPriceChangeEvent(
                tokenId: try requiredTokenID(object, "asset_id"),
                price: try requiredPrice(object, "price"),
                timestampMs: try optionalInt64(object, "timestamp"),
                conditionId: try optionalString(object, "market"),
                receivedAtMs: receivedAtMs))
        }
        throw JSONFieldError(field: "price_changes", problem: .missing)
    }

    func lastTrade(_ object: Int) throws(JSONFieldError) -> LastTradeEvent {
        LastTradeEvent(
            tokenId: try requiredTokenID(object, "asset_id"),
            conditionId: try optionalString(object, "market"),
            price: try requiredPrice(object, "price"),
            size: try optionalSize(object, "size"),
            side: try optionalSide(object, "side"),
            feeRateBps: try optionalIdentifier(object, "fee_rate_bps"),
            timestampMs: try requiredInt64(object, "timestamp"),
            transactionHash: try optionalString(object, "transaction_hash"))
    }

    func tickSizeChange(_ object: Int) throws(JSONFieldError) -> TickSizeChangeEvent {
        TickSizeChangeEvent(
            tokenId: try requiredTokenID(object, "asset_id"),
            conditionId: try optionalString(object, "market"),
            oldTickSize: try optionalPrice(object, "old_tick_size"),
            newTickSize: try requiredPrice(object, "new_tick_size"),
            timestampMs: try requiredInt64(object, "timestamp"))
    }

    func bestBidAsk(_ object: Int) throws(JSONFieldError) -> BestBidAskEvent {
        BestBidAskEvent(
            tokenId: try requiredTokenID(object, "asset_id"),
            conditionId: try optionalString(object, "market"),
            bestBid: try optionalPrice(object, "best_bid"),
            bestAsk: try optionalPrice(object, "best_ask"),
            spread: try optionalPrice(object, "spread"),
            timestampMs: try requiredInt64(object, "timestamp"))
    }

    func newMarket(_ object: Int) throws(JSONFieldError) -> NewMarketEvent {
        let conditionId = try optionalString(object, "condition_id")
        let market = try optionalString(object, "market")
        guard let conditionId = conditionId ?? market else { throw missing("condition_id") }
        let assetsIds = try optionalTokenIDArray(object, "assets_ids")
        let clobTokenIds = try optionalTokenIDArray(object, "clob_token_ids")
        guard let assetIds = assetsIds ?? clobTokenIds else { throw missing("assets_ids") }
        return NewMarketEvent(
            id: try optionalIdentifier(object, "id"),
            conditionId: conditionId,
            question: try optionalString(object, "question"),
            slug: try optionalString(object, "slug"),
            assetIds: assetIds,
            outcomes: try optionalStringArray(object, "outcomes") ?? [],
            tickSize: try optionalPrice(object, "order_price_min_tick_size"),
            active: try optionalBool(object, "active"),
            timestampMs: try optionalInt64(object, "timestamp"))
    }

    func marketResolved(_ object: Int) throws(JSONFieldError) -> MarketResolvedEvent {
        let market = try optionalString(object, "market")
        let conditionIdField = try optionalString(object, "condition_id")
        guard let conditionId = market ?? conditionIdField else { throw missing("market") }
        return MarketResolvedEvent(
            id: try optionalIdentifier(object, "id"),
            conditionId: conditionId,
            assetIds: try optionalTokenIDArray(object, "assets_ids") ?? [],
            winningAssetId: try requiredTokenID(object, "winning_asset_id"),
            winningOutcome: try optionalString(object, "winning_outcome"),
            timestampMs: try optionalInt64(object, "timestamp"))
    }
}
