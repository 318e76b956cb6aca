/// Persists stream trades (`last_trade_price`) into the trade store, in batches (research use).
///
/// A stream print becomes a `PolymarketTrade` only when it carries what a trade row needs: a side
/// and a size. Prints without them are counted in `skipped`, never stored with made-up values.
/// Not thread-safe: one recorder per consuming thread.
public final class TradeRecorder {
    public let repository: TradeRepository
    public let batchSize: Int
    public let flushIntervalMs: Int64
    private let clock: any PMClock
    private var pending: [PolymarketTrade] = []
    private var lastFlushMs: Int64
    /// Trades written (new or already present).
    public private(set) var recorded = 0
    /// Prints that lacked a side or size.
    public private(set) var skipped = 0

    public init(database: Database, batchSize: Int = 500, flushIntervalMs: Int64 = 1_000, clock: any PMClock = SystemClock()) throws {
        guard batchSize > 0, flushIntervalMs >= 0 else { throw PMError(.invalidArgument, "batch size must be > 0, interval >= 0") }
        repository = TradeRepository(database)
        self.batchSize = batchSize
        self.flushIntervalMs = flushIntervalMs
        self.clock = clock
        lastFlushMs = clock.nowMilliseconds()
    }

    /// Buffers the event's trade (if it is one) and writes the batch when it is full or old enough.
    public func record(_ event: StreamEvent) throws {
        if case .lastTradePrice(let print) = event {
            if let side = print.side, let size = print.size,
               let trade = try? PolymarketTrade(tokenId: print.tokenId, conditionId: print.conditionId, side: side,
                                                price: print.price, size: size, timestampMs: print.timestampMs,
                                                transactionHash: print.transactionHash) {
                pending.append(trade)
            } else {
                skipped += 1
            }
        }
        if pending.count >= batchSize || (!pending.isEmpty && clock.nowMilliseconds() - lastFlushMs >= flushIntervalMs) {
            try flush()
        }
    }

    /// Writes what is buffered, in one transaction.
    public func flush() throws {
        lastFlushMs = clock.nowMilliseconds()
        guard !pending.isEmpty else { return }
        try repository.upsert(pending)
        recorded += pending.count
        pending.removeAll(keepingCapacity: true)
    }
}
