/// What one queued event costs in memory, estimated cheaply and on the high side, so the stream
/// queue can be bounded by bytes as well as by count (a 20+20-level book holds far more than a
/// trade print, and a slow consumer must not let a few thousand big snapshots take gigabytes).
///
/// The estimate is the event's inline size plus the heap storage of its arrays and of strings too
/// long to live inline (Swift keeps up to 15 UTF-8 bytes inside the string itself). It is not the
/// allocator's exact figure — only a bound that grows with what the event really holds.
extension StreamEvent {
    var footprintBytes: Int {
        var bytes = MemoryLayout<StreamEvent?>.stride
        switch self {
        case .book(let book):
            bytes += Footprint.array(book.bids.count, of: OrderBookLevel.self)
                + Footprint.array(book.asks.count, of: OrderBookLevel.self)
                + Footprint.string(book.tokenId) + Footprint.string(book.conditionId) + Footprint.string(book.hash)
        case .priceChange(let change):
            bytes += Footprint.array(change.changes.count, of: LevelChange.self) + Footprint.string(change.conditionId)
            for level in change.changes { bytes += Footprint.string(level.tokenId) + Footprint.string(level.hash) }
        case .lastTradePrice(let trade):
            bytes += Footprint.string(trade.tokenId) + Footprint.string(trade.conditionId)
                + Footprint.string(trade.feeRateBps) + Footprint.string(trade.transactionHash)
        case .tickSizeChange(let tick):
            bytes += Footprint.string(tick.tokenId) + Footprint.string(tick.conditionId)
        case .bestBidAsk(let top):
            bytes += Footprint.string(top.tokenId) + Footprint.string(top.conditionId)
        case .newMarket(let market):
            bytes += Footprint.string(market.id) + Footprint.string(market.conditionId) + Footprint.string(market.question)
                + Footprint.string(market.slug) + Footprint.strings(market.assetIds) + Footprint.strings(market.outcomes)
        case .marketResolved(let resolved):
            bytes += Footprint.string(resolved.id) + Footprint.string(resolved.conditionId)
                + Footprint.strings(resolved.assetIds) + Footprint.string(resolved.winningAssetId)
                + Footprint.string(resolved.winningOutcome)
        case .legacyPriceChange(let legacy):
            bytes += Footprint.string(legacy.tokenId) + Footprint.string(legacy.conditionId)
        case .reconnected(let info):
            bytes += Footprint.string(info.reason) + Footprint.strings(info.tokenIds)
        }
        return bytes
    }
}

private enum Footprint {
    /// A heap object's header (isa + refcount) and a Swift array's count/capacity words.
    static let heapHeader = 32

    static func string(_ value: String?) -> Int {
        guard let count = value?.utf8.count, count > 15 else { return 0 }
        return heapHeader + count + 1
    }

    static func strings(_ values: [String]) -> Int {
        array(values.count, of: String.self) + values.reduce(0) { $0 + string($1) }
    }

    static func array<T>(_ count: Int, of _: T.Type) -> Int {
        count == 0 ? 0 : heapHeader + count * MemoryLayout<T>.stride
    }
}
