/// A snapshot of a `StreamClient`'s health (`StreamClient.health()`): its sockets, each asset's
/// freshness and continuity, and the counts that tell whether continuity was lost. Plain values:
/// taking one costs a lock per socket and a copy, nothing on the wire.
public struct StreamHealth: Sendable, Equatable {
    /// The pool's sockets, the primary (id 0) first.
    public var sockets: [SocketHealth]
    /// Every subscribed asset, in subscription order.
    public var assets: [AssetHealth]
    /// Successful re-connections of all sockets since the client was made.
    public var reconnects: Int
    /// Continuity gaps delivered to the consumer: `reconnected` events of every kind (socket
    /// reconnects, queue overflows, assets moved between sockets).
    public var gaps: Int
    /// Events waiting in the queue now.
    public var queueDepth: Int
    /// Their estimated bytes.
    public var queuedBytes: Int

    public init(sockets: [SocketHealth], assets: [AssetHealth], reconnects: Int, gaps: Int, queueDepth: Int,
                queuedBytes: Int) {
        self.sockets = sockets
        self.assets = assets
        self.reconnects = reconnects
        self.gaps = gaps
        self.queueDepth = queueDepth
        self.queuedBytes = queuedBytes
    }

    /// The assets whose last event is at least `olderThanMs` old, or that have had none yet.
    public func staleAssets(olderThanMs: Int64) -> [AssetHealth] {
        assets.filter { ($0.lastEventAgeMs ?? Int64.max) >= olderThanMs }
    }

    /// One line for a status display: "3/3 sockets open · 1 reconnect · 2 gaps · queue 0 · 1 of 600
    /// assets stale (no event for 30 s)".
    public func summary(staleAfterMs: Int64) -> String {
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        let open = sockets.filter { $0.state == .open }.count
        let stale = staleAssets(olderThanMs: staleAfterMs).count
        return "\(open)/\(sockets.count) sockets open · \(plural(reconnects, "reconnect")) · \(plural(gaps, "gap"))"
            + " · queue \(queueDepth) · \(stale) of \(assets.count) assets stale (no event for \(staleAfterMs / 1000) s)"
    }
}

/// One socket of the pool.
public struct SocketHealth: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        /// Not started yet (before `connect()`, or waiting for its staggered start).
        case idle
        /// Handshake under way.
        case connecting
        /// Open.
        case open
        /// Lost; waiting out the reconnect backoff.
        case backoff
        /// Closed for good.
        case closed
    }

    public var id: Int
    public var state: State
    /// How many assets are assigned to it.
    public var assetCount: Int
    /// Its successful re-connections.
    public var reconnects: Int
    /// Why it last lost its connection, if it did.
    public var lastLossReason: String?

    public init(id: Int, state: State, assetCount: Int, reconnects: Int, lastLossReason: String?) {
        self.id = id
        self.state = state
        self.assetCount = assetCount
        self.reconnects = reconnects
        self.lastLossReason = lastLossReason
    }
}

/// One subscribed asset.
public struct AssetHealth: Sendable, Equatable {
    public enum Continuity: String, Sendable, Equatable {
        /// Subscribed (or its socket reconnected, or it moved socket) and no `book` snapshot since:
        /// its local book cannot be trusted yet.
        case awaitingSnapshot
        /// A snapshot arrived on the current connection: deltas since then are continuous.
        case live
    }

    public var tokenId: String
    /// The socket it is assigned to.
    public var socket: Int
    /// Milliseconds since its last event on any connection; nil when none has arrived yet.
    public var lastEventAgeMs: Int64?
    public var continuity: Continuity

    public init(tokenId: String, socket: Int, lastEventAgeMs: Int64?, continuity: Continuity) {
        self.tokenId = tokenId
        self.socket = socket
        self.lastEventAgeMs = lastEventAgeMs
        self.continuity = continuity
    }
}
