// pm_store_*: the storage layer through the C ABI. No logic here: argument checks, conversion of
// input structs to core models, and status mapping.
import CPMIngest
import PMIngest

private func store(_ pointer: OpaquePointer?) throws -> StoreHandle {
    guard let handle = Handle.get(pointer, as: StoreHandle.self) else {
        throw PMError(.invalidArgument, "store: must not be NULL")
    }
    return handle
}

@c @implementation
public func pm_store_options_init(_ opts: UnsafeMutablePointer<pm_store_options>?, _ version: UInt32) -> pm_status {
    withStatus {
        let opts = try requireArgument(opts, "opts")
        guard version == UInt32(PM_STORE_OPTIONS_VERSION) else {
            throw PMError(.invalidArgument, "opts: unknown pm_store_options version \(version) (this library knows \(PM_STORE_OPTIONS_VERSION))")
        }
        opts.pointee = pm_store_options(version: version, busy_timeout_ms: DatabaseConfig.defaultBusyTimeoutMilliseconds)
    }
}

@c @implementation
public func pm_store_open(_ path: UnsafePointer<CChar>?, _ opts: UnsafePointer<pm_store_options>?,
                          _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let path = try requiredString(path, "path")
        var config = DatabaseConfig(path: path)
        if let opts {
            guard opts.pointee.version >= 1 else {
                throw PMError(.invalidArgument, "opts: version must be >= 1 (use PM_STORE_OPTIONS_INIT)")
            }
            config.busyTimeoutMilliseconds = opts.pointee.busy_timeout_ms
        }
        out.pointee = Handle.retain(StoreHandle(try Database(config)))
    }
}

@c @implementation
public func pm_store_free(_ store: OpaquePointer?) {
    if let handle = Handle.get(store, as: StoreHandle.self) { handle.database.close() }
    Handle.release(store)
}

// MARK: trades

private func trade(from input: pm_trade_input, index: Int?) throws -> PolymarketTrade {
    let prefix = index.map { "row \($0): " } ?? ""
    do {
        guard input.version >= 1 else { throw PMError(.invalidArgument, "version must be >= 1 (use PM_TRADE_INPUT_INIT)") }
        let sideText = try requiredString(input.side, "side")
        guard let side = TradeSide(wire: sideText) else {
            throw PMError(.invalidArgument, "side: must be \"BUY\" or \"SELL\", got \"\(sideText)\"")
        }
        let priceText = try requiredString(input.price, "price")
        let sizeText = try requiredString(input.size, "size")
        let price: Price, size: Size
        do { price = try Price(priceText) } catch { throw PMError.decimal(error, field: "price") }
        do { size = try Size(sizeText) } catch { throw PMError.decimal(error, field: "size") }
        return try PolymarketTrade(
            tokenId: try requiredString(input.token_id, "token_id"),
            conditionId: try optionalString(input.condition_id, "condition_id"),
            side: side, price: price, size: size, timestampMs: input.timestamp_ms,
            transactionHash: try optionalString(input.transaction_hash, "transaction_hash"),
            proxyWallet: try optionalString(input.proxy_wallet, "proxy_wallet"),
            outcome: try optionalString(input.outcome, "outcome"))
    } catch let error as PMError {
        throw PMError(error.kind, prefix + error.message)
    }
}

@c @implementation
public func pm_store_upsert_trade(_ store: OpaquePointer?, _ input: UnsafePointer<pm_trade_input>?,
                                  _ outInserted: UnsafeMutablePointer<Int32>?) -> pm_status {
    withStatus {
        let handle = try PMIngestC.store(store)
        let input = try requireArgument(input, "trade")
        let inserted = try handle.trades.upsert(try trade(from: input.pointee, index: nil))
        outInserted?.pointee = inserted ? 1 : 0
    }
}

@c @implementation
public func pm_store_upsert_trades(_ store: OpaquePointer?, _ inputs: UnsafePointer<pm_trade_input>?, _ count: Int,
                                   _ outInserted: UnsafeMutablePointer<Int>?) -> pm_status {
    withStatus {
        let handle = try PMIngestC.store(store)
        outInserted?.pointee = 0
        if count == 0 { return }
        let inputs = try requireArgument(inputs, "trades")
        guard count > 0 else { throw PMError(.invalidArgument, "count: too large") }
        // Validate every row before writing anything: a bad row fails the batch untouched.
        var trades: [PolymarketTrade] = []
        trades.reserveCapacity(count)
        for index in 0..<count { trades.append(try trade(from: inputs[index], index: index)) }
        // The work first, then the report: `out?.pointee = try work()` skips the work itself when
        // the caller passed NULL (Swift evaluates nothing right of `?.` for a nil optional).
        let inserted = try handle.trades.upsert(trades)
        outInserted?.pointee = inserted
    }
}

@c @implementation
public func pm_store_query_trades(_ store: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?, _ fromMs: Int64,
                                  _ toMs: Int64, _ limit: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try PMIngestC.store(store)
        let token = try requiredString(tokenId, "token_id")
        // size_t arrives as Int: a value above Int.max shows up negative and means "no limit" too.
        let trades = try handle.trades.trades(tokenId: token, fromMs: fromMs, toMs: toMs, limit: limit > 0 ? limit : nil)
        out.pointee = Handle.retain(TradeList(trades))
    }
}

@c @implementation
public func pm_store_count_trades(_ store: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?,
                                  _ outCount: UnsafeMutablePointer<Int64>?) -> pm_status {
    withStatus {
        let out = try requireArgument(outCount, "out_count")
        let handle = try PMIngestC.store(store)
        out.pointee = Int64(try handle.trades.count(tokenId: try optionalString(tokenId, "token_id")))
    }
}

@c @implementation
public func pm_trades_count(_ trades: OpaquePointer?) -> Int {
    Handle.get(trades, as: TradeList.self)?.records.count ?? 0
}

@c @implementation
public func pm_trades_at(_ trades: OpaquePointer?, _ index: Int) -> OpaquePointer? {
    guard let list = Handle.get(trades, as: TradeList.self), index >= 0, index < list.records.count else { return nil }
    return Handle.borrow(list.records[index])
}

@c @implementation
public func pm_trades_free(_ trades: OpaquePointer?) { Handle.release(trades) }

private func trade(_ pointer: OpaquePointer?) -> TradeRecord? { Handle.get(pointer, as: TradeRecord.self) }

@c @implementation
public func pm_trade_id(_ t: OpaquePointer?) -> UnsafePointer<CChar>? { trade(t)?.id.borrowed ?? emptyCString }
@c @implementation
public func pm_trade_token_id(_ t: OpaquePointer?) -> UnsafePointer<CChar>? { trade(t)?.tokenId.borrowed ?? emptyCString }
@c @implementation
public func pm_trade_condition_id(_ t: OpaquePointer?) -> UnsafePointer<CChar>? { trade(t)?.conditionId.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_trade_side(_ t: OpaquePointer?) -> UnsafePointer<CChar>? { trade(t)?.side.borrowed ?? emptyCString }
@c @implementation
public func pm_trade_price(_ t: OpaquePointer?) -> UnsafePointer<CChar>? { trade(t)?.price.borrowed ?? emptyCString }
@c @implementation
public func pm_trade_price_micros(_ t: OpaquePointer?) -> Int64 { trade(t)?.trade.price.micros ?? 0 }
@c @implementation
public func pm_trade_size(_ t: OpaquePointer?) -> UnsafePointer<CChar>? { trade(t)?.size.borrowed ?? emptyCString }
@c @implementation
public func pm_trade_size_micros(_ t: OpaquePointer?) -> Int64 { trade(t)?.trade.size.micros ?? 0 }
@c @implementation
public func pm_trade_timestamp_ms(_ t: OpaquePointer?) -> Int64 { trade(t)?.trade.timestampMs ?? 0 }
@c @implementation
public func pm_trade_transaction_hash(_ t: OpaquePointer?) -> UnsafePointer<CChar>? { trade(t)?.transactionHash.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_trade_proxy_wallet(_ t: OpaquePointer?) -> UnsafePointer<CChar>? { trade(t)?.proxyWallet.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_trade_outcome(_ t: OpaquePointer?) -> UnsafePointer<CChar>? { trade(t)?.outcome.borrowedOrEmpty ?? emptyCString }

// MARK: watermarks

@c @implementation
public func pm_store_get_watermark(_ store: OpaquePointer?, _ conditionId: UnsafePointer<CChar>?,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try PMIngestC.store(store)
        let condition = try requiredString(conditionId, "condition_id")
        if let watermark = try handle.watermarks.get(conditionId: condition) {
            out.pointee = Handle.retain(WatermarkRecord(watermark))
        }
    }
}

@c @implementation
public func pm_store_update_watermark(_ store: OpaquePointer?, _ conditionId: UnsafePointer<CChar>?, _ lastTradeMs: Int64,
                                      _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        out?.pointee = nil
        let handle = try PMIngestC.store(store)
        let condition = try requiredString(conditionId, "condition_id")
        let watermark = try handle.watermarks.update(conditionId: condition, lastTradeTimestampMs: lastTradeMs)
        out?.pointee = Handle.retain(WatermarkRecord(watermark))
    }
}

private func watermark(_ pointer: OpaquePointer?) -> WatermarkRecord? { Handle.get(pointer, as: WatermarkRecord.self) }

@c @implementation
public func pm_watermark_condition_id(_ w: OpaquePointer?) -> UnsafePointer<CChar>? { watermark(w)?.conditionId.borrowed ?? emptyCString }
@c @implementation
public func pm_watermark_last_trade_ms(_ w: OpaquePointer?) -> Int64 { watermark(w)?.watermark.lastTradeTimestampMs ?? 0 }
@c @implementation
public func pm_watermark_updated_at_ms(_ w: OpaquePointer?) -> Int64 { watermark(w)?.watermark.updatedAtMs ?? 0 }
@c @implementation
public func pm_watermark_free(_ w: OpaquePointer?) { Handle.release(w) }

// MARK: token metadata

private func tokenMeta(from input: pm_token_meta_input) throws -> PolymarketTokenMeta {
    guard input.version >= 1 else { throw PMError(.invalidArgument, "version must be >= 1 (use PM_TOKEN_META_INPUT_INIT)") }
    var tickSize: Price?
    var minOrderSize: Size?
    if let text = try optionalString(input.tick_size, "tick_size") {
        do { tickSize = try Price.optional(text) } catch { throw PMError.decimal(error, field: "tick_size") }
    }
    if let text = try optionalString(input.min_order_size, "min_order_size") {
        do { minOrderSize = try Size.optional(text) } catch { throw PMError.decimal(error, field: "min_order_size") }
    }
    return PolymarketTokenMeta(
        tokenId: try requiredString(input.token_id, "token_id"),
        conditionId: try requiredString(input.condition_id, "condition_id"),
        question: try optionalString(input.question, "question"),
        outcome: try optionalString(input.outcome, "outcome"),
        outcomeIndex: input.outcome_index >= 0 ? Int(input.outcome_index) : nil,
        tickSize: tickSize, minOrderSize: minOrderSize, negRisk: input.neg_risk, active: input.active,
        closed: input.closed, endDateMs: input.end_date_ms > 0 ? input.end_date_ms : nil,
        marketSlug: try optionalString(input.market_slug, "market_slug"),
        protocolVersion: try protocolVersion(input.version >= 2 ? input.protocol_version : nil))
}

/// Version 2's protocol_version: NULL/"" unknown, "v1"/"v2", anything else refused.
private func protocolVersion(_ pointer: UnsafePointer<CChar>?) throws -> MarketProtocolVersion? {
    guard let text = try optionalString(pointer, "protocol_version"), !text.isEmpty else { return nil }
    guard let version = MarketProtocolVersion(rawValue: text) else {
        throw PMError(.invalidArgument, "protocol_version: must be \"v1\", \"v2\", NULL or \"\", got \"\(text)\"")
    }
    return version
}

/// The caller's pm_token_meta_input: a version 1 struct ends before protocol_version (its bytes
/// past that are not the caller's), so only its fields are read.
private func tokenMetaInput(_ pointer: UnsafePointer<pm_token_meta_input>) throws -> pm_token_meta_input {
    var defaults = pm_token_meta_input()
    defaults.outcome_index = -1
    return VersionedOptions.read(pointer, newVersion: 2, olderBytes: try VersionedOptions.bytes(before: \pm_token_meta_input.protocol_version),
                                 defaults: defaults)
}

@c @implementation
public func pm_store_upsert_token_meta(_ store: OpaquePointer?, _ meta: UnsafePointer<pm_token_meta_input>?,
                                       _ outChange: UnsafeMutablePointer<pm_change>?) -> pm_status {
    withStatus {
        let handle = try PMIngestC.store(store)
        let input = try requireArgument(meta, "meta")
        let change = try handle.tokenMetas.upsert(try tokenMeta(from: try tokenMetaInput(input)))
        switch change {
        case .inserted: outChange?.pointee = PM_CHANGE_INSERTED
        case .updated: outChange?.pointee = PM_CHANGE_UPDATED
        case .unchanged: outChange?.pointee = PM_CHANGE_UNCHANGED
        }
    }
}

@c @implementation
public func pm_store_get_token_meta(_ store: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?,
                                    _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try PMIngestC.store(store)
        let token = try requiredString(tokenId, "token_id")
        if let meta = try handle.tokenMetas.get(tokenId: token) {
            out.pointee = Handle.retain(TokenMetaRecord(meta))
        }
    }
}

@c @implementation
public func pm_store_list_token_metas(_ store: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try PMIngestC.store(store)
        out.pointee = Handle.retain(TokenMetaList(try handle.tokenMetas.list()))
    }
}

@c @implementation
public func pm_token_meta_free(_ meta: OpaquePointer?) {
    // Only records the caller owns: a borrowed list element is not a TokenMetaRecord handle it may free,
    // but both are the same class, so the header's rule ("only records from pm_store_get_token_meta")
    // is what keeps this sound.
    Handle.release(meta)
}

@c @implementation
public func pm_token_metas_count(_ metas: OpaquePointer?) -> Int {
    Handle.get(metas, as: TokenMetaList.self)?.records.count ?? 0
}

@c @implementation
public func pm_token_metas_at(_ metas: OpaquePointer?, _ index: Int) -> OpaquePointer? {
    guard let list = Handle.get(metas, as: TokenMetaList.self), index >= 0, index < list.records.count else { return nil }
    return Handle.borrow(list.records[index])
}

@c @implementation
public func pm_token_metas_free(_ metas: OpaquePointer?) { Handle.release(metas) }

private func meta(_ pointer: OpaquePointer?) -> TokenMetaRecord? { Handle.get(pointer, as: TokenMetaRecord.self) }

@c @implementation
public func pm_token_meta_token_id(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { meta(m)?.tokenId.borrowed ?? emptyCString }
@c @implementation
public func pm_token_meta_condition_id(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { meta(m)?.conditionId.borrowed ?? emptyCString }
@c @implementation
public func pm_token_meta_question(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { meta(m)?.question.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_token_meta_outcome(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { meta(m)?.outcome.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_token_meta_outcome_index(_ m: OpaquePointer?) -> Int32 { meta(m)?.meta.outcomeIndex.map { Int32(clamping: $0) } ?? -1 }
@c @implementation
public func pm_token_meta_tick_size(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { meta(m)?.tickSize.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_token_meta_min_order_size(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { meta(m)?.minOrderSize.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_token_meta_neg_risk(_ m: OpaquePointer?) -> Bool { meta(m)?.meta.negRisk ?? false }
@c @implementation
public func pm_token_meta_active(_ m: OpaquePointer?) -> Bool { meta(m)?.meta.active ?? false }
@c @implementation
public func pm_token_meta_closed(_ m: OpaquePointer?) -> Bool { meta(m)?.meta.closed ?? false }
@c @implementation
public func pm_token_meta_end_date_ms(_ m: OpaquePointer?) -> Int64 { meta(m)?.meta.endDateMs ?? 0 }
@c @implementation
public func pm_token_meta_market_slug(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { meta(m)?.marketSlug.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_token_meta_updated_at_ms(_ m: OpaquePointer?) -> Int64 { meta(m)?.meta.updatedAtMs ?? 0 }
