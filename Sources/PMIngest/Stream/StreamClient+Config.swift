/// Settings of a `StreamClient`. Defaults follow the real feed (docs/wire/market-channel.md): PING
/// every 10 s, PONG within 30 s, reconnect backoff 1 s → 60 s (×2, full jitter), 200 assets a socket
/// opened 250 ms apart, subscription frames of at most 100 assets.
public struct StreamClientConfig: Sendable, Equatable {
    /// The market channel: `ws://` or `wss://` (TLS through libwebsockets' OpenSSL client).
    public var url: String
    /// How often the text `PING` is sent.
    public var pingIntervalMs: Int = 10_000
    /// No `PONG` for this long (since the last PONG, or since the connection opened) → the
    /// connection is declared dead: closed, then re-established. Must exceed `pingIntervalMs`.
    public var pongTimeoutMs: Int = 30_000
    /// The per-asset staleness watchdog: a subscribed asset that has delivered no event for this
    /// long (counted from its subscription on the current connection) while the connection
    /// otherwise looks alive is the feed's known silent stall → close, reconnect, resubscribe.
    /// 0 turns the watchdog off. Caution: a genuinely quiet market trips it too (its snapshot on
    /// resubscribe then resets the clock), so keep it well above the quietest asset's event gap.
    public var assetSilenceTimeoutMs: Int = 120_000
    /// Reconnect backoff: attempt n waits a uniformly random time in
    /// `0 ... min(reconnectMaxMs, reconnectBaseMs × reconnectMultiplier^(n-1))` ("full jitter").
    /// The attempt count restarts once a connection proves healthy (a PONG or an event arrives).
    public var reconnectBaseMs: Int = 1_000
    public var reconnectMaxMs: Int = 60_000
    public var reconnectMultiplier: Int = 2
    /// Bound on one connection attempt (TCP + TLS + WebSocket handshake). The initial `connect()`
    /// throws `.timeout` when it is exceeded; later attempts just count as failed.
    public var connectTimeoutMs: Int = 10_000
    /// Cap on one reassembled message (all fragments); larger messages are skipped and counted
    /// (`StreamStats.skippedOversize`), and the connection stays up.
    public var maxMessageBytes: Int = 8 << 20
    /// Events held for the consumer, at most. When full, the OLDEST event is dropped and a gap
    /// marker is delivered (see `StreamClient`, "Overflow"). Storage grows with use, so a large
    /// value costs nothing until a slow consumer needs it.
    public var queueCapacity: Int = 10_000
    /// Estimated memory of the held events, at most (`queueCapacity` bounds their number, this
    /// their size: a 20+20-level book weighs about five trade prints, a deep book far more). Over
    /// it, the oldest events are dropped as on a full queue; the newest event is always kept.
    /// Default 64 MiB: some 60,000 20+20-level books, far more than a consumer that keeps up holds.
    public var queueMaxBytes: Int = StreamClientConfig.defaultQueueMaxBytes

    /// What a full queue does (by count or by bytes): drop the oldest events (the default; gap
    /// marker, count, books invalidated) or pause reading the socket until the consumer catches up
    /// (nothing is lost; see `StreamOverflowPolicy`).
    public var overflowPolicy: StreamOverflowPolicy = .dropOldest
    /// With `.pause`: how long a socket may stay paused before it counts as a lost connection
    /// (closed, reconnected, a `reconnected` gap marker: the consumer fell that far behind).
    /// 0 = no limit. Default 60 s. Ignored with `.dropOldest`.
    public var maxPausedMs: Int = 60_000

    public static let defaultQueueMaxBytes = 64 << 20
    /// Above a million events the count bound stops meaning anything: the byte bound decides.
    public static let maxQueueCapacity = 1_000_000
    public static let queueMaxBytesRange = (64 << 10)...(16 << 30)
    /// Verify the server certificate chain and host name on `wss://`. Turn off only for tests.
    public var verifyTLS: Bool = true
    /// Sent as `custom_feature_enabled` (needed for `best_bid_ask`, `new_market`, `market_resolved`).
    public var customFeatures: Bool = true
    /// Sent as `initial_dump` in the initial subscribe message (book snapshots on subscribe).
    public var initialDump: Bool = true
    /// The pool: at most this many assets on one socket (1...500; the server closes a socket holding
    /// more than about 500). More assets open more sockets.
    public var maxAssetsPerConnection: Int = 200
    /// Consecutive socket openings of the pool are at least this far apart (0...60000): a burst of
    /// handshakes draws HTTP 429.
    public var connectStaggerMs: Int = 250
    /// At most this many assets in one subscribe/unsubscribe frame (1...500): a frame naming
    /// thousands gets the socket closed.
    public var subscriptionChunkSize: Int = 100

    /// The most assets one socket may be given (`maxAssetsPerConnection`'s upper bound).
    public static let maxAssetsPerConnectionLimit = 500

    public init(url: String = "wss://ws-subscriptions-clob.polymarket.com/ws/market") {
        self.url = url
    }

    /// Refuses values that would make the client misbehave (`.invalidArgument`).
    func validated() throws(PMError) -> WebSocketURL {
        let parsed = try WebSocketURL(url)
        func check(_ ok: Bool, _ what: String) throws(PMError) {
            if !ok { throw PMError(.invalidArgument, "StreamClientConfig: \(what)") }
        }
        let day = 86_400_000
        try check((1...day).contains(pingIntervalMs), "pingIntervalMs must be 1...\(day)")
        try check((1...day).contains(pongTimeoutMs), "pongTimeoutMs must be 1...\(day)")
        // The PONG deadline runs from the last PONG: it must leave room for the next PING's answer.
        try check(pongTimeoutMs > pingIntervalMs, "pongTimeoutMs must exceed pingIntervalMs")
        try check((0...day).contains(assetSilenceTimeoutMs), "assetSilenceTimeoutMs must be 0...\(day) (0 = off)")
        try check((1...day).contains(reconnectBaseMs), "reconnectBaseMs must be 1...\(day)")
        try check((reconnectBaseMs...day).contains(reconnectMaxMs), "reconnectMaxMs must be reconnectBaseMs...\(day)")
        try check((1...1_000).contains(reconnectMultiplier), "reconnectMultiplier must be 1...1000")
        try check((1...day).contains(connectTimeoutMs), "connectTimeoutMs must be 1...\(day)")
        try check((16...(1 << 30)).contains(maxMessageBytes), "maxMessageBytes must be 16...2^30")
        try check((1...Self.maxQueueCapacity).contains(queueCapacity), "queueCapacity must be 1...\(Self.maxQueueCapacity)")
        try check((1...Self.maxAssetsPerConnectionLimit).contains(maxAssetsPerConnection),
                  "maxAssetsPerConnection must be 1...\(Self.maxAssetsPerConnectionLimit)")
        try check((0...60_000).contains(connectStaggerMs), "connectStaggerMs must be 0...60000")
        try check((1...Self.maxAssetsPerConnectionLimit).contains(subscriptionChunkSize),
                  "subscriptionChunkSize must be 1...\(Self.maxAssetsPerConnectionLimit)")
        try check(Self.queueMaxBytesRange.contains(queueMaxBytes),
                  "queueMaxBytes must be \(Self.queueMaxBytesRange.lowerBound)...\(Self.queueMaxBytesRange.upperBound)")
        try check((0...day).contains(maxPausedMs), "maxPausedMs must be 0...\(day) (0 = no limit)")
        return parsed
    }
}

/// What the stream does when its queue is full (`StreamClientConfig.overflowPolicy`).
public enum StreamOverflowPolicy: Sendable, Equatable {
    /// Drop the OLDEST queued events, count them and deliver a gap marker (`StreamEvent.reconnected`
    /// with attempt 0) before the survivors. The socket is always read at wire speed: right for
    /// trading, where a stale event is worth less than a fresh one.
    case dropOldest
    /// Stop reading the socket (TCP flow control pushes back on the server) until the consumer has
    /// taken half the queue, then read on. Nothing is dropped, no gap marker; PINGs keep going out
    /// and the PONG deadline is suspended while paused (the PONGs wait, unread, behind the data).
    /// A socket paused longer than `maxPausedMs` is closed and reconnected like a lost one. For
    /// recorders and research scripts that must see every event.
    case pause
}

/// Counters of a `StreamClient` since it was made (a snapshot; every counter only grows).
public struct StreamStats: Sendable, Equatable {
    /// Complete messages received (all fragments reassembled), of every kind, PONGs included.
    public var frames: Int = 0
    /// Events decoded and handed to the queue (gap markers and `reconnected` not included).
    public var events: Int = 0
    /// `PING`s sent and `PONG`s received.
    public var pings: Int = 0
    public var pongs: Int = 0
    /// Well-formed events of an unknown `event_type` (dropped; new types do appear).
    public var skippedUnknown: Int = 0
    /// Frames or array elements that are not usable JSON events (counted by the parser).
    public var skippedMalformed: Int = 0
    /// Messages over `maxMessageBytes`.
    public var skippedOversize: Int = 0
    /// Text messages that are not valid UTF-8.
    public var skippedInvalidUTF8: Int = 0
    /// Binary messages (the market channel is text only).
    public var skippedBinary: Int = 0
    /// Successful re-connections (each one also enqueued a `reconnected` event).
    public var reconnects: Int = 0
    /// Connections declared dead by the heartbeat (no PONG in time).
    public var pongTimeouts: Int = 0
    /// Connections declared dead by the per-asset staleness watchdog.
    public var silentAssetTimeouts: Int = 0
    /// Events dropped because the queue was full, by count or by bytes (the oldest go first).
    public var droppedOnOverflow: Int = 0
    /// Pause policy: how often a socket stopped reading because the queue was full, and how often
    /// one stayed paused past `maxPausedMs` and was reconnected.
    public var pauses: Int = 0
    public var pauseTimeouts: Int = 0
    /// Not counters but levels: the estimated bytes of the events waiting now, and the most the
    /// queue has held at once (never above `queueMaxBytes`, but for a single oversized event).
    public var queuedBytes: Int = 0
    public var queuedBytesPeak: Int = 0

    public init() {}
}
