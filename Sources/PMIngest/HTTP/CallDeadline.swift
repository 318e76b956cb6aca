/// The deadline of one call (`HTTPConfig.deadlineMs`): a bound on everything a request costs its
/// caller — rate-limit waits, every attempt and every back-off — so a server that accepts the
/// connection and never answers holds a call for the deadline, not for attempts × timeout.
///
/// By default each `HTTPTransport.send` is one call. `CallDeadline.scope` makes several requests
/// one call: inside it every request's deadline counts from the moment the scope was entered
/// (the outermost scope wins). `PolymarketClient.fetchTrades` uses it for its condition lookup and
/// its tape request; a market listing does not (each page request gets its own deadline, and the
/// listing as a whole is bounded by its `ListingBudget`).
package enum CallDeadline {
    /// Monotonic milliseconds at which the enclosing call began; nil outside any scope.
    @TaskLocal static var callStartMs: Int64?

    /// Runs `work` as one call: the requests it sends share one deadline that starts now (or
    /// when an enclosing scope started).
    package static func scope<T: Sendable>(_ work: () async throws -> T) async rethrows -> T {
        if callStartMs != nil { return try await work() }
        return try await $callStartMs.withValue(MonotonicClock().nowMilliseconds()) { try await work() }
    }
}

/// The running deadline of one `CurlTransport.send`: what remains, and the error once it is spent.
struct DeadlineBudget {
    /// The configured deadline; 0 (or less) = none.
    let budgetMs: Int
    /// Monotonic milliseconds at which the call ends; nil when there is no deadline.
    let expiresAtMs: Int64?
    private let clock: any PMClock

    init(budgetMs: Int, clock: any PMClock = MonotonicClock()) {
        self.budgetMs = budgetMs
        self.clock = clock
        if budgetMs > 0 {
            let start = CallDeadline.callStartMs ?? clock.nowMilliseconds()
            expiresAtMs = start.addingClamped(Int64(budgetMs))
        } else {
            expiresAtMs = nil
        }
    }

    /// Milliseconds left (possibly <= 0); nil when there is no deadline.
    func remainingMs() -> Int64? { expiresAtMs.map { $0.subtractingClamped(clock.nowMilliseconds()) } }

    /// Whether waiting `milliseconds` (and then doing anything at all) would pass the deadline.
    func wouldPass(afterMilliseconds milliseconds: Int) -> Bool {
        guard let remaining = remainingMs() else { return false }
        return Int64(milliseconds) >= remaining
    }

    /// The attempt's request with its timeouts cut to what remains, and whether they were cut;
    /// nil when nothing remains.
    func limit(_ spec: CurlRequestSpec) -> (spec: CurlRequestSpec, cut: Bool)? {
        guard let remaining = remainingMs() else { return (spec, false) }
        guard remaining > 0 else { return nil }
        let left = Int(clamping: remaining)
        var limited = spec
        limited.totalTimeoutMs = min(spec.totalTimeoutMs, left)
        limited.connectTimeoutMs = min(spec.connectTimeoutMs, left)
        return (limited, limited.totalTimeoutMs < spec.totalTimeoutMs)
    }

    /// `.timeout` naming the deadline, the attempts made and the last failure (or why none was made).
    func expired(target: String, attempts: Int, lastFailure: String?, httpStatus: Int?) -> PMError {
        let made = "\(attempts) attempt\(attempts == 1 ? "" : "s") made"
        let last = lastFailure.map { ", the last: \($0)" } ?? ""
        return PMError(.timeout, "\(target): no answer within the call deadline of \(budgetMs) ms (deadline_ms), "
                       + made + last, httpStatus: httpStatus)
    }
}
