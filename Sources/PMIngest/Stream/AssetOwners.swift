/// Which pool socket owns each asset, shared by the pool (writer) and its sockets (readers, on
/// their service threads), so that each asset's events reach the one consumer queue from one socket
/// only — in that socket's wire order — even while an asset moves between sockets or the server
/// sends a market's event to several of them (docs/wire/market-channel.md, "Capacity and the socket
/// pool"). An asset owned by no socket is not filtered (a single-socket stream behaves as before).
final class AssetOwners: @unchecked Sendable {
    static let primary = 0
    private let lock = Lock()
    private var owner: [String: Int] = [:]

    func set(_ ids: [String], socket: Int) {
        lock.withLock { for id in ids { owner[id] = socket } }
    }

    func remove(_ ids: [String], ifOwnedBy socket: Int? = nil) {
        lock.withLock {
            for id in ids where socket == nil || owner[id] == socket { owner[id] = nil }
        }
    }

    /// The events of `events` that socket `me` may deliver: per-asset events of assets it owns or
    /// no socket owns; `price_change` entries likewise (an event left with none is dropped);
    /// `new_market` from the primary only; `market_resolved` from a socket owning one of its
    /// assets, else (none owned) from the primary.
    func filter(_ events: [StreamEvent], socket me: Int) -> [StreamEvent] {
        guard !events.isEmpty else { return events }
        return lock.withLock {
            func mine(_ id: String) -> Bool {
                guard let o = owner[id] else { return true }
                return o == me
            }
            var out: [StreamEvent] = []
            out.reserveCapacity(events.count)
            for event in events {
                switch event {
                case .book(let book): if mine(book.tokenId) { out.append(event) }
                case .lastTradePrice(let trade): if mine(trade.tokenId) { out.append(event) }
                case .tickSizeChange(let tick): if mine(tick.tokenId) { out.append(event) }
                case .bestBidAsk(let top): if mine(top.tokenId) { out.append(event) }
                case .legacyPriceChange(let legacy): if mine(legacy.tokenId) { out.append(event) }
                case .priceChange(let change):
                    let kept = change.changes.filter { mine($0.tokenId) }
                    if kept.count == change.changes.count {
                        out.append(event)
                    } else if !kept.isEmpty {
                        out.append(.priceChange(PriceChangeEvent(conditionId: change.conditionId,
                                                                 timestampMs: change.timestampMs,
                                                                 changes: kept, schema: change.schema)))
                    }
                case .newMarket:
                    if me == Self.primary { out.append(event) }
                case .marketResolved(let resolved):
                    let owners = resolved.assetIds.compactMap { owner[$0] }
                    if owners.isEmpty ? me == Self.primary : owners.contains(me) { out.append(event) }
                case .reconnected:
                    out.append(event)
                }
            }
            return out
        }
    }
}
