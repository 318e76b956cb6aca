/// A cancel switch for work started from a foreign thread (the C ABI's `pm_*_cancel`, Python's
/// KeyboardInterrupt handler), where Swift task cancellation is out of reach. `cancel()` is
/// thread-safe, idempotent and callable from any thread (not from a signal handler: it takes a
/// mutex); it is one-shot (never resets) — use a new token for new work.
public final class CancellationToken: @unchecked Sendable {
    private let lock = Lock()
    private var cancelled = false
    private var handlers: [Int: @Sendable () -> Void] = [:]
    private var nextID = 0

    public init() {}

    public var isCancelled: Bool { lock.withLock { cancelled } }

    /// Marks the token cancelled and runs the registered handlers (on this thread, outside the
    /// lock, so a handler may touch the token).
    public func cancel() {
        let toRun: [@Sendable () -> Void] = lock.withLock {
            guard !cancelled else { return [] }
            cancelled = true
            defer { handlers.removeAll() }
            return Array(handlers.values)
        }
        for handler in toRun { handler() }
    }

    /// Runs `handler` once when the token is cancelled — at once, on this thread, if it already
    /// is (then returns nil). Otherwise returns an id for `removeHandler`.
    @discardableResult
    public func onCancel(_ handler: @escaping @Sendable () -> Void) -> Int? {
        let id: Int? = lock.withLock {
            guard !cancelled else { return nil }
            nextID += 1
            handlers[nextID] = handler
            return nextID
        }
        if id == nil { handler() }
        return id
    }

    public func removeHandler(_ id: Int) {
        lock.withLock { _ = handlers.removeValue(forKey: id) }
    }
}
