/// The real `HTTPTransport`: libcurl (one multi handle on its own thread, keep-alive, gzip, HTTP/2
/// where offered) plus per-endpoint rate limiting and retries.
///
/// Status contract of `send`:
/// - returns the response for every status below 500 except 408, 425 and 429 — including 404 and
///   an HTML 403 from Cloudflare: the REST layer decides what they mean;
/// - retries 408/425/429/500/502/503/504/520–524 (with `Retry-After` for 429 and 503) and, when
///   the attempts run out, throws `PMError(.http, httpStatus:)` with a one-line body excerpt;
///   other 5xx are thrown at once;
/// - a `Retry-After` beyond `retry.maxRetryAfterMs` throws at once, saying how long was asked;
/// - transport failures throw `.timeout` / `.network` (retried first) or `.tooLarge` /
///   `.invalidArgument` (not retried), with curl's message and the URL; `.invalidArgument` only
///   for the request itself — a server's protocol violation (an HTTP/0.9 reply without a status
///   line, a redirect to another scheme or a malformed URL) is `.network`, not retried;
/// - `config.deadlineMs` bounds the whole send (or the enclosing `CallDeadline.scope`): attempts
///   are cut to what remains, a wait that would pass it is not started, and its expiry throws
///   `.timeout` naming the deadline, the attempts made and the last failure;
/// - cancellation (task cancel, `CancellationToken`, `shutdown`) throws `PMError(.cancelled)` at
///   once, whether in flight, backing off or waiting for a rate-limit slot; it is never retried.
public final class CurlTransport: HTTPTransport {
    public let config: HTTPConfig
    private let engine: CurlEngine
    private let limiter: RateLimiter
    private let clock: any PMClock

    /// `clock` is the wall clock used to read `Retry-After` dates.
    public init(config: HTTPConfig = HTTPConfig(), clock: any PMClock = SystemClock()) throws {
        self.config = config
        self.clock = clock
        limiter = RateLimiter(limits: config.rateLimits, clock: MonotonicClock())
        engine = try CurlEngine(maxConnectionsPerHost: config.maxConnectionsPerHost)
    }

    deinit { engine.shutdown() }

    /// Cancels every call in progress with `.cancelled`, stops the HTTP thread and frees all
    /// connections. Idempotent; later `send`s throw `.cancelled`. Also runs on deinit.
    public func shutdown() { engine.shutdown() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let spec = try Self.validate(request, config)
        let deadline = DeadlineBudget(budgetMs: config.deadlineMs)
        let target = "\(spec.method.rawValue) \(ResponseExcerpt.shortURL(spec.url))"
        var lastFailure: String?
        var lastStatus: Int?
        var attempt = 0
        while true {
            if let endpoint = request.endpoint {
                let wait = limiter.reserve(endpoint)
                if wait > 0 && deadline.wouldPass(afterMilliseconds: wait) {
                    throw deadline.expired(target: target, attempts: attempt,
                                           lastFailure: lastFailure ?? "the rate-limit wait of \(wait) ms would pass it",
                                           httpStatus: lastStatus)
                }
                try await engine.sleep(milliseconds: wait)
            }
            if Task.isCancelled { throw CurlEngine.cancelledError }
            guard let (attemptSpec, cut) = deadline.limit(spec) else {
                throw deadline.expired(target: target, attempts: attempt, lastFailure: lastFailure, httpStatus: lastStatus)
            }
            attempt += 1
            let result = try await engine.perform(attemptSpec)
            let outcome: AttemptOutcome
            switch result {
            case .response(let response):
                outcome = .response(status: response.status, retryAfter: response.header("retry-after"))
                // The body's excerpt only for a response that can fail the call: a 2xx is delivered,
                // and excerpting every book cost more than the rest of the call together.
                let excerpt = (200..<300).contains(response.status) ? "" : ": \(ResponseExcerpt.of(response.body))"
                (lastFailure, lastStatus) = ("HTTP \(response.status)\(excerpt)", response.status)
            case .failure(let failure):
                outcome = .failure(failure.kind)
                (lastFailure, lastStatus) = (Self.describe(failure), nil)
                // The attempt's timeout was the deadline's remainder: the call's time is up.
                if failure.kind == .timeout && cut {
                    throw Self.logged(deadline.expired(target: target, attempts: attempt, lastFailure: lastFailure,
                                                       httpStatus: nil))
                }
            }
            // The generator-less overload: no inout state lives across the awaits of this loop.
            switch config.retry.decide(outcome, attempt: attempt, nowMilliseconds: clock.nowMilliseconds()) {
            case .deliver:
                if case .response(let response) = result { return response }
                throw Self.error(for: result, reason: .notRetryable, attempts: attempt, spec: spec)
            case .retry(let delay):
                if deadline.wouldPass(afterMilliseconds: delay) {
                    throw Self.logged(deadline.expired(target: target, attempts: attempt, lastFailure: lastFailure,
                                                       httpStatus: lastStatus))
                }
                PMLog.log(.warning, "http", "\(target): \(Self.describe(outcome)); retry \(attempt) in \(delay) ms")
                try await engine.sleep(milliseconds: delay)
            case .giveUp(let reason):
                throw Self.logged(Self.error(for: result, reason: reason, attempts: attempt, spec: spec))
            }
        }
    }

    private static func logged(_ error: PMError) -> PMError {
        PMLog.log(.error, "http", error.message)
        return error
    }

    /// A transport failure for the deadline's message: "timed out: <curl's words>".
    static func describe(_ failure: CurlFailure) -> String {
        switch failure.kind {
        case .timeout: return "timed out: \(failure.message)"
        case .connection: return "connection failed: \(failure.message)"
        case .tooLarge, .invalidRequest, .other: return failure.message
        }
    }

    /// `send` for callers on their own threads (the C ABI, Python): blocks only the calling
    /// thread; `token.cancel()` from any thread ends it with `.cancelled`. Never call it from a
    /// Swift concurrency thread.
    public func blockingSend(_ request: HTTPRequest, token: CancellationToken? = nil) throws -> HTTPResponse {
        try Blocking.run(token: token) { try await self.send(request) }
    }

    // MARK: Errors

    static func describe(_ outcome: AttemptOutcome) -> String {
        switch outcome {
        case .response(let status, let retryAfter): return "HTTP \(status)" + (retryAfter.map { " (Retry-After: \($0))" } ?? "")
        case .failure(let failure): return "\(failure)"
        }
    }

    static func error(for result: CurlResult, reason: GiveUpReason, attempts: Int, spec: CurlRequestSpec) -> PMError {
        let target = "\(spec.method.rawValue) \(ResponseExcerpt.shortURL(spec.url))"
        let tries = attempts == 1 ? "" : " after \(attempts) attempts"
        switch result {
        case .response(let response):
            let status = response.status
            if case .retryAfterTooLong(let ms) = reason {
                let asked = response.header("retry-after") ?? "?"
                return PMError(.http, "HTTP \(status) from \(target): the server asked to wait \(seconds(ms)) s "
                               + "(Retry-After: \(ResponseExcerpt.truncated(asked, limit: 40))), longer than the "
                               + "\(seconds(Int64(spec.retryLimitMs))) s limit", httpStatus: status)
            }
            return PMError(.http, "HTTP \(status) from \(target)\(tries): \(ResponseExcerpt.of(response.body))",
                           httpStatus: status)
        case .failure(let failure):
            switch failure.kind {
            case .timeout:
                return PMError(.timeout, "\(target) timed out\(tries): \(failure.message)")
            case .tooLarge:
                return PMError(.tooLarge, "\(target): \(failure.message) (maxResponseBytes)")
            case .invalidRequest:
                return PMError(.invalidArgument, "\(target): \(failure.message)")
            case .connection, .other:
                return PMError(.network, "\(target) failed\(tries): \(failure.message)")
            }
        }
    }

    /// Whole seconds, rounded up, for messages.
    private static func seconds(_ ms: Int64) -> Int64 { ms / 1000 + (ms % 1000 == 0 ? 0 : 1) }

    // MARK: Validation

    /// Refuses what curl would misread: a non-HTTP URL, control characters (header injection),
    /// malformed header names.
    static func validate(_ request: HTTPRequest, _ config: HTTPConfig) throws -> CurlRequestSpec {
        let url = request.url
        let lower = url.prefix(8).lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw PMError(.invalidArgument, "URL must start with http:// or https://: \(ResponseExcerpt.shortURL(url))")
        }
        guard !url.utf8.contains(where: { $0 <= 32 || $0 == 127 }) else {
            throw PMError(.invalidArgument, "URL contains a space or control character: \(ResponseExcerpt.shortURL(url))")
        }
        guard !config.userAgent.utf8.contains(where: { $0 < 32 || $0 == 127 }) else {
            throw PMError(.invalidArgument, "HTTPConfig.userAgent contains a control character")
        }
        var lines: [String] = []
        var hasContentType = false
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                throw PMError(.invalidArgument, "invalid HTTP header name \"\(ResponseExcerpt.truncated(name, limit: 40))\"")
            }
            guard !value.utf8.contains(where: { ($0 < 32 && $0 != 9) || $0 == 127 }) else {
                throw PMError(.invalidArgument, "HTTP header \(name) contains a control character")
            }
            if name.lowercased() == "content-type" { hasContentType = true }
            // "Name:" would tell curl to remove the header; "Name;" sends it empty.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if request.method == .post {
            // Polymarket speaks JSON; curl's default would be a form encoding.
            if !hasContentType { lines.append("Content-Type: application/json") }
            lines.append("Expect:")  // no 100-continue round trip for large bodies
        }
        return CurlRequestSpec(method: request.method, url: url, headerLines: lines, body: request.body,
                               connectTimeoutMs: config.connectTimeoutMs, totalTimeoutMs: config.totalTimeoutMs,
                               maxResponseBytes: max(0, config.maxResponseBytes), verifyTLS: config.verifyTLS,
                               followRedirects: config.followRedirects, userAgent: config.userAgent,
                               retryLimitMs: config.retry.maxRetryAfterMs)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
