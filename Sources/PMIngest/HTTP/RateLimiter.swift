#if canImport(Glibc)
import Glibc
#endif

/// Client-side throttle per endpoint key. Polymarket's limits are Cloudflare sliding windows that
/// delay rather than reject, so we queue politely instead of failing: `reserve` books the earliest
/// slot that keeps every window of `windowMs` at or under `limit` requests and says how long to
/// wait for it. Slots are handed out first come, first served, so a queue of waiters drains in order.
///
/// Pure logic on an injected clock (no sleeping here); `CurlTransport` does the cancellable wait.
/// A reservation whose caller is cancelled while waiting is not given back: the slot stays used,
/// which errs on the polite side.
package final class RateLimiter: @unchecked Sendable {
    private let lock = Lock()
    private let limits: [String: RateLimit]
    private let clock: any PMClock
    private var windows: [String: SlidingWindow] = [:]

    /// `clock` should be monotonic (the transport passes one): a wall clock stepped back by NTP
    /// would stall every queue by the size of the step.
    package init(limits: [String: RateLimit], clock: any PMClock) {
        self.limits = limits.filter { $0.value.limit > 0 && $0.value.windowMs > 0 }
        self.clock = clock
    }

    /// The bucket an endpoint counts against: the key itself if configured, else its longest
    /// configured dotted prefix ("clob.prices" → "clob"), else none (not limited).
    package func bucket(for endpoint: String) -> String? {
        var key = Substring(endpoint)
        while true {
            if limits[String(key)] != nil { return String(key) }
            guard let dot = key.lastIndex(of: ".") else { return nil }
            key = key[..<dot]
        }
    }

    /// Takes the next slot of `endpoint`'s bucket; returns the milliseconds to wait before sending
    /// (0 = send now).
    package func reserve(_ endpoint: String) -> Int {
        guard let key = bucket(for: endpoint), let limit = limits[key] else { return 0 }
        return lock.withLock {
            let now = clock.nowMilliseconds()
            var window = windows[key] ?? SlidingWindow()
            let at = window.reserve(now: now, limit: limit.limit, windowMs: Int64(limit.windowMs))
            windows[key] = window
            return Int(clamping: max(0, at - now))
        }
    }
}

/// The grant times of the last `limit` reservations, oldest at `head` once full. Grants are
/// non-decreasing, so the oldest one decides when the next slot opens.
struct SlidingWindow {
    private var grants: [Int64] = []
    private var head = 0
    private var last = Int64.min

    mutating func reserve(now: Int64, limit: Int, windowMs: Int64) -> Int64 {
        var at = max(now, last)
        if grants.count < limit {
            grants.append(at)
        } else {
            let (opens, overflow) = grants[head].addingReportingOverflow(windowMs)
            at = max(at, overflow ? Int64.max : opens)
            grants[head] = at
            head = head + 1 == grants.count ? 0 : head + 1
        }
        last = at
        return at
    }
}

/// CLOCK_MONOTONIC in milliseconds: for intervals only (not epoch time, despite `PMClock`'s
/// usual meaning). Never steps backwards.
struct MonotonicClock: PMClock {
    func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
