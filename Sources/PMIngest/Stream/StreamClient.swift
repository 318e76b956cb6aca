/// A client of the Polymarket market channel (`wss://ws-subscriptions-clob.polymarket.com/ws/market`,
/// docs/wire/market-channel.md) that keeps itself connected and turns frames into typed `StreamEvent`s.
///
///     let client = try StreamClient(config: StreamClientConfig())
///     try client.subscribe(tokenIds: [yes, no])       // before or after connect
///     try await client.connectAsync()                  // or the blocking `connect()`
///     for await event in client.events { … }           // or `next(timeoutMs:)` from C/Python
///     client.close()
///
/// **A pool of sockets.** One logical stream: the assets are spread over as many sockets as needed
/// (`maxAssetsPerConnection` each, default 200; the server closes a socket holding more than about
/// 500), opened `connectStaggerMs` apart, with subscription frames of at most
/// `subscriptionChunkSize` assets. Unsubscribing compacts the pool (an asset that moves socket gets
/// a gap marker naming it, then a fresh snapshot). Every socket feeds the one queue, and each asset's
/// events come from its own socket only, so they stay in wire order. `health()` shows each socket
/// and each asset's freshness.
///
/// **Threads.** libwebsockets runs on a library-owned pthread ("pmingest-ws") per socket; every frame is
/// parsed there (`MarketChannelParser`) and its events go into a bounded queue. Consumers pull:
/// `next(timeoutMs:)` blocks the calling thread only (for C and Python), `events` suspends a Swift
/// task (never blocking the cooperative pool). Use one of the two; several consumers share one
/// queue, each event going to exactly one of them. All methods are thread-safe.
///
/// **Heartbeat and recovery.** The text `PING` goes out every `pingIntervalMs`; `PONG` refreshes the
/// heartbeat. No PONG within `pongTimeoutMs`, a subscribed asset silent for
/// `assetSilenceTimeoutMs` while the connection looks alive (the feed's known silent stall), or a
/// drop by the server → the socket is closed first, then a new connection is made after a backoff
/// (`reconnectBaseMs` → `reconnectMaxMs`, ×`reconnectMultiplier`, full jitter), every wanted asset is
/// resubscribed, and `StreamEvent.reconnected` is delivered before any event of the new connection,
/// naming that socket's assets (`ReconnectInfo.tokenIds`): **their continuity is lost, distrust
/// their local books until their next `book` snapshot.** Other sockets are not affected. No `PING`
/// goes out on a connection before its initial subscription (the server closes such a socket).
///
/// **Bad frames.** Oversize (after reassembly), invalid UTF-8, binary and non-JSON frames and
/// unknown event types are counted in `stats` and skipped; the connection survives them.
///
/// **Overflow.** The queue holds `queueCapacity` events. When it is full the OLDEST event is
/// dropped (`stats.droppedOnOverflow` counts them), and the consumer's next event is a gap
/// marker, `StreamEvent.reconnected(ReconnectInfo(reason: "queue overflow: N events dropped",
/// attempt: 0))` — the same "continuity lost" signal as a reconnect, with attempt 0 meaning the
/// gap was local and no `tokenIds` meaning every asset. The service thread never waits for a consumer.
/// With `overflowPolicy = .pause` nothing is dropped instead: a socket whose events fill the queue
/// stops being read until the consumer has taken half of it (`StreamOverflowPolicy.pause`).
public final class StreamClient: @unchecked Sendable {
    public let config: StreamClientConfig
    let pool: StreamPool
    /// The Gamma poll of `watchResolutions`, if any.
    let resolutionWatch = ResolutionWatchSlot()

    /// Validates the configuration (`.invalidArgument`); starts nothing.
    public init(config: StreamClientConfig) throws(PMError) {
        let url = try config.validated()
        self.config = config
        pool = StreamPool(config: config, url: url)
    }

    public convenience init(url: String) throws(PMError) {
        try self.init(config: StreamClientConfig(url: url))
    }

    deinit {
        resolutionWatch.replace(with: nil)
        pool.close()
    }

    /// Starts the service thread and returns once the first (primary) socket is open; the pool's
    /// other sockets then open in the background, staggered. Throws `.network`
    /// (refused, handshake rejected, TLS verification failed, …), `.timeout` (after
    /// `connectTimeoutMs`), or `.cancelled` (after `close()`). A failed connect leaves no thread
    /// behind and may be retried; once connected, later drops are handled by reconnecting and a
    /// second `connect()` returns at once. Blocks the calling thread: from Swift concurrency
    /// prefer `connectAsync()`.
    public func connect() throws(PMError) {
        guard let waiter = try pool.start() else { return }
        let result = waiter.wait(timeoutMs: config.connectTimeoutMs + 10_000)
        try finishConnect(result)
    }

    /// As `connect()`, suspending the task instead of blocking the thread. (A separate name, not an
    /// async overload of `connect()`: an overload would capture every `try client.connect()` written
    /// inside async code and turn it into a compile error.)
    public func connectAsync() async throws(PMError) {
        guard let waiter = try pool.start() else { return }
        let result = await waiter.value()
        try finishConnect(result)
    }

    private func finishConnect(_ result: Result<Void, PMError>?) throws(PMError) {
        switch result {
        case .success?:
            pool.startOthers()
            return
        case .failure(let error)?:
            pool.reapFailedStart()
            throw error
        case nil:
            // The service thread enforces connectTimeoutMs itself; this is only a safety net.
            pool.close()
            throw PMError(.timeout, "WebSocket connect did not finish within \(config.connectTimeoutMs) ms")
        }
    }

    /// Adds assets (token ids), each to the first socket with room (a new socket when none has).
    /// The first subscription of a connection is sent as
    /// `{"assets_ids":[…],"type":"market","initial_dump":true,"custom_feature_enabled":true}`;
    /// later additions on an open socket as `{"assets_ids":[…],"operation":"subscribe",…}`, in
    /// frames of at most `subscriptionChunkSize` assets. Ids already subscribed are ignored (an asset
    /// is never named twice on a socket). Never blocks: the messages are written by the service
    /// threads (before connect, they go out with the first connections). Every reconnect resubscribes
    /// the socket's whole set. Throws `.invalidArgument` (empty list, or an id that is not 1...78
    /// decimal digits) or `.cancelled` (after `close()`).
    public func subscribe(tokenIds: [String]) throws(PMError) {
        try pool.subscribe(tokenIds)
    }

    /// Removes assets; on an open socket sends `{"assets_ids":[…],"operation":"unsubscribe",…}`.
    /// Ids not subscribed are ignored. Then compacts the pool: a socket left empty (other than the
    /// first) is closed — this call waits for its polite close, at most a few hundred ms — and when
    /// the assets fit on fewer sockets the least-filled one's assets move to the others.
    public func unsubscribe(tokenIds: [String]) throws(PMError) {
        try pool.unsubscribe(tokenIds)
    }

    /// The wanted assets, in subscription order.
    public var subscribedTokenIds: [String] { pool.subscribedTokenIds }

    /// Whether `tokenId` is subscribed now (cheap: for filtering each event, e.g.
    /// `LocalOrderBooks(isTracked: client.isSubscribed)`).
    public func isSubscribed(_ tokenId: String) -> Bool { pool.isSubscribed(tokenId) }

    /// The health of the stream now: each socket's state, each asset's last-event age and
    /// continuity, reconnect and gap counts, queue depth. Cheap; any thread.
    public func health() -> StreamHealth { pool.health() }

    /// Enqueues events produced outside the sockets (e.g. a `market_resolved` confirmed by a
    /// metadata poll) behind everything already queued, for the same consumers. Never blocks.
    @discardableResult
    func enqueue(_ events: [StreamEvent]) -> Int { pool.deliverFromOutside(events) }

    /// The next event, blocking the calling thread up to `timeoutMs` (0: just look; negative:
    /// without limit). Returns nil on timeout. Throws `.cancelled` once `close()` has run (a
    /// consumer blocked here wakes at once).
    public func next(timeoutMs: Int) throws(PMError) -> StreamEvent? {
        do {
            return try pool.queue.next(timeoutMs: timeoutMs)
        } catch let error as PMError {
            throw error
        } catch {
            throw PMError(.internal, "\(error)")
        }
    }

    /// Up to `max` events at once (a backlog in one lock round trip), blocking the calling thread
    /// up to `timeoutMs` for the first (as `next`). Returns [] on timeout (or `max` < 1). Throws
    /// `.cancelled` once `close()` has run.
    public func nextBatch(max: Int, timeoutMs: Int) throws(PMError) -> [StreamEvent] {
        do {
            return try pool.queue.nextBatch(max: max, timeoutMs: timeoutMs)
        } catch let error as PMError {
            throw error
        } catch {
            throw PMError(.internal, "\(error)")
        }
    }

    /// The events as an async sequence for Swift. Iteration ends when the client is closed or the
    /// iterating task is cancelled.
    public var events: StreamEvents { StreamEvents(queue: pool.queue) }

    /// Stops everything: a polite close frame (bounded wait), the context destroyed, the service
    /// thread joined, consumers woken (`next` throws `.cancelled`, `events` ends). Idempotent and
    /// safe from any thread; no thread or file descriptor is left behind.
    public func close() {
        resolutionWatch.replace(with: nil)
        pool.close()
    }

    /// True while the primary socket is open (false during its reconnect backoff and after close).
    public var isConnected: Bool { pool.isConnected }

    /// A snapshot of the counters, summed over the pool's sockets (closed ones included).
    public var stats: StreamStats { pool.stats }
}

/// `StreamClient.events`: an async sequence over the client's queue.
public struct StreamEvents: AsyncSequence, Sendable {
    public typealias Element = StreamEvent
    public typealias Failure = Never

    let queue: EventQueue

    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Element = StreamEvent
        public typealias Failure = Never

        let queue: EventQueue

        public mutating func next() async -> StreamEvent? {
            guard let event = try? await queue.nextAsync() else { return nil }
            return event
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> StreamEvent? {
            guard let event = try? await queue.nextAsync() else { return nil }
            return event
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: queue) }
}
