/// Order books kept locally from the market stream: snapshots (`book`), level deltas
/// (`price_change`) and tick-size changes, per asset. Safe to share between threads.
///
/// A book is trustworthy only between a snapshot and the next sign of lost continuity. It is
/// marked invalid — with the reason exposed — on reconnect, on queue overflow, on a parse
/// failure, or on a delta for an asset that has no snapshot yet; it becomes valid again with the
/// next snapshot. Best bid/ask are by value, never by position; levels of size 0 are not levels.
///
/// Books are keyed by each event's own asset id, so asking for token A never yields B's levels.
/// With `isTracked` (a stream's subscriptions: `StreamClient.isSubscribed`), events of any other
/// asset are ignored — they neither create nor alter a book — and a book whose token is no longer
/// tracked reads as invalid ("not subscribed"): its deltas no longer arrive.
public final class LocalOrderBooks: @unchecked Sendable {
    /// One asset's book as maintained here.
    public struct Snapshot: Sendable, Equatable {
        public let book: OrderBook
        public let isValid: Bool
        /// Why the book is not to be trusted, when it is not.
        public let invalidReason: String?
        public let tickSize: Price?
    }

    private struct Levels {
        var bids: [Int64: Int64] = [:]   // price micros → size micros
        var asks: [Int64: Int64] = [:]
        var conditionId: String?
        var timestampMs: Int64?
        var hash: String?
        var tickSize: Price?
        var invalidReason: String?
    }

    private let lock = Lock()
    private var books: [String: Levels] = [:]
    private let isTracked: (@Sendable (String) -> Bool)?

    /// - Parameter isTracked: which tokens to keep books for (nil: every asset an event names).
    ///   Called with the lock held: it must not call back into this object.
    public init(isTracked: (@Sendable (String) -> Bool)? = nil) {
        self.isTracked = isTracked
    }

    private func tracks(_ tokenId: String) -> Bool { isTracked?(tokenId) ?? true }

    /// Applies one stream event. Returns the asset ids whose book changed (never an untracked one).
    @discardableResult
    public func apply(_ event: StreamEvent) -> [String] {
        lock.withLock {
            switch event {
            case .book(let snapshot):
                guard tracks(snapshot.tokenId) else { return [] }
                var levels = books[snapshot.tokenId] ?? Levels()
                levels.bids = Dictionary(snapshot.bids.map { ($0.price.micros, $0.size.micros) }, uniquingKeysWith: { _, last in last })
                levels.asks = Dictionary(snapshot.asks.map { ($0.price.micros, $0.size.micros) }, uniquingKeysWith: { _, last in last })
                levels.conditionId = snapshot.conditionId ?? levels.conditionId
                levels.timestampMs = snapshot.timestampMs
                levels.hash = snapshot.hash
                levels.tickSize = snapshot.tickSize ?? levels.tickSize
                levels.invalidReason = nil
                books[snapshot.tokenId] = levels
                return [snapshot.tokenId]
            case .priceChange(let change):
                var touched: [String] = []
                for delta in change.changes where tracks(delta.tokenId) {
                    guard books[delta.tokenId] != nil else {
                        var fresh = Levels()
                        fresh.invalidReason = "level change before any snapshot"
                        books[delta.tokenId] = fresh
                        touched.append(delta.tokenId)
                        continue
                    }
                    let size = delta.size.micros > 0 ? delta.size.micros : nil   // size 0 deletes
                    // Mutated in place (optional chaining through the subscript): a copy taken
                    // out and stored back would copy the level dictionaries on every delta.
                    if delta.side == .buy {
                        books[delta.tokenId]?.bids[delta.price.micros] = size
                    } else {
                        books[delta.tokenId]?.asks[delta.price.micros] = size
                    }
                    books[delta.tokenId]?.timestampMs = change.timestampMs
                    if let hash = delta.hash { books[delta.tokenId]?.hash = hash }
                    touched.append(delta.tokenId)
                }
                return touched
            case .tickSizeChange(let tick):
                guard tracks(tick.tokenId) else { return [] }
                books[tick.tokenId, default: Levels()].tickSize = tick.newTickSize
                return [tick.tokenId]
            case .reconnected(let info):
                guard !info.tokenIds.isEmpty else { return invalidateAllLocked("continuity lost: \(info.reason)") }
                // One socket of the pool: only its assets lost continuity.
                var touched: [String] = []
                for id in info.tokenIds where books[id] != nil {
                    books[id]?.invalidReason = "continuity lost: \(info.reason)"
                    touched.append(id)
                }
                return touched
            case .lastTradePrice, .bestBidAsk, .newMarket, .marketResolved, .legacyPriceChange:
                return []
            }
        }
    }

    /// Marks every book invalid (queue overflow, parse failure, …) until its next snapshot.
    @discardableResult
    public func invalidateAll(reason: String) -> [String] {
        lock.withLock { invalidateAllLocked(reason) }
    }

    private func invalidateAllLocked(_ reason: String) -> [String] {
        for key in books.keys { books[key]?.invalidReason = reason }
        return Array(books.keys)
    }

    /// Why the book is not to be trusted now, or nil: its own reason, else "not subscribed".
    private func invalidReasonLocked(_ tokenId: String, _ levels: Levels) -> String? {
        if let reason = levels.invalidReason { return reason }
        return tracks(tokenId) ? nil : "not subscribed: token \(tokenId) no longer receives updates"
    }

    /// The asset's book, levels sorted best first, with its validity.
    public func snapshot(tokenId: String) -> Snapshot? {
        lock.withLock {
            guard let levels = books[tokenId] else { return nil }
            let reason = invalidReasonLocked(tokenId, levels)
            let book = OrderBook(
                tokenId: tokenId, conditionId: levels.conditionId, timestampMs: levels.timestampMs, hash: levels.hash,
                bids: levels.bids.map { OrderBookLevel(price: Price(micros: $0.key), size: Size(micros: $0.value)) },
                asks: levels.asks.map { OrderBookLevel(price: Price(micros: $0.key), size: Size(micros: $0.value)) },
                tickSize: levels.tickSize)
            return Snapshot(book: book, isValid: reason == nil, invalidReason: reason, tickSize: levels.tickSize)
        }
    }

    /// The highest bid by value, only while the book is valid.
    public func bestBid(tokenId: String) -> Price? {
        lock.withLock {
            guard let levels = books[tokenId], invalidReasonLocked(tokenId, levels) == nil else { return nil }
            return levels.bids.keys.max().map(Price.init(micros:))
        }
    }

    /// The lowest ask by value, only while the book is valid.
    public func bestAsk(tokenId: String) -> Price? {
        lock.withLock {
            guard let levels = books[tokenId], invalidReasonLocked(tokenId, levels) == nil else { return nil }
            return levels.asks.keys.min().map(Price.init(micros:))
        }
    }

    /// Compares the local book with a REST snapshot (`POST /books`); a mismatch of the best levels
    /// marks the local book invalid until the next snapshot. Returns true when they agree.
    @discardableResult
    public func check(against rest: OrderBook) -> Bool {
        guard let local = snapshot(tokenId: rest.tokenId), local.isValid else { return false }
        let agrees = local.book.bestBid == rest.bestBid && local.book.bestAsk == rest.bestAsk
        if !agrees {
            lock.withLock {
                books[rest.tokenId]?.invalidReason = "differs from REST book (local best bid "
                    + "\(local.book.bestBid?.price.description ?? "none"), REST \(rest.bestBid?.price.description ?? "none"))"
            }
        }
        return agrees
    }
}
