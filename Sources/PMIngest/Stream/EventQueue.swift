#if canImport(Glibc)
import Glibc
#endif

/// The bounded queue between the WebSocket service thread (producer) and the consumers (the
/// blocking pull `next(timeoutMs:)` for C/Python, the async `events` sequence for Swift).
///
/// **Bounded twice: by count and by bytes.** At most `capacity` events and at most `maxBytes` of
/// their estimated memory (`StreamEvent.footprintBytes`) are held: a count alone lets a slow
/// consumer pile up thousands of 40-level books. The newest event is always kept, even if it alone
/// is larger than `maxBytes`. Storage grows on demand (doubling up to `capacity`) and is given back
/// once the consumer has drained a large backlog, so a generous capacity costs nothing until used.
///
/// **Overflow policy: drop the OLDEST.** The producer never blocks (a slow consumer must not stall
/// the socket, or the heartbeat would fail and the feed would be lost altogether). When the queue
/// is full — by count or by bytes — pushing one more event discards the oldest stored events until
/// it fits, and counts them (`droppedTotal`). Because a gap in the stream corrupts any book the consumer maintains, the
/// consumer is then told in-band: the next event it takes is a **gap marker**,
/// `StreamEvent.reconnected(ReconnectInfo(reason: "queue overflow: N events dropped", attempt: 0))`
/// (attempt 0 = no reconnect happened; the gap is local), delivered before every surviving event
/// (they are all newer than the dropped ones). It means exactly what a reconnect means: continuity
/// lost, distrust local books until their next `book` snapshot. The marker takes no queue slot, and
/// several overflows before the consumer catches up collapse into one marker with the total.
///
/// **Overflow policy: pause** (`pauses`). Nothing is ever dropped: a push always stores its
/// events (a full queue may exceed its bounds by the events of the frames already read), and the
/// producer asks `pauseIfFull()` after each push; on true it stops reading its socket. Once a
/// consumer has taken the queue down to half of both bounds, the room handler (`onRoom`) runs,
/// once, outside the lock, so the paused producers read on.
///
/// **Wake-ups** go only to consumers actually asleep in `next`/`nextBatch` (a busy consumer costs
/// the producer no system call).
///
/// After `close()` every waiter wakes at once, and `next` throws `PMError(.cancelled)`
/// (undelivered events are discarded).
final class EventQueue: @unchecked Sendable {
    let capacity: Int
    let maxBytes: Int
    /// The pause policy: never drop; producers pause on `pauseIfFull()` and wait for `onRoom`.
    let pauses: Bool
    /// Slots allocated when the queue starts, and kept when a drained queue gives storage back.
    static let initialSlots = 64
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    // Guarded by `mutex`:
    private var ring: [StreamEvent?]
    private var sizes: [Int]            // footprint of the event in the same slot of `ring`
    private var head = 0
    private var count = 0
    private var bytes = 0
    private var peakBytes = 0
    private var closed = false
    private var gapDropped = 0
    private var droppedTotal = 0
    private var overflowMarkersTotal = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<StreamEvent?, any Error>)] = []
    private var nextWaiterID = 0
    private var sleepers = 0
    /// A producer paused on a full queue and waits for `onRoom`.
    private var producerPaused = false
    private var roomHandler: (@Sendable () -> Void)?

    init(capacity: Int, maxBytes: Int = StreamClientConfig.defaultQueueMaxBytes, pauses: Bool = false) {
        self.capacity = max(1, capacity)
        self.maxBytes = max(1, maxBytes)
        self.pauses = pauses
        let slots = min(self.capacity, Self.initialSlots)
        ring = Array(repeating: nil, count: slots)
        sizes = Array(repeating: 0, count: slots)
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

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Events dropped on overflow since the queue was made.
    var dropped: Int { locked { droppedTotal } }

    /// Events waiting now (a gap marker not yet taken not included).
    var depth: Int { locked { count } }

    /// Overflow gap markers handed to consumers so far.
    var overflowMarkers: Int { locked { overflowMarkersTotal } }

    /// Events waiting (not counting a pending gap marker).
    var pending: Int { locked { count } }

    var isClosed: Bool { locked { closed } }

    /// Estimated bytes of the events waiting now, and the most ever held at once.
    var queuedBytes: Int { locked { bytes } }
    var queuedBytesPeak: Int { locked { peakBytes } }

    /// Slots allocated now (for tests: storage grows with use, not with `capacity`).
    var allocatedSlots: Int { locked { ring.count } }

    /// Sets what runs (on a consumer's thread, outside the lock) when a paused producer may read on.
    func setRoomHandler(_ handler: @escaping @Sendable () -> Void) { locked { roomHandler = handler } }

    /// Pause policy, for a producer right after its push: true when the queue is full (by count or
    /// by bytes), and then the room handler runs once the consumers have made room. Always false
    /// without the pause policy or once closed.
    func pauseIfFull() -> Bool {
        locked {
            guard pauses, !closed, count >= capacity || bytes >= maxBytes else { return false }
            producerPaused = true
            return true
        }
    }

    /// For a paused producer: true while it must stay paused (more than half of a bound is used),
    /// and then the room handler runs once there is room; false when it may read on.
    func stayPaused() -> Bool {
        locked {
            guard !hasRoomLocked else { return false }
            producerPaused = true
            return true
        }
    }

    private var hasRoomLocked: Bool { closed || (count <= capacity / 2 && bytes <= maxBytes / 2) }

    /// Mutex held, after a take: the room handler to run once unlocked, if a producer waits for it.
    private func roomDueLocked() -> (@Sendable () -> Void)? {
        guard producerPaused, hasRoomLocked else { return nil }
        producerPaused = false
        return roomHandler
    }

    /// Appends `events` in order (never blocks; drops the oldest on overflow). Returns how many
    /// were dropped by this call. Ignored after `close()`.
    @discardableResult
    func push(_ events: [StreamEvent]) -> Int {
        guard !events.isEmpty else { return 0 }
        var resumes: [(CheckedContinuation<StreamEvent?, any Error>, StreamEvent)] = []
        var droppedNow = 0
        pthread_mutex_lock(mutex)
        if closed {
            pthread_mutex_unlock(mutex)
            return 0
        }
        var byBytes = false
        for event in events {
            let size = event.footprintBytes
            while !pauses && count > 0 && (count == capacity || bytes + size > maxBytes) {
                if count < capacity { byBytes = true }
                dropOldestLocked()
                droppedNow += 1
            }
            if count == ring.count { growLocked() }
            let slot = (head + count) % ring.count
            ring[slot] = event
            sizes[slot] = size
            count += 1
            bytes += size
        }
        peakBytes = max(peakBytes, bytes)
        droppedTotal += droppedNow
        // One warning per gap (not per push): a log line per dropped event would slow the very
        // service thread that is already behind (and a host's log handler may take a lock).
        let firstOfGap = droppedNow > 0 && gapDropped == 0
        gapDropped += droppedNow
        // Hand events straight to async waiters (FIFO), then wake blocked threads for the rest.
        while !waiters.isEmpty, let event = takeLocked() {
            resumes.append((waiters.removeFirst().continuation, event))
        }
        if sleepers > 0 && (count > 0 || gapDropped > 0) { pthread_cond_broadcast(condition) }
        pthread_mutex_unlock(mutex)
        for (continuation, event) in resumes { continuation.resume(returning: event) }
        if firstOfGap {
            let limit = byBytes ? "\(maxBytes) bytes" : "\(capacity) events"
            PMLog.log(.warning, "stream", "queue full (\(limit)): dropping the oldest events; "
                      + "the consumer will see a continuity gap (and stats the count)")
        }
        return droppedNow
    }

    /// The next event; the gap marker first when events were dropped. Mutex held.
    private func takeLocked() -> StreamEvent? {
        if gapDropped > 0 {
            let n = gapDropped
            gapDropped = 0
            overflowMarkersTotal += 1
            return .reconnected(ReconnectInfo(reason: "queue overflow: \(n) event\(n == 1 ? "" : "s") dropped",
                                              attempt: 0))
        }
        guard count > 0 else { return nil }
        let event = ring[head]
        dropOldestLocked()
        // A drained backlog gives its storage back: the peak of one burst is not kept for good.
        if count == 0 && ring.count > Self.initialSlots * 16 {
            ring = Array(repeating: nil, count: Self.initialSlots)
            sizes = Array(repeating: 0, count: Self.initialSlots)
            head = 0
        }
        return event
    }

    /// Removes the oldest stored event. Mutex held; `count > 0`.
    private func dropOldestLocked() {
        ring[head] = nil
        bytes -= sizes[head]
        head = (head + 1) % ring.count
        count -= 1
    }

    /// Doubles the storage (up to `capacity`), oldest event first. Mutex held; the ring is full.
    private func growLocked() {
        // The pause policy never drops: the frames already read may take it past `capacity`.
        let doubled = max(Self.initialSlots, ring.count * 2)
        let slots = pauses ? doubled : min(capacity, doubled)
        var grownRing = [StreamEvent?](repeating: nil, count: slots)
        var grownSizes = [Int](repeating: 0, count: slots)
        for index in 0..<count {
            grownRing[index] = ring[(head + index) % ring.count]
            grownSizes[index] = sizes[(head + index) % ring.count]
        }
        ring = grownRing
        sizes = grownSizes
        head = 0
    }

    /// Blocks up to `timeoutMs` (negative: without limit; 0: just looks) for the next event.
    /// Returns nil on timeout; throws `PMError(.cancelled)` once the queue is closed.
    func next(timeoutMs: Int) throws -> StreamEvent? {
        var room: (@Sendable () -> Void)?
        defer { room?() }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard try waitLocked(timeoutMs: timeoutMs) else { return nil }
        let event = takeLocked()
        room = roomDueLocked()
        return event
    }

    /// Blocks up to `timeoutMs` (as `next`) for at least one event, then takes up to `max` at
    /// once (the gap marker first when events were dropped): one lock round trip for a backlog.
    /// Returns [] on timeout; throws `PMError(.cancelled)` once the queue is closed.
    func nextBatch(max: Int, timeoutMs: Int) throws -> [StreamEvent] {
        var room: (@Sendable () -> Void)?
        defer { room?() }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard max > 0, try waitLocked(timeoutMs: timeoutMs) else { return [] }
        var out: [StreamEvent] = []
        out.reserveCapacity(Swift.min(max, count + 1))
        while out.count < max, let event = takeLocked() { out.append(event) }
        room = roomDueLocked()
        return out
    }

    /// Mutex held: waits until an event (or gap marker) can be taken (true) or the time is up
    /// (false). Throws once closed.
    private func waitLocked(timeoutMs: Int) throws -> Bool {
        var deadline = timespec()
        if timeoutMs > 0 {
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            let ms = min(timeoutMs, 365 * 24 * 3_600_000)
            var nanos = Int(deadline.tv_nsec) + (ms % 1000) * 1_000_000
            var seconds = Int(deadline.tv_sec) + ms / 1000
            if nanos >= 1_000_000_000 {
                nanos -= 1_000_000_000
                seconds += 1
            }
            deadline.tv_sec = seconds
            deadline.tv_nsec = nanos
        }
        while true {
            if closed { throw Self.closedError }
            if count > 0 || gapDropped > 0 { return true }
            if timeoutMs == 0 { return false }
            sleepers += 1
            let rc = timeoutMs < 0 ? pthread_cond_wait(condition, mutex)
                                   : pthread_cond_timedwait(condition, mutex, &deadline)
            sleepers -= 1
            if rc == ETIMEDOUT {
                if closed { throw Self.closedError }
                return count > 0 || gapDropped > 0
            }
        }
    }

    /// Suspends until the next event. Returns nil if the task is cancelled; throws
    /// `PMError(.cancelled)` once the queue is closed.
    func nextAsync() async throws -> StreamEvent? {
        let id: Int = locked {
            nextWaiterID += 1
            return nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<StreamEvent?, any Error>) in
                pthread_mutex_lock(mutex)
                if closed {
                    pthread_mutex_unlock(mutex)
                    continuation.resume(throwing: Self.closedError)
                    return
                }
                if let event = takeLocked() {
                    let room = roomDueLocked()
                    pthread_mutex_unlock(mutex)
                    continuation.resume(returning: event)
                    room?()
                    return
                }
                if Task.isCancelled {
                    pthread_mutex_unlock(mutex)
                    continuation.resume(returning: nil)
                    return
                }
                waiters.append((id, continuation))
                pthread_mutex_unlock(mutex)
            }
        } onCancel: {
            let continuation: CheckedContinuation<StreamEvent?, any Error>? = locked {
                guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return waiters.remove(at: index).continuation
            }
            continuation?.resume(returning: nil)
        }
    }

    /// Wakes every waiter; later pushes are ignored and `next` throws. Idempotent.
    func close() {
        let toResume: [CheckedContinuation<StreamEvent?, any Error>] = locked {
            guard !closed else { return [] }
            closed = true
            producerPaused = false
            ring = [nil]
            sizes = [0]
            count = 0
            head = 0
            bytes = 0
            gapDropped = 0
            pthread_cond_broadcast(condition)
            defer { waiters.removeAll() }
            return waiters.map(\.continuation)
        }
        for continuation in toResume { continuation.resume(throwing: Self.closedError) }
    }

    static let closedError = PMError(.cancelled, "the stream client is closed")
}
