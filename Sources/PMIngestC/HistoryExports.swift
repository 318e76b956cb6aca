// pm_client_fetch_trade_history, pm_backfill_trades, pm_store_get_trade_coverage: the trade
// tape's history surface. Boxing only: the walk and the coverage logic are the core's.
import CPMIngest
import PMIngest

private func historyClient(_ pointer: OpaquePointer?) throws -> ClientHandle {
    guard let handle = Handle.get(pointer, as: ClientHandle.self) else { throw PMError(.invalidArgument, "client: must not be NULL") }
    return handle
}

private func historyStore(_ pointer: OpaquePointer?) throws -> StoreHandle {
    guard let handle = Handle.get(pointer, as: StoreHandle.self) else { throw PMError(.invalidArgument, "store: must not be NULL") }
    return handle
}

/// Reads `count` C strings (count 0: none; the pointer may then be NULL).
func stringArray(_ pointers: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int, _ name: String) throws -> [String] {
    guard count > 0 else {
        if count < 0 { throw PMError(.invalidArgument, "count: too large") }
        return []
    }
    let pointers = try requireArgument(pointers, name)
    return try (0..<count).map { try requiredString(pointers[$0], "\(name)[\($0)]") }
}

@c @implementation
public func pm_client_fetch_trade_history(_ client: OpaquePointer?, _ conditionId: UnsafePointer<CChar>?, _ sinceMs: Int64,
                                          _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try historyClient(client)
        let condition = try requiredString(conditionId, "condition_id")
        let since: Int64? = sinceMs < 0 ? nil : sinceMs
        let trades = try handle.run { try await handle.client.fetchTradeHistory(conditionId: condition, since: since) }
        out.pointee = Handle.retain(TradeList(trades))
    }
}

/// The C progress callback and its userdata, carried into the core's Sendable closure.
private struct ProgressCallback: @unchecked Sendable {
    let callback: pm_backfill_progress_cb
    let userdata: UnsafeMutableRawPointer?

    func call(_ progress: TradeBackfillProgress) {
        progress.conditionId.withCString { condition in
            callback(condition, progress.marketIndex, progress.marketCount, progress.pages, progress.trades,
                     progress.inserted, userdata)
        }
    }
}

@c @implementation
public func pm_backfill_trades(_ client: OpaquePointer?, _ store: OpaquePointer?,
                               _ conditionIds: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int, _ sinceMs: Int64,
                               _ progress: pm_backfill_progress_cb?, _ userdata: UnsafeMutableRawPointer?,
                               _ outPages: UnsafeMutablePointer<Int>?, _ outTrades: UnsafeMutablePointer<Int>?,
                               _ outInserted: UnsafeMutablePointer<Int>?) -> pm_status {
    withStatus {
        outPages?.pointee = 0
        outTrades?.pointee = 0
        outInserted?.pointee = 0
        let handle = try historyClient(client)
        let storeHandle = try historyStore(store)
        let conditions = try stringArray(conditionIds, count, "condition_ids")
        let backfill = try TradeBackfill(client: handle.client, database: storeHandle.database,
                                         since: sinceMs < 0 ? nil : sinceMs)
        var onProgress: (@Sendable (TradeBackfillProgress) -> Void)?
        if let progress {
            let callback = ProgressCallback(callback: progress, userdata: userdata)
            onProgress = { callback.call($0) }
        }
        let requested: [String]? = conditions.isEmpty ? nil : conditions
        let report = try handle.run { [onProgress] in try await backfill.run(conditionIds: requested, onProgress: onProgress) }
        outPages?.pointee = report.pages
        outTrades?.pointee = report.trades
        outInserted?.pointee = report.inserted
    }
}

@c @implementation
public func pm_store_get_trade_coverage(_ store: OpaquePointer?, _ conditionId: UnsafePointer<CChar>?,
                                        _ outFound: UnsafeMutablePointer<Bool>?, _ outOldestMs: UnsafeMutablePointer<Int64>?,
                                        _ outNewestMs: UnsafeMutablePointer<Int64>?) -> pm_status {
    withStatus {
        let outFound = try requireArgument(outFound, "out_found")
        outFound.pointee = false
        outOldestMs?.pointee = 0
        outNewestMs?.pointee = 0
        let handle = try historyStore(store)
        let condition = try requiredString(conditionId, "condition_id")
        if let coverage = try TradeCoverageRepository(handle.database).get(conditionId: condition) {
            outFound.pointee = true
            outOldestMs?.pointee = coverage.oldestMs
            outNewestMs?.pointee = coverage.newestMs
        }
    }
}
