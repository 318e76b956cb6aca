#if canImport(Glibc)
import Glibc
#endif

/// Every clock read in pmingest goes through this, so age checks and timeouts are testable
/// without sleeping.
public protocol PMClock: Sendable {
    /// Wall-clock time, milliseconds since the Unix epoch (UTC).
    func nowMilliseconds() -> Int64
}

/// The system's real-time clock.
public struct SystemClock: PMClock {
    public init() {}
    public func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// A clock that says what it is told; for tests and replays.
public final class ManualClock: PMClock, @unchecked Sendable {
    private let lock = Lock()
    private var now: Int64

    public init(milliseconds: Int64) { now = milliseconds }

    public func nowMilliseconds() -> Int64 { lock.withLock { now } }
    public func set(milliseconds: Int64) { lock.withLock { now = milliseconds } }
    public func advance(milliseconds: Int64) { lock.withLock { now += milliseconds } }
}
