/// One logical market-channel stream over a pool of sockets (`WebSocketEngine`s), feeding one
/// `EventQueue` (docs/wire/market-channel.md, "Capacity and the socket pool").
///
/// - `AssetAssignment` decides which socket holds each asset (at most `maxAssetsPerConnection`
///   a socket; compacted on unsubscribe), `AssetOwners` makes every socket deliver only its own
///   assets' events, so each asset's events stay in wire order in the one queue.
/// - Socket 0, the primary, always exists: `connect()` opens it and waits for it; the others open
///   after it, `connectStaggerMs` apart (a burst of handshakes draws 429s), and a failed first
///   handshake of theirs is retried with backoff.
/// - Each socket reconnects on its own; its `reconnected` event names only its assets.
final class StreamPool: @unchecked Sendable {
    let config: StreamClientConfig
    let url: WebSocketURL
    let queue: EventQueue
    let owners = AssetOwners()
    /// Resolutions already delivered, by any socket or the Gamma poll: each market's once.
    let resolutionGate = ResolutionGate()
    let primary: WebSocketEngine
    private let lock = Lock()

    // MARK: guarded by `lock`
    private var assignment: AssetAssignment
    private var sockets: [Int: WebSocketEngine] = [:]
    private var started = false
    private var closed = false
    private var nextOpenAtMs: Int64 = 0
    private var retired = StreamStats()
    private var moveGaps = 0
    private var outsideEvents = 0

    init(config: StreamClientConfig, url: WebSocketURL) {
        self.config = config
        self.url = url
        queue = EventQueue(capacity: config.queueCapacity, maxBytes: config.queueMaxBytes,
                           pauses: config.overflowPolicy == .pause)
        assignment = AssetAssignment(capacity: config.maxAssetsPerConnection)
        primary = WebSocketEngine(config: config, url: url, queue: queue, owners: owners, socketID: AssetOwners.primary,
                                  resolutionGate: resolutionGate)
        sockets[AssetOwners.primary] = primary
        // Pause policy: a consumer that made room wakes the paused sockets' service threads.
        queue.setRoomHandler { [weak self] in self?.wakeSockets() }
    }

    private func wakeSockets() {
        let engines = lock.withLock { Array(sockets.values) }
        for engine in engines { engine.wakeService() }
    }

    private static func nowMs() -> Int64 { monotonicNanoseconds() / 1_000_000 }

    // MARK: connect

    /// Starts the primary socket (see `WebSocketEngine.start`).
    func start() throws(PMError) -> ConnectWaiter? {
        if lock.withLock({ closed }) { throw EventQueue.closedError }
        return try primary.start()
    }

    /// After the primary's first connection: opens every other socket, staggered.
    func startOthers() {
        lock.withLock {
            guard !closed, !started else { return }
            started = true
            nextOpenAtMs = Self.nowMs() + Int64(config.connectStaggerMs)
            for id in sockets.keys.sorted() where id != AssetOwners.primary {
                if let engine = sockets[id] { startLocked(engine) }
            }
        }
    }

    /// Lock held: starts an extra socket at the next free slot of the stagger.
    private func startLocked(_ engine: WebSocketEngine) {
        let now = Self.nowMs()
        let delay = max(0, nextOpenAtMs - now)
        nextOpenAtMs = now + delay + Int64(config.connectStaggerMs)
        do {
            _ = try engine.start(delayMs: Int(delay), retryFirstConnect: true)
        } catch {
            // Only a thread that cannot be created ends here: the socket stays idle (health shows it).
            PMLog.log(.error, "stream", "socket \(engine.socketID) not started: \(error.message)")
        }
    }

    // MARK: subscriptions

    func subscribe(_ ids: [String]) throws(PMError) {
        let clean = try WebSocketEngine.checkIds(ids)
        let refused: PMError? = lock.withLock {
            if closed { return EventQueue.closedError }
            let change = assignment.add(clean)
            for id in change.opened {
                sockets[id] = WebSocketEngine(config: config, url: url, queue: queue, owners: owners, socketID: id,
                                              resolutionGate: resolutionGate)
            }
            do throws(PMError) {
                for (id, added) in change.added.sorted(by: { $0.key < $1.key }) {
                    owners.set(added, socket: id)
                    try sockets[id]?.subscribe(added)
                }
            } catch {
                return error
            }
            if started {
                for id in change.opened { if let engine = sockets[id] { startLocked(engine) } }
            }
            return nil
        }
        if let refused { throw refused }
    }

    func unsubscribe(_ ids: [String]) throws(PMError) {
        let clean = try WebSocketEngine.checkIds(ids)
        let outcome: Result<[WebSocketEngine], PMError> = lock.withLock {
            if closed { return .failure(EventQueue.closedError) }
            let change = assignment.remove(clean)
            let closing = Set(change.closed)
            do throws(PMError) {
                for (id, gone) in change.removed {
                    owners.remove(gone, ifOwnedBy: id)
                    if !closing.contains(id) { try sockets[id]?.unsubscribe(gone) }
                }
                if !change.moved.isEmpty {
                    // Before the new sockets subscribe: the marker precedes their snapshots, and the
                    // old socket's late events for these assets are filtered from now on.
                    moveGaps += 1
                    queue.push([.reconnected(ReconnectInfo(reason: "moved to another socket of the pool",
                                                           attempt: 0, tokenIds: change.moved))])
                }
                for (id, added) in change.added.sorted(by: { $0.key < $1.key }) {
                    owners.set(added, socket: id)
                    try sockets[id]?.subscribe(added)
                }
            } catch {
                return .failure(error)
            }
            return .success(change.closed.compactMap { sockets.removeValue(forKey: $0) })
        }
        let retiring = try outcome.get()
        for engine in retiring { engine.requestStop() }
        for engine in retiring {
            engine.close(closeQueue: false)
            let final = engine.stats
            lock.withLock { Self.add(final, to: &retired) }
        }
    }

    var subscribedTokenIds: [String] { lock.withLock { assignment.order } }

    func isSubscribed(_ tokenId: String) -> Bool { lock.withLock { assignment.socket(of: tokenId) != nil } }

    /// The socket an asset is assigned to, or nil.
    func socket(of tokenId: String) -> Int? { lock.withLock { assignment.socket(of: tokenId) } }

    /// How many sockets the pool has now (the primary included).
    var socketCount: Int { lock.withLock { sockets.count } }

    // MARK: events from outside the sockets

    /// Enqueues events made outside the socket threads (e.g. a `market_resolved` confirmed by a
    /// metadata poll) into the one consumer queue, behind everything already queued, counted and
    /// bounded like frame events; resolutions pass the gate first. Returns how many were enqueued
    /// (0 once the queue is closed). Never blocks; any thread.
    @discardableResult
    func deliverFromOutside(_ events: [StreamEvent]) -> Int {
        let admitted = resolutionGate.admit(events)
        guard !admitted.isEmpty, !queue.isClosed else { return 0 }
        lock.withLock { outsideEvents += admitted.count }
        queue.push(admitted)
        return admitted.count
    }

    // MARK: state

    var isConnected: Bool { primary.isConnected }

    var stats: StreamStats {
        let (engines, past) = lock.withLock { (Array(sockets.values), retired) }
        var total = past
        total.events += lock.withLock { outsideEvents }
        for engine in engines { Self.add(engine.stats, to: &total) }
        total.droppedOnOverflow = queue.dropped
        total.queuedBytes = queue.queuedBytes
        total.queuedBytesPeak = queue.queuedBytesPeak
        return total
    }

    func health() -> StreamHealth {
        let now = Self.nowMs()
        let (engines, order, past, moves) = lock.withLock {
            (sockets.keys.sorted().compactMap { sockets[$0] }, assignment.order, retired, moveGaps)
        }
        var socketList: [SocketHealth] = []
        var byAsset: [String: AssetHealth] = [:]
        var reconnects = past.reconnects
        for engine in engines {
            let (socket, assets) = engine.health(nowMs: now)
            socketList.append(socket)
            reconnects += socket.reconnects
            byAsset.merge(assets) { first, _ in first }
        }
        return StreamHealth(sockets: socketList, assets: order.compactMap { byAsset[$0] }, reconnects: reconnects,
                            gaps: reconnects + moves + queue.overflowMarkers, queueDepth: queue.depth,
                            queuedBytes: queue.queuedBytes)
    }

    /// Stops every socket (their polite closes overlap), then closes the queue. Idempotent.
    func close() {
        let engines: [WebSocketEngine] = lock.withLock {
            closed = true
            return Array(sockets.values)
        }
        for engine in engines { engine.requestStop() }
        for engine in engines { engine.close(closeQueue: false) }
        queue.close()
    }

    func reapFailedStart() { primary.reapFailedStart() }

    private static func add(_ s: StreamStats, to total: inout StreamStats) {
        total.frames += s.frames
        total.events += s.events
        total.pings += s.pings
        total.pongs += s.pongs
        total.skippedUnknown += s.skippedUnknown
        total.skippedMalformed += s.skippedMalformed
        total.skippedOversize += s.skippedOversize
        total.skippedInvalidUTF8 += s.skippedInvalidUTF8
        total.skippedBinary += s.skippedBinary
        total.reconnects += s.reconnects
        total.pongTimeouts += s.pongTimeouts
        total.silentAssetTimeouts += s.silentAssetTimeouts
        total.pauses += s.pauses
        total.pauseTimeouts += s.pauseTimeouts
    }
}
