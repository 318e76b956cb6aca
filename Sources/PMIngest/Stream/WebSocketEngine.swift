import CLibWebSockets
#if canImport(Glibc)
import Glibc
#endif

/// libwebsockets logs NOTICE lines to stderr by default. lws logging is process-global: route it
/// into pmingest's log (subsystem "lws"), once: never to the host's stderr.
private let lwsLogRouting: Void = {
    lws_set_log_level(LLL_ERR | LLL_WARN) { level, line in
        guard let line else { return }
        var text = String(cString: line)
        while text.last == "\n" { text.removeLast() }
        PMLog.log(level & Int32(LLL_ERR) != 0 ? .error : .warning, "lws", text)
    }
}()

/// The protocol callback: state comes from the context user pointer (the engine, kept alive by
/// the service thread's reference), because a C callback cannot capture.
private func lwsProtocolCallback(_ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                                 _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let owner = lws_context_user(context) else { return 0 }
    let engine = Unmanaged<WebSocketEngine>.fromOpaque(owner).takeUnretainedValue()
    return engine.handle(wsi, reason, input, length)
}

/// The wake-up timer does nothing itself: it only makes `lws_service` return in time for `tick`.
private func lwsWakeCallback(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {}

/// One market-channel WebSocket connection, kept alive on its own pthread.
///
/// Threads: libwebsockets is single-threaded, so the context, the
/// connection and every lws call live on the service thread, which creates the context, connects,
/// services, reconnects and finally destroys the context. Other threads only change the locked
/// shared state (stop flag, wanted assets) and call `lws_cancel_service` — under the lock, so the
/// context cannot be destroyed under them — which makes `lws_service` return so that `tick` sees
/// the change. Timing (PING, PONG deadline, silence watchdog, reconnect backoff, connect timeout)
/// is done by `tick` after every `lws_service` return, against the monotonic clock; a one-shot lws
/// timer (`lws_sul_schedule`) is set to the next deadline because `lws_service`'s own timeout
/// argument is ignored.
///
/// Dead connections are closed first (`lws_set_timeout(…, LWS_TO_KILL_SYNC)` outside any
/// callback), and only then is a new one started: there is never more than one socket per engine.
///
/// One engine is one socket of a `StreamPool` (`socketID`, 0 = the primary): the pool decides its
/// assets, every engine pushes into the pool's one queue, and `owners` keeps each asset's events
/// coming from the socket it is assigned to (docs/wire/market-channel.md).
final class WebSocketEngine: @unchecked Sendable {
    let config: StreamClientConfig
    let url: WebSocketURL
    let queue: EventQueue
    let socketID: Int
    private let owners: AssetOwners
    /// Resolutions already delivered by the pool, by any socket or the Gamma poll (shared).
    private let resolutionGate: ResolutionGate
    private let parser = MarketChannelParser()
    private let wallClock = SystemClock()
    private let lock = Lock()

    // MARK: Shared state, guarded by `lock`
    private var closed = false
    private var running = false
    private var stopRequested = false
    private var thread: pthread_t?
    private var context: OpaquePointer?
    private var wanted: [String] = []
    private var wantedSet: Set<String> = []
    private var wantedVersion = 0
    private var connected = false
    private var counters = StreamStats()
    private var waiter: ConnectWaiter?
    private var socketState: SocketHealth.State = .idle
    private var lastLoss: String?
    /// Per asset: its last event (monotonic ms) and whether a snapshot came since (re)subscription.
    private var assetSeen: [String: (lastMs: Int64?, live: Bool)] = [:]
    /// Start options of the service thread (set by `start`).
    private var startDelayMs = 0
    private var retryFirstConnect = false

    // MARK: Service thread only
    private enum Link: Equatable {
        case idle
        case connecting(deadline: Int64)
        case open
        case down(retryAt: Int64)
    }
    private var link: Link = .idle
    private var exiting = false
    private var generation = 0
    private var currentWsi: OpaquePointer?
    private var everConnected = false
    private var attempt = 0
    private var connectTimedOut = false
    private var killReason: String?
    private var peerCloseReason: String?
    private var lossReason = "connection lost"
    private var lastPongAt: Int64 = 0
    private var nextPingAt: Int64 = 0
    private var pingDue = false
    private var sentAssets: [String] = []
    private var sentSet: Set<String> = []
    private var syncedVersion = -1
    private var initialSent = false
    private var lastDataAt: [String: Int64] = [:]
    private var silenceCheckAt = Int64.max
    /// Pause policy: reading is stopped (`lws_rx_flow_control`) since `pausedSince` (monotonic ms).
    private var paused = false
    private var pausedSince: Int64 = 0
    private var rx: [UInt8] = []
    private var rxOversize = false
    private var rxBinary = false
    private var writeBuffer: UnsafeMutablePointer<UInt8>?
    private var writeCapacity = 0

    // MARK: C memory that must outlive every context
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private let wake: UnsafeMutablePointer<lws_sorted_usec_list_t>
    private let cProtocolName: UnsafeMutablePointer<CChar>?
    private let cHost: UnsafeMutablePointer<CChar>?
    private let cHostHeader: UnsafeMutablePointer<CChar>?
    private let cPath: UnsafeMutablePointer<CChar>?

    static let rxBufferSize = 65_536
    /// How long `close()` waits for the server to answer a polite close frame.
    static let closeGraceMs: Int64 = 300

    init(config: StreamClientConfig, url: WebSocketURL, queue: EventQueue, owners: AssetOwners, socketID: Int,
         resolutionGate: ResolutionGate) {
        self.config = config
        self.resolutionGate = resolutionGate
        self.url = url
        self.queue = queue
        self.owners = owners
        self.socketID = socketID
        cProtocolName = strdup("pmingest-market")
        cHost = strdup(url.host)
        cHostHeader = strdup(url.hostHeader)
        cPath = strdup(url.path)
        protocols = .allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = UnsafePointer(cProtocolName)
        protocols[0].callback = lwsProtocolCallback
        protocols[0].per_session_data_size = 0
        protocols[0].rx_buffer_size = Self.rxBufferSize
        wake = .allocate(capacity: 1)
        wake.initialize(to: lws_sorted_usec_list_t())
    }

    deinit {
        protocols.deinitialize(count: 2)
        protocols.deallocate()
        wake.deinitialize(count: 1)
        wake.deallocate()
        free(cProtocolName)
        free(cHost)
        free(cHostHeader)
        free(cPath)
        writeBuffer?.deallocate()
    }

    // MARK: - API for any thread

    var isConnected: Bool { lock.withLock { connected } }

    var stats: StreamStats {
        var snapshot = lock.withLock { counters }
        snapshot.droppedOnOverflow = queue.dropped
        snapshot.queuedBytes = queue.queuedBytes
        snapshot.queuedBytesPeak = queue.queuedBytesPeak
        return snapshot
    }

    var subscribedTokenIds: [String] { lock.withLock { wanted } }

    /// This socket's health, and its assets' (ages measured at `nowMs`, monotonic).
    func health(nowMs: Int64) -> (socket: SocketHealth, assets: [String: AssetHealth]) {
        lock.withLock {
            let socket = SocketHealth(id: socketID, state: socketState, assetCount: wanted.count,
                                      reconnects: counters.reconnects, lastLossReason: lastLoss)
            var assets: [String: AssetHealth] = [:]
            for id in wanted {
                let seen = assetSeen[id]
                let age = seen?.lastMs.map { max(0, nowMs - $0) }
                assets[id] = AssetHealth(tokenId: id, socket: socketID, lastEventAgeMs: age,
                                         continuity: seen?.live == true ? .live : .awaitingSnapshot)
            }
            return (socket, assets)
        }
    }

    /// Makes the service thread run `tick` soon (the pool: the queue has room for a paused socket).
    func wakeService() {
        lock.withLock { if let context { lws_cancel_service(context) } }
    }

    func isSubscribed(_ tokenId: String) -> Bool { lock.withLock { wantedSet.contains(tokenId) } }

    /// Starts the service thread and its first connection (after `delayMs`: the pool staggers its
    /// sockets). Returns nil when a thread is already running (connect is idempotent), else the
    /// waiter that the first connection resolves. With `retryFirstConnect` a failed first
    /// connection is retried with backoff like a lost one (the pool's extra sockets: nobody waits).
    func start(delayMs: Int = 0, retryFirstConnect: Bool = false) throws(PMError) -> ConnectWaiter? {
        _ = lwsLogRouting
        let outcome: Result<ConnectWaiter?, PMError> = lock.withLock {
            if closed { return .failure(EventQueue.closedError) }
            if running { return .success(nil) }
            let newWaiter = ConnectWaiter()
            startDelayMs = max(0, delayMs)
            self.retryFirstConnect = retryFirstConnect
            var tid = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            // Created under the lock, so a racing close() always finds the thread to join.
            let rc = pthread_create(&tid, nil, { arg in
                guard let arg else { return nil }
                let engine = Unmanaged<WebSocketEngine>.fromOpaque(arg).takeRetainedValue()
                engine.run()
                return nil
            }, context)
            guard rc == 0 else {
                Unmanaged<WebSocketEngine>.fromOpaque(context).release()
                return .failure(PMError(.internal, "cannot start the WebSocket thread (pthread_create: \(rc))"))
            }
            _ = pm_lws_thread_setname(tid, "pmingest-ws")
            thread = tid
            running = true
            stopRequested = false
            waiter = newWaiter
            return .success(newWaiter)
        }
        return try outcome.get()
    }

    /// After a failed first connection: joins the service thread (which has already ended or is
    /// about to), so a failed `connect()` leaves no thread behind and may be retried.
    func reapFailedStart() {
        let tid: pthread_t? = lock.withLock {
            defer { thread = nil }
            return thread
        }
        if let tid { joinOrDetach(tid) }
        lock.withLock { running = false }
    }

    /// Stops for good: polite close of the socket, context destroyed, thread joined, and (unless
    /// `closeQueue` is false: the pool retiring one socket) the queue closed, waking every
    /// consumer. Idempotent; safe from any thread.
    func close(closeQueue: Bool = true) {
        let (tid, pending): (pthread_t?, ConnectWaiter?) = lock.withLock {
            closed = true
            stopRequested = true
            if let context { lws_cancel_service(context) }
            defer { thread = nil; waiter = nil }
            return (thread, waiter)
        }
        if let tid { joinOrDetach(tid) }
        pending?.resolve(.failure(EventQueue.closedError))
        lock.withLock { socketState = .closed }
        if closeQueue { queue.close() }
    }

    /// Asks the service thread to stop without waiting for it (`close` then joins it): the pool
    /// stops all its sockets at once, so that their polite closes overlap.
    func requestStop() {
        lock.withLock {
            stopRequested = true
            if let context { lws_cancel_service(context) }
        }
    }

    func subscribe(_ ids: [String]) throws(PMError) {
        let clean = try Self.checkIds(ids)
        let refused: PMError? = lock.withLock {
            if closed { return EventQueue.closedError }
            var changed = false
            for id in clean where wantedSet.insert(id).inserted {
                wanted.append(id)
                assetSeen[id] = (nil, false)
                changed = true
            }
            if changed { bumpWantedLocked() }
            return nil
        }
        if let refused { throw refused }
    }

    func unsubscribe(_ ids: [String]) throws(PMError) {
        let clean = try Self.checkIds(ids)
        let refused: PMError? = lock.withLock {
            if closed { return EventQueue.closedError }
            let drop = Set(clean).intersection(wantedSet)
            guard !drop.isEmpty else { return nil }
            wanted.removeAll { drop.contains($0) }
            wantedSet.subtract(drop)
            for id in drop { assetSeen[id] = nil }
            bumpWantedLocked()
            return nil
        }
        if let refused { throw refused }
    }

    private func bumpWantedLocked() {
        wantedVersion &+= 1
        if let context { lws_cancel_service(context) }
    }

    static func checkIds(_ ids: [String]) throws(PMError) -> [String] {
        guard !ids.isEmpty else { throw PMError(.invalidArgument, "no token ids given") }
        var out: [String] = []
        out.reserveCapacity(ids.count)
        for (index, id) in ids.enumerated() {
            try FieldCheck.tokenID(id, field: "token_ids[\(index)]")
            out.append(id)
        }
        return out
    }

    private func joinOrDetach(_ tid: pthread_t) {
        if pthread_equal(tid, pthread_self()) != 0 {
            pthread_detach(tid)   // close() from the service thread itself: it ends on its own
        } else {
            pthread_join(tid, nil)
        }
    }

    private func count(_ update: (inout StreamStats) -> Void) {
        lock.withLock { update(&counters) }
    }

    // MARK: - Service thread

    private static func nowMs() -> Int64 { monotonicNanoseconds() / 1_000_000 }

    private func run() {
        // Fresh timer element for this context (a previous context's list pointers are stale).
        wake.pointee = lws_sorted_usec_list_t()
        link = .idle
        exiting = false
        everConnected = false
        attempt = 0
        currentWsi = nil

        var info = lws_context_creation_info()
        info.port = CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(protocols)
        info.gid = -1
        info.uid = -1
        info.options = url.tls ? UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT) : 0
        info.user = Unmanaged.passUnretained(self).toOpaque()
        let lwsTimeout = UInt32(clamping: config.connectTimeoutMs / 1000 + 5)
        info.timeout_secs = lwsTimeout
        info.connect_timeout_secs = lwsTimeout
        // fd_limit_per_thread stays 0 (= the process fd limit). A small value would save a little
        // memory per context, but lws 4.1 looks sockets up by fd number, so it could refuse a socket
        // whose number is high in a busy host process.

        guard let ctx = lws_create_context(&info) else {
            finishFailedStart(PMError(.internal, "lws_create_context failed"))
            return
        }
        let stopEarly: Bool = lock.withLock {
            context = ctx
            return stopRequested
        }
        let delay = lock.withLock { startDelayMs }
        if !stopEarly {
            if delay > 0 {
                link = .down(retryAt: Self.nowMs() + Int64(delay))
            } else {
                startConnect(ctx)
            }
        }

        while !exiting {
            tick(ctx)
            if exiting { break }
            if lws_service(ctx, 0) < 0 { break }
        }
        closePolitely(ctx)
        lws_sul_cancel(wake)
        lock.withLock { context = nil }
        lws_context_destroy(ctx)
        let pending: ConnectWaiter? = lock.withLock {
            connected = false
            socketState = .closed
            defer { waiter = nil }
            return waiter
        }
        // Only reached with an unresolved waiter when close() ran before the first connection.
        pending?.resolve(.failure(EventQueue.closedError))
    }

    private func finishFailedStart(_ error: PMError) {
        let pending: ConnectWaiter? = lock.withLock {
            defer { waiter = nil }
            return waiter
        }
        pending?.resolve(.failure(error))
    }

    private func tick(_ ctx: OpaquePointer) {
        let now = Self.nowMs()
        let (stop, version) = lock.withLock { (stopRequested, wantedVersion) }
        if stop {
            exiting = true
            return
        }
        switch link {
        case .idle:
            break
        case .down(let retryAt):
            if now >= retryAt { startConnect(ctx) }
        case .connecting(let deadline):
            if now >= deadline {
                connectTimedOut = true
                kill("connect timeout after \(config.connectTimeoutMs) ms")
            }
        case .open where !initialSent:
            // Nothing may precede the initial subscription (a PING first gets the socket closed
            // with 1008): no heartbeat, and no PONG deadline, until it has gone out.
            lastPongAt = now
            nextPingAt = now + Int64(config.pingIntervalMs)
            if version != syncedVersion { requestWrite() }
        case .open:
            if paused && !checkPause(now) { break }
            // While paused the PONGs wait unread behind the data: no PONG deadline, no silence watchdog.
            if !paused && now - lastPongAt >= Int64(config.pongTimeoutMs) {
                count { $0.pongTimeouts += 1 }
                kill("heartbeat timeout: no PONG for \(now - lastPongAt) ms")
                break
            }
            if !paused, config.assetSilenceTimeoutMs > 0, now >= silenceCheckAt, let silent = scanSilence(now) {
                count { $0.silentAssetTimeouts += 1 }
                kill("asset \(Self.short(silent.asset)) silent for \(silent.ms) ms while the connection looked alive")
                break
            }
            if now >= nextPingAt {
                pingDue = true
                nextPingAt = now + Int64(config.pingIntervalMs)
                requestWrite()
            } else if version != syncedVersion {
                requestWrite()
            }
        }
        // Arm the wake-up timer for the next deadline (at most 1 s away: a cheap safety net).
        var next = now + 1_000
        switch link {
        case .idle:
            break
        case .down(let retryAt):
            next = min(next, retryAt)
        case .connecting(let deadline):
            next = min(next, deadline)
        case .open where paused:
            next = min(next, nextPingAt)
            if config.maxPausedMs > 0 { next = min(next, pausedSince + Int64(config.maxPausedMs)) }
        case .open:
            next = min(next, nextPingAt, lastPongAt + Int64(config.pongTimeoutMs))
            if config.assetSilenceTimeoutMs > 0 { next = min(next, silenceCheckAt) }
        }
        let delayUs = max(Int64(1), next - Self.nowMs()) * 1_000
        lws_sul_schedule(ctx, 0, wake, lwsWakeCallback, lws_usec_t(delayUs))
    }

    /// Pause policy, socket paused: reads on once the queue has room (the heartbeat and silence
    /// clocks restart: nothing could be read while paused). Returns false when the socket was
    /// closed instead, paused past `maxPausedMs`.
    private func checkPause(_ now: Int64) -> Bool {
        if !queue.stayPaused() {
            paused = false
            if let wsi = currentWsi { _ = lws_rx_flow_control(wsi, 1) }
            lastPongAt = max(lastPongAt, now)
            for id in lastDataAt.keys { lastDataAt[id] = now }
            return true
        }
        if config.maxPausedMs > 0, now - pausedSince >= Int64(config.maxPausedMs) {
            count { $0.pauseTimeouts += 1 }
            kill("paused for \(now - pausedSince) ms on a full queue: the consumer did not catch up")
            return false
        }
        return true
    }

    /// Pause policy, after a push on the service thread: stops reading the socket when the queue is full.
    private func pauseIfFull(_ now: Int64) {
        guard config.overflowPolicy == .pause, !paused, let wsi = currentWsi, queue.pauseIfFull() else { return }
        paused = true
        pausedSince = now
        _ = lws_rx_flow_control(wsi, 0)
        count { $0.pauses += 1 }
    }

    /// The first asset whose silence exceeds the limit; otherwise re-arms `silenceCheckAt` to the
    /// earliest moment one could (data only ever moves that moment later).
    private func scanSilence(_ now: Int64) -> (asset: String, ms: Int64)? {
        let limit = Int64(config.assetSilenceTimeoutMs)
        var earliest = Int64.max
        for asset in sentAssets {
            guard let seen = lastDataAt[asset] else { continue }
            if now - seen >= limit { return (asset, now - seen) }
            earliest = min(earliest, seen + limit)
        }
        silenceCheckAt = earliest
        return nil
    }

    private static func short(_ id: String) -> String {
        id.count > 16 ? "\(id.prefix(8))…\(id.suffix(6))" : id
    }

    private func startConnect(_ ctx: OpaquePointer) {
        generation &+= 1
        if generation == 0 { generation = 1 }
        connectTimedOut = false
        killReason = nil
        peerCloseReason = nil
        link = .connecting(deadline: Self.nowMs() + Int64(config.connectTimeoutMs))
        lock.withLock { socketState = .connecting }
        var ci = lws_client_connect_info()
        ci.context = ctx
        ci.address = UnsafePointer(cHost)
        ci.port = Int32(url.port)
        ci.path = UnsafePointer(cPath)
        ci.host = UnsafePointer(cHostHeader)
        ci.origin = nil
        ci.protocol = nil
        ci.local_protocol_name = UnsafePointer(cProtocolName)
        ci.ietf_version_or_minus_one = -1
        // The wsi's user pointer is our generation number (never dereferenced; lws owns no memory
        // for it since per_session_data_size is 0): callbacks of an older connection are ignored.
        ci.userdata = UnsafeMutableRawPointer(bitPattern: generation)
        if url.tls {
            var flags = Int32(LCCSCF_USE_SSL.rawValue)
            if !config.verifyTLS {
                flags |= Int32(LCCSCF_ALLOW_SELFSIGNED.rawValue | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK.rawValue
                                | LCCSCF_ALLOW_EXPIRED.rawValue | LCCSCF_ALLOW_INSECURE.rawValue)
            }
            ci.ssl_connection = flags
        }
        let wsi = lws_client_connect_via_info(&ci)
        if case .connecting = link {
            if let wsi {
                currentWsi = wsi
            } else {
                linkDown("cannot start a connection to \(url.hostHeader)")
            }
        }
    }

    /// Closes the current socket at once (outside any lws callback), recording why.
    private func kill(_ reason: String) {
        PMLog.log(.warning, "stream", "closing the connection: \(reason)")
        killReason = reason
        if let wsi = currentWsi {
            lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC)
        }
        // The close callback normally ran inside lws_set_timeout; make sure the link is down.
        linkDown(reason)
    }

    private func requestWrite() {
        if let wsi = currentWsi, link == .open { _ = lws_callback_on_writable(wsi) }
    }

    /// The connection is gone (error, close, kill). Schedules the next attempt with backoff, or
    /// ends the thread when the first connection failed or the client is closing.
    private func linkDown(_ why: String) {
        let wasOpen: Bool
        switch link {
        case .open: wasOpen = true
        case .connecting: wasOpen = false
        case .idle, .down: return
        }
        currentWsi = nil
        paused = false
        let reason = killReason ?? peerCloseReason ?? why
        killReason = nil
        peerCloseReason = nil
        rx.removeAll(keepingCapacity: false)
        rxOversize = false
        pingDue = false
        let stopping: Bool = lock.withLock {
            connected = false
            if wasOpen { lastLoss = reason }
            socketState = stopRequested ? .closed : .backoff
            return stopRequested
        }
        if stopping || exiting {
            link = .idle
            exiting = true
            return
        }
        if !everConnected && !retryFirstConnect {
            link = .idle
            exiting = true
            var reason = reason
            // A byte search: String.contains(String) would link the 1.5 MB regex engine into the .so.
            if url.tls, reason.utf8.containsBytes("SSL") {
                // lws 4.1 renders OpenSSL 3 errors poorly ("connect SSL err 1: error:00000001:lib(0)…").
                reason += " (TLS handshake failed: untrusted certificate, wrong host name or protocol error"
                    + (config.verifyTLS ? ")" : "; verification was off)")
            }
            let error = connectTimedOut
                ? PMError(.timeout, "WebSocket connect to \(url.hostHeader)\(url.path) timed out after \(config.connectTimeoutMs) ms")
                : PMError(.network, "WebSocket connect to \(url.hostHeader)\(url.path) failed: \(reason)")
            finishFailedStart(error)
            return
        }
        if wasOpen { lossReason = reason }
        attempt += 1
        link = .down(retryAt: Self.nowMs() + backoffMs(attempt))
    }

    private func backoffMs(_ attempt: Int) -> Int64 {
        // The stdlib's default generator, not an inout `SystemRandomNumberGenerator` property: that
        // struct is zero-sized, so every engine's property shares one address and ThreadSanitizer
        // reports the pool's concurrent reconnects as an access race (as RetryPolicy notes too).
        let ceiling = ReconnectBackoff(baseMs: config.reconnectBaseMs, maxMs: config.reconnectMaxMs,
                                       multiplier: config.reconnectMultiplier).ceilingMs(attempt: attempt)
        return Int64.random(in: 0...ceiling)
    }

    /// Sends a close frame and services until the server answers (bounded), so a deliberate close
    /// is polite; the context destruction that follows closes whatever is left.
    private func closePolitely(_ ctx: OpaquePointer) {
        guard link == .open, let wsi = currentWsi else { return }
        _ = lws_callback_on_writable(wsi)
        let deadline = Self.nowMs() + Self.closeGraceMs
        while link == .open {
            let remaining = deadline - Self.nowMs()
            if remaining <= 0 { break }
            lws_sul_schedule(ctx, 0, wake, lwsWakeCallback, lws_usec_t(remaining * 1_000))
            if lws_service(ctx, 0) < 0 { break }
        }
    }

    // MARK: lws callbacks (service thread)

    fileprivate func handle(_ wsi: OpaquePointer, _ reason: lws_callback_reasons,
                            _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            guard isCurrent(wsi) else { return -1 }
            established(wsi)
        case LWS_CALLBACK_CLIENT_RECEIVE:
            guard isCurrent(wsi), link == .open else { return 0 }
            receive(wsi, input, length)
        case LWS_CALLBACK_CLIENT_WRITEABLE:
            guard isCurrent(wsi), link == .open else { return 0 }
            return writeable(wsi)
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            guard isCurrent(wsi) else { return 0 }
            peerCloseReason = Self.describeClose(input, length)
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            guard isCurrent(wsi) else { return 0 }
            var text = "connection failed"
            if let input, length >= 0 {
                let message = String(cString: input.assumingMemoryBound(to: CChar.self))
                if !message.isEmpty { text = message }
            }
            linkDown(text)
        case LWS_CALLBACK_CLIENT_CLOSED:
            guard isCurrent(wsi) else { return 0 }
            linkDown("connection closed")
        case LWS_CALLBACK_WSI_DESTROY:
            // The last word on a wsi: if neither CLOSED nor CONNECTION_ERROR came, it is gone now.
            guard isCurrent(wsi) else { return 0 }
            linkDown("connection closed")
        default:
            break
        }
        return 0
    }

    private func isCurrent(_ wsi: OpaquePointer) -> Bool {
        guard let user = lws_wsi_user(wsi) else { return false }
        return Int(bitPattern: user) == generation
    }

    private static func describeClose(_ input: UnsafeMutableRawPointer?, _ length: Int) -> String {
        guard let input, length >= 2 else { return "server closed the connection (no status)" }
        let bytes = UnsafeRawBufferPointer(start: input, count: length)
        let code = Int(bytes[0]) << 8 | Int(bytes[1])
        var text = "server closed the connection (code \(code)"
        // libwebsockets 4.1 rewrites the registered codes 1012-1015 to 1002 before this callback
        // (the original is lost): say so instead of claiming a protocol error the server never sent.
        if code == 1002 {
            text += " [protocol error, or 1012-1015 such as 1012 service restart, which libwebsockets reports as 1002]"
        }
        if length > 2 {
            let reason = String(decoding: bytes[2...].prefix(120), as: UTF8.self)
            if !reason.isEmpty { text += ": \(reason)" }
        }
        return text + ")"
    }

    private func established(_ wsi: OpaquePointer) {
        let now = Self.nowMs()
        link = .open
        currentWsi = wsi
        lastPongAt = now
        nextPingAt = now + Int64(config.pingIntervalMs)
        pingDue = false
        sentAssets = []
        sentSet = []
        syncedVersion = -1
        initialSent = false
        lastDataAt = [:]
        silenceCheckAt = Int64.max
        rx.removeAll(keepingCapacity: false)
        rxOversize = false
        paused = false
        let assets: [String] = lock.withLock {
            connected = true
            socketState = .open
            // A new connection: every asset waits for its snapshot again.
            for id in wanted { assetSeen[id]?.live = false }
            return wanted
        }
        if !everConnected {
            everConnected = true
            let pending: ConnectWaiter? = lock.withLock {
                defer { waiter = nil }
                return waiter
            }
            pending?.resolve(.success(()))
        } else {
            count { $0.reconnects += 1 }
            PMLog.log(.warning, "stream", "reconnected (attempt \(attempt)) after: \(lossReason); resubscribing")
            // Before any frame of the new connection: consumers must distrust their books until
            // the snapshots that the resubscription brings.
            queue.push([.reconnected(ReconnectInfo(reason: lossReason, attempt: attempt, tokenIds: assets))])
        }
        _ = lws_callback_on_writable(wsi)
    }

    private func receive(_ wsi: OpaquePointer, _ input: UnsafeMutableRawPointer?, _ length: Int) {
        if lws_is_first_fragment(wsi) != 0 {
            rx.removeAll(keepingCapacity: rx.capacity <= 1 << 20)
            rxOversize = false
            rxBinary = lws_frame_is_binary(wsi) != 0
        }
        if !rxOversize, length > 0, let input {
            if rx.count + length > config.maxMessageBytes {
                rxOversize = true
                rx.removeAll(keepingCapacity: false)
            } else {
                rx.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
            }
        }
        guard lws_is_final_fragment(wsi) != 0, lws_remaining_packet_payload(wsi) == 0 else { return }
        let oversize = rxOversize
        rxOversize = false
        complete(oversize: oversize)
        rx.removeAll(keepingCapacity: rx.capacity <= 1 << 20)
    }

    /// One whole message: classify, parse, count, enqueue.
    private func complete(oversize: Bool) {
        let now = Self.nowMs()
        attempt = 0   // any complete message proves the connection works: backoff starts over
        if oversize {
            count { $0.frames += 1; $0.skippedOversize += 1 }
            PMLog.log(.warning, "stream", "skipped a message over the \(config.maxMessageBytes)-byte cap")
            return
        }
        if rxBinary {
            count { $0.frames += 1; $0.skippedBinary += 1 }
            PMLog.log(.debug, "stream", "skipped a binary frame")
            return
        }
        let outcome: ParseOutcome? = rx.withUnsafeBufferPointer { buffer in
            guard WebSocketUTF8.isValid(buffer) else { return nil }
            // The receive time stamps the brief's legacy price_change, which has no timestamp.
            return parser.parse(buffer, receivedAtMs: wallClock.nowMilliseconds())
        }
        guard let outcome else {
            count { $0.frames += 1; $0.skippedInvalidUTF8 += 1 }
            PMLog.log(.warning, "stream", "skipped a frame that is not valid UTF-8")
            return
        }
        if outcome.skipped > 0, let reason = outcome.lastSkipReason {
            PMLog.log(.debug, "stream", "skipped \(outcome.skipped) event(s): \(reason)")
        }
        if outcome.pong { lastPongAt = now }
        // Only this socket's assets (and the primary's market-wide events): see AssetOwners.
        // A resolution passes the pool's gate: once per market, whichever socket or poll saw it first.
        let events = resolutionGate.admit(owners.filter(outcome.events, socket: socketID))
        for event in events { markData(event, now) }
        lock.withLock {
            counters.frames += 1
            if outcome.pong { counters.pongs += 1 }
            counters.events += events.count
            counters.skippedUnknown += outcome.unknownEventTypes
            counters.skippedMalformed += outcome.malformed
            for event in events { noteHealth(event, now) }
        }
        queue.push(events)
        pauseIfFull(now)
    }

    /// Lock held: an event's asset(s) were heard from now; a snapshot makes the asset live.
    private func noteHealth(_ event: StreamEvent, _ now: Int64) {
        func seen(_ id: String, snapshot: Bool = false) {
            guard var entry = assetSeen[id] else { return }
            entry.lastMs = now
            if snapshot { entry.live = true }
            assetSeen[id] = entry
        }
        switch event {
        case .book(let book): seen(book.tokenId, snapshot: true)
        case .priceChange(let change): for level in change.changes { seen(level.tokenId) }
        case .lastTradePrice(let trade): seen(trade.tokenId)
        case .tickSizeChange(let tick): seen(tick.tokenId)
        case .bestBidAsk(let top): seen(top.tokenId)
        case .legacyPriceChange(let legacy): seen(legacy.tokenId)
        case .newMarket, .marketResolved, .reconnected: break
        }
    }

    private func markData(_ event: StreamEvent, _ now: Int64) {
        func seen(_ id: String) {
            if lastDataAt[id] != nil { lastDataAt[id] = now }
        }
        switch event {
        case .book(let book): seen(book.tokenId)
        case .priceChange(let change): for level in change.changes { seen(level.tokenId) }
        case .lastTradePrice(let trade): seen(trade.tokenId)
        case .tickSizeChange(let tick): seen(tick.tokenId)
        case .bestBidAsk(let top): seen(top.tokenId)
        case .legacyPriceChange(let legacy): seen(legacy.tokenId)
        case .newMarket, .marketResolved, .reconnected: break
        }
    }

    private func writeable(_ wsi: OpaquePointer) -> Int32 {
        if lock.withLock({ stopRequested }) {
            lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, nil, 0)
            return -1
        }
        guard let message = nextOutgoing() else { return 0 }
        guard send(wsi, message) else { return -1 }
        if pingDue || lock.withLock({ wantedVersion }) != syncedVersion {
            _ = lws_callback_on_writable(wsi)
        }
        return 0
    }

    /// The next message for the server: subscription changes first (reconciling what this
    /// connection has been told with what is wanted now), then a due PING.
    private func nextOutgoing() -> [UInt8]? {
        let now = Self.nowMs()
        let (version, list): (Int, [String]?) = lock.withLock {
            wantedVersion == syncedVersion ? (wantedVersion, nil) : (wantedVersion, wanted)
        }
        if let list {
            // At most `subscriptionChunkSize` assets a frame (a huge frame gets the socket closed);
            // the next chunk goes out on the next writeable callback.
            let chunk = config.subscriptionChunkSize
            let keep = Set(list)
            let removed = sentAssets.filter { !keep.contains($0) }
            if !removed.isEmpty {
                let part = Array(removed.prefix(chunk))
                let partSet = Set(part)
                sentAssets.removeAll { partSet.contains($0) }
                sentSet.subtract(part)
                for id in part { lastDataAt[id] = nil }
                return Self.message(assets: part, operation: "unsubscribe", config: config)
            }
            var added = list.filter { !sentSet.contains($0) }
            if added.count > chunk {
                added = Array(added.prefix(chunk))
            } else {
                syncedVersion = version
            }
            if !added.isEmpty {
                sentAssets += added
                sentSet.formUnion(added)
                for id in added { lastDataAt[id] = now }
                if config.assetSilenceTimeoutMs > 0 {
                    silenceCheckAt = min(silenceCheckAt, now + Int64(config.assetSilenceTimeoutMs))
                }
                if !initialSent {
                    initialSent = true
                    return Self.message(assets: added, operation: nil, config: config)
                }
                return Self.message(assets: added, operation: "subscribe", config: config)
            }
        }
        if pingDue {
            pingDue = false
            count { $0.pings += 1 }
            return Array("PING".utf8)
        }
        return nil
    }

    /// `{"assets_ids":[…],"type":"market","initial_dump":true,"custom_feature_enabled":true}` (first
    /// subscription of a connection) or `{"assets_ids":[…],"operation":"subscribe"|"unsubscribe",
    /// "custom_feature_enabled":true}` (changes on an open socket): docs/wire/market-channel.md.
    static func message(assets: [String], operation: String?, config: StreamClientConfig) -> [UInt8] {
        var out = Array(#"{"assets_ids":["#.utf8)
        for (index, id) in assets.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(id, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        if let operation {
            out += Array(#","operation":"#.utf8)
            appendJSONString(operation, to: &out)
        } else {
            out += Array(#","type":"market","initial_dump":\#(config.initialDump)"#.utf8)
        }
        out += Array(#","custom_feature_enabled":\#(config.customFeatures)}"#.utf8)
        return out
    }

    private static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20:
                out += Array(#"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private func send(_ wsi: OpaquePointer, _ message: [UInt8]) -> Bool {
        let pre = Int(pm_lws_pre())
        let needed = pre + message.count
        if writeCapacity < needed {
            writeBuffer?.deallocate()
            writeCapacity = max(needed, 4_096)
            writeBuffer = .allocate(capacity: writeCapacity)
        }
        guard let buffer = writeBuffer else { return false }
        message.withUnsafeBufferPointer { bytes in
            if let base = bytes.baseAddress { (buffer + pre).update(from: base, count: bytes.count) }
        }
        return lws_write(wsi, buffer + pre, message.count, LWS_WRITE_TEXT) >= 0
    }
}

/// The one-shot result of the first connection attempt, for a blocked thread or an awaiting task.
final class ConnectWaiter: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var result: Result<Void, PMError>?
    private var continuation: CheckedContinuation<Result<Void, PMError>, Never>?

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// First call wins; later calls are ignored.
    func resolve(_ value: Result<Void, PMError>) {
        pthread_mutex_lock(mutex)
        guard result == nil else {
            pthread_mutex_unlock(mutex)
            return
        }
        result = value
        let c = continuation
        continuation = nil
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
        c?.resume(returning: value)
    }

    /// Blocks up to `timeoutMs`; nil on timeout.
    func wait(timeoutMs: Int) -> Result<Void, PMError>? {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let ms = max(0, timeoutMs)
        var nanos = Int(deadline.tv_nsec) + (ms % 1000) * 1_000_000
        var seconds = Int(deadline.tv_sec) + ms / 1000
        if nanos >= 1_000_000_000 {
            nanos -= 1_000_000_000
            seconds += 1
        }
        deadline.tv_sec = seconds
        deadline.tv_nsec = nanos
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while result == nil {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
        }
        return result
    }

    func value() async -> Result<Void, PMError> {
        await withCheckedContinuation { (c: CheckedContinuation<Result<Void, PMError>, Never>) in
            pthread_mutex_lock(mutex)
            if let result {
                pthread_mutex_unlock(mutex)
                c.resume(returning: result)
                return
            }
            continuation = c
            pthread_mutex_unlock(mutex)
        }
    }
}
