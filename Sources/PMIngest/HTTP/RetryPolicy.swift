/// When and how long to wait before trying a request again. Pure: `decide` does no I/O and reads
/// no clock (the caller passes `now`), so every branch is testable with a fixed time and a seeded
/// generator.
///
/// Contract (what `CurlTransport.send` does with each decision):
/// - 408, 425, 429, 500, 502, 503, 504 and Cloudflare's 520–524 are retried; 429 and 503 honour
///   `Retry-After`. When the attempts run out the status is thrown as `PMError(.http)`, never
///   returned: a status the transport retried is by definition one the caller cannot use.
/// - Any other status below 500 is delivered as a response (404 for a missing market is data, and
///   the REST layer decides what a 403 HTML page means). Any other 5xx is thrown at once.
/// - Timeouts and connection failures are retried; a too-large body, a malformed request or a TLS
///   verification failure is not. Cancellation never reaches the policy: it ends the call at once.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts, the first included (values below 1 count as 1).
    public var maxAttempts: Int
    /// Backoff ceiling of the first retry; each later retry multiplies it by `multiplier`.
    public var baseDelayMs: Int
    public var maxDelayMs: Int
    public var multiplier: Int
    /// A `Retry-After` longer than this fails the call at once instead of stalling it.
    public var maxRetryAfterMs: Int

    public init(maxAttempts: Int = 4, baseDelayMs: Int = 200, maxDelayMs: Int = 10_000, multiplier: Int = 2,
                maxRetryAfterMs: Int = 60_000) {
        self.maxAttempts = maxAttempts
        self.baseDelayMs = baseDelayMs
        self.maxDelayMs = maxDelayMs
        self.multiplier = multiplier
        self.maxRetryAfterMs = maxRetryAfterMs
    }

    /// Statuses worth another attempt. 52x are Cloudflare's "origin unreachable/timed out" pages,
    /// the same transient condition as 502/504 behind Polymarket's CDN.
    public static let retryableStatuses: Set<Int> = [408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524]
    /// Statuses whose `Retry-After` is honoured (RFC 9110 defines it for 503 and 429).
    public static let retryAfterStatuses: Set<Int> = [429, 503]

    /// What to do after attempt number `attempt` (1-based) ended with `outcome`; backoff jitter
    /// drawn from `generator`.
    public func decide(_ outcome: AttemptOutcome, attempt: Int, nowMilliseconds: Int64,
                       using generator: inout some RandomNumberGenerator) -> RetryDecision {
        decide(outcome, attempt: attempt, nowMilliseconds: nowMilliseconds) { Int.random(in: 0...$0, using: &generator) }
    }

    /// `decide` with the system's random generator.
    public func decide(_ outcome: AttemptOutcome, attempt: Int, nowMilliseconds: Int64) -> RetryDecision {
        // Not `var g = SystemRandomNumberGenerator(); decide(..., using: &g)`: TSan builds crash on
        // an inout access to that zero-sized struct. The stdlib's own default generator path is fine.
        decide(outcome, attempt: attempt, nowMilliseconds: nowMilliseconds) { Int.random(in: 0...$0) }
    }

    /// `jitter(ceiling)` returns a delay in 0...ceiling ("full jitter"); called only with ceiling > 0.
    private func decide(_ outcome: AttemptOutcome, attempt: Int, nowMilliseconds: Int64,
                        jitter: (Int) -> Int) -> RetryDecision {
        switch outcome {
        case .response(let status, let retryAfter):
            guard Self.retryableStatuses.contains(status) else {
                return status < 500 ? .deliver : .giveUp(.notRetryable)
            }
            var serverDelay: Int?
            if Self.retryAfterStatuses.contains(status), let retryAfter,
               let delay = RetryAfter.delayMilliseconds(retryAfter, nowMilliseconds: nowMilliseconds) {
                if delay > Int64(max(0, maxRetryAfterMs)) { return .giveUp(.retryAfterTooLong(milliseconds: delay)) }
                serverDelay = Int(clamping: delay)
            }
            guard attempt < maxAttempts else { return .giveUp(.attemptsExhausted) }
            return .retry(afterMilliseconds: serverDelay ?? jitteredBackoff(attempt: attempt, jitter))
        case .failure(let failure):
            switch failure {
            case .timeout, .connection:
                guard attempt < maxAttempts else { return .giveUp(.attemptsExhausted) }
                return .retry(afterMilliseconds: jitteredBackoff(attempt: attempt, jitter))
            case .tooLarge, .invalidRequest, .other:
                return .giveUp(.notRetryable)
            }
        }
    }

    /// The upper bound of the backoff after attempt `attempt`: min(maxDelay, base × multiplier^(attempt-1)).
    /// Saturates instead of overflowing.
    public func backoffCeiling(attempt: Int) -> Int {
        let cap = max(0, maxDelayMs)
        var delay = min(max(0, baseDelayMs), cap)
        var step = 1
        while step < attempt && delay < cap {
            let (next, overflow) = delay.multipliedReportingOverflow(by: max(1, multiplier))
            delay = overflow ? cap : min(next, cap)
            step += 1
        }
        return delay
    }

    /// "Full jitter": uniform in 0...ceiling, so clients that failed together do not retry together.
    private func jitteredBackoff(attempt: Int, _ jitter: (Int) -> Int) -> Int {
        let ceiling = backoffCeiling(attempt: attempt)
        return ceiling == 0 ? 0 : min(ceiling, max(0, jitter(ceiling)))
    }
}

/// How one attempt ended, as far as the retry policy cares.
public enum AttemptOutcome: Sendable, Equatable {
    /// A complete HTTP response; `retryAfter` is the raw `Retry-After` header, if any.
    case response(status: Int, retryAfter: String?)
    case failure(TransportFailure)
}

/// Transport failures, classified for retrying (`CurlTransport` maps libcurl codes onto these).
public enum TransportFailure: Sendable, Equatable {
    /// The attempt exceeded its connect or total timeout.
    case timeout
    /// Could not connect, connection reset, empty reply, truncated body: transient.
    case connection
    /// The body exceeded `maxResponseBytes`: asking again gets the same body.
    case tooLarge
    /// Malformed URL, unsupported scheme, bad option: the request itself is wrong.
    case invalidRequest
    /// Anything else (TLS verification, bad content encoding, ...): not transient.
    case other
}

public enum RetryDecision: Sendable, Equatable {
    /// Hand the response to the caller.
    case deliver
    /// Wait this long, then try again.
    case retry(afterMilliseconds: Int)
    /// Stop and throw.
    case giveUp(GiveUpReason)
}

public enum GiveUpReason: Sendable, Equatable {
    case notRetryable
    case attemptsExhausted
    /// The server's `Retry-After` asked for longer than `maxRetryAfterMs`.
    case retryAfterTooLong(milliseconds: Int64)
}
