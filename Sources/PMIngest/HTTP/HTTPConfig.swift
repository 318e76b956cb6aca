/// Settings of a `CurlTransport`. Every field has a production default; tests shrink timeouts,
/// delays and caps.
public struct HTTPConfig: Sendable, Equatable {
    /// The library version sent in the default User-Agent. Keep equal to PM_VERSION_STRING in
    /// include/pmingest.h (the core cannot import the C header's macros).
    public static let libraryVersion = "0.1.0"

    /// Polymarket's documented per-endpoint throttles (docs/wire-format.md, "Rate limits"), keyed by the
    /// `HTTPRequest.endpoint` names the REST layer uses.
    public static let polymarketRateLimits: [String: RateLimit] = [
        "gamma.markets": RateLimit(300, perMilliseconds: 10_000),
        "gamma": RateLimit(4_000, perMilliseconds: 10_000),
        "clob.book": RateLimit(1_500, perMilliseconds: 10_000),
        "clob.books": RateLimit(500, perMilliseconds: 10_000),
        "clob": RateLimit(9_000, perMilliseconds: 10_000),
        "data.trades": RateLimit(200, perMilliseconds: 10_000),
        "data": RateLimit(1_000, perMilliseconds: 10_000),
    ]

    /// Default of `deadlineMs`: a hung server costs a caller at most this long per call.
    public static let defaultDeadlineMs = 20_000

    /// Time allowed to establish the TCP (+TLS) connection, per attempt.
    public var connectTimeoutMs: Int
    /// Time allowed for a whole attempt, connection included.
    public var totalTimeoutMs: Int
    /// The deadline of one call, across every attempt, back-off and rate-limit wait (see
    /// `CallDeadline`); 0 = none. Each attempt's timeouts are cut to what remains of it, and a retry
    /// whose wait would pass it is not started: the call fails with `.timeout`, naming the deadline,
    /// the attempts made and the last failure. A multi-page listing gives each page request its
    /// own deadline and is bounded as a whole by its `ListingBudget`.
    public var deadlineMs: Int
    /// Largest (decoded) response body accepted; a larger one aborts the transfer with `.tooLarge`.
    public var maxResponseBytes: Int
    public var retry: RetryPolicy
    /// Rate-limit buckets by endpoint key (see `RateLimiter.bucket(for:)`); empty = no limiting.
    public var rateLimits: [String: RateLimit]
    /// Verify the server's TLS certificate and host name. Turn off only to test through a proxy.
    public var verifyTLS: Bool
    public var userAgent: String
    /// Redirects are not followed by default: Polymarket's APIs never redirect, so one is a
    /// misconfigured base URL that should surface as a 3xx response, not be silently chased.
    public var followRedirects: Bool
    /// Parallel connections per host (HTTP/1.1); with HTTP/2 requests multiplex over one.
    public var maxConnectionsPerHost: Int

    public init(connectTimeoutMs: Int = 5_000, totalTimeoutMs: Int = 15_000, maxResponseBytes: Int = 16 << 20,
                retry: RetryPolicy = RetryPolicy(), rateLimits: [String: RateLimit] = HTTPConfig.polymarketRateLimits,
                verifyTLS: Bool = true, userAgent: String = "pmingest/" + HTTPConfig.libraryVersion,
                followRedirects: Bool = false, maxConnectionsPerHost: Int = 8,
                deadlineMs: Int = HTTPConfig.defaultDeadlineMs) {
        self.deadlineMs = deadlineMs
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.maxResponseBytes = maxResponseBytes
        self.retry = retry
        self.rateLimits = rateLimits
        self.verifyTLS = verifyTLS
        self.userAgent = userAgent
        self.followRedirects = followRedirects
        self.maxConnectionsPerHost = maxConnectionsPerHost
    }
}

/// At most `limit` requests in any window of `windowMs` milliseconds (Cloudflare's sliding window).
public struct RateLimit: Sendable, Equatable {
    public var limit: Int
    public var windowMs: Int

    /// A limit or window <= 0 means "unlimited".
    public init(_ limit: Int, perMilliseconds windowMs: Int) {
        self.limit = limit
        self.windowMs = windowMs
    }
}
