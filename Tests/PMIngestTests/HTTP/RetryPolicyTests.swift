import CCurl
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Pure retry decisions: no I/O, fixed time, seeded jitter.
@Suite struct HTTPRetryPolicyTests {
    let policy = RetryPolicy()   // 4 attempts, 200 ms base, ×2, 10 s cap, 60 s Retry-After cap
    /// 1994-11-06 08:49:37 UTC, the RFC's example date.
    static let rfcDateMs: Int64 = 784_111_777_000

    func decide(_ outcome: AttemptOutcome, attempt: Int = 1, now: Int64 = 0) -> RetryDecision {
        var generator = SplitMix64(state: 42)
        return policy.decide(outcome, attempt: attempt, nowMilliseconds: now, using: &generator)
    }

    func isRetry(_ decision: RetryDecision) -> Bool {
        if case .retry = decision { return true }
        return false
    }

    @Test(arguments: [200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 410, 422])
    func deliversStatusesThatAreNotRetried(status: Int) {
        #expect(decide(.response(status: status, retryAfter: nil)) == .deliver)
        #expect(decide(.response(status: status, retryAfter: "1")) == .deliver)   // Retry-After on a 2xx/4xx: ignored
    }

    @Test(arguments: [408, 425, 429, 500, 502, 503, 504, 520, 522, 524])
    func retriesTransientStatusesUntilAttemptsRunOut(status: Int) {
        for attempt in 1...3 {
            #expect(isRetry(decide(.response(status: status, retryAfter: nil), attempt: attempt)))
        }
        #expect(decide(.response(status: status, retryAfter: nil), attempt: 4) == .giveUp(.attemptsExhausted))
    }

    @Test(arguments: [501, 505, 511, 599])
    func otherServerErrorsFailAtOnce(status: Int) {
        #expect(decide(.response(status: status, retryAfter: nil)) == .giveUp(.notRetryable))
    }

    @Test func transportFailures() {
        #expect(isRetry(decide(.failure(.timeout))))
        #expect(isRetry(decide(.failure(.connection), attempt: 3)))
        #expect(decide(.failure(.timeout), attempt: 4) == .giveUp(.attemptsExhausted))
        #expect(decide(.failure(.tooLarge)) == .giveUp(.notRetryable))
        #expect(decide(.failure(.invalidRequest)) == .giveUp(.notRetryable))
        #expect(decide(.failure(.other)) == .giveUp(.notRetryable))
    }

    @Test func oneAttemptMeansNoRetry() {
        var single = RetryPolicy(maxAttempts: 1)
        var generator = SplitMix64(state: 1)
        #expect(single.decide(.response(status: 503, retryAfter: nil), attempt: 1, nowMilliseconds: 0,
                              using: &generator) == .giveUp(.attemptsExhausted))
        single.maxAttempts = 0   // nonsense counts as 1
        #expect(single.decide(.failure(.timeout), attempt: 1, nowMilliseconds: 0, using: &generator)
                == .giveUp(.attemptsExhausted))
    }

    @Test func backoffCeilingDoublesUpToTheCap() {
        #expect((1...8).map { policy.backoffCeiling(attempt: $0) } == [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000])
        let huge = RetryPolicy(baseDelayMs: Int.max / 2, maxDelayMs: Int.max, multiplier: 1000)
        #expect(huge.backoffCeiling(attempt: 50) == Int.max)   // saturates, no overflow trap
        #expect(RetryPolicy(baseDelayMs: -5).backoffCeiling(attempt: 3) == 0)
    }

    @Test func fullJitterStaysWithinTheCeiling() {
        var generator = SplitMix64(state: 7)
        var seen = Set<Int>()
        for _ in 0..<500 {
            guard case .retry(let ms) = policy.decide(.response(status: 500, retryAfter: nil), attempt: 2,
                                                      nowMilliseconds: 0, using: &generator) else {
                Issue.record("expected a retry")
                return
            }
            #expect(ms >= 0 && ms <= 400)
            seen.insert(ms / 100)
        }
        #expect(seen == [0, 1, 2, 3] || seen == [0, 1, 2, 3, 4])   // spread over the whole range
        var top = MaxRandom()
        #expect(policy.decide(.failure(.timeout), attempt: 3, nowMilliseconds: 0, using: &top) == .retry(afterMilliseconds: 800))
    }

    @Test func retryAfterSecondsIsHonouredFor429And503() {
        #expect(decide(.response(status: 429, retryAfter: "1")) == .retry(afterMilliseconds: 1000))
        #expect(decide(.response(status: 503, retryAfter: " 2 ")) == .retry(afterMilliseconds: 2000))
        #expect(decide(.response(status: 429, retryAfter: "0")) == .retry(afterMilliseconds: 0))
        #expect(decide(.response(status: 429, retryAfter: "60")) == .retry(afterMilliseconds: 60_000))
        // 500 has no Retry-After semantics: backoff applies.
        guard case .retry(let ms) = decide(.response(status: 500, retryAfter: "30")) else {
            Issue.record("expected a retry")
            return
        }
        #expect(ms <= 200)
    }

    @Test func retryAfterHTTPDateCountsFromTheInjectedClock() {
        let clock = ManualClock(milliseconds: Self.rfcDateMs - 1_500)
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(decide(.response(status: 429, retryAfter: date), now: clock.nowMilliseconds()) == .retry(afterMilliseconds: 1_500))
        clock.advance(milliseconds: 1_000)
        #expect(decide(.response(status: 503, retryAfter: date), now: clock.nowMilliseconds()) == .retry(afterMilliseconds: 500))
        clock.advance(milliseconds: 10_000)   // already past: go now
        #expect(decide(.response(status: 429, retryAfter: date), now: clock.nowMilliseconds()) == .retry(afterMilliseconds: 0))
    }

    @Test(arguments: ["soon", "1.5", "-1", "", "0x10", "1 2", "Sun, 32 Nov 1994 08:49:37 GMT",
                      "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT"])
    func unreadableRetryAfterFallsBackToBackoff(value: String) {
        guard case .retry(let ms) = decide(.response(status: 429, retryAfter: value)) else {
            Issue.record("expected a retry for \(value)")
            return
        }
        #expect(ms <= 200)
    }

    @Test func retryAfterBeyondTheLimitFailsAtOnce() {
        #expect(decide(.response(status: 429, retryAfter: "61")) == .giveUp(.retryAfterTooLong(milliseconds: 61_000)))
        #expect(decide(.response(status: 503, retryAfter: "99999999999999999999999999"))
                == .giveUp(.retryAfterTooLong(milliseconds: 1_000_000_000_000_000)))
        let inTwoMinutes = "Sun, 06 Nov 1994 08:51:37 GMT"
        #expect(decide(.response(status: 429, retryAfter: inTwoMinutes), attempt: 4, now: Self.rfcDateMs)
                == .giveUp(.retryAfterTooLong(milliseconds: 120_000)))
    }

    @Test func httpDateFormats() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Self.rfcDateMs)     // IMF-fixdate
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == Self.rfcDateMs)    // RFC 850
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == Self.rfcDateMs)          // asctime
        #expect(HTTPDate.parse("sun, 06 nov 1994 08:49:37 gmt") == Self.rfcDateMs)
        #expect(HTTPDate.parse("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(HTTPDate.parse("Sat, 29 Feb 2020 12:00:00 GMT") == 1_582_977_600_000)
        #expect(HTTPDate.parse("Wed, 31 Dec 2025 23:59:60 GMT") == 1_767_225_600_000)  // leap second
        #expect(HTTPDate.parse("Thursday, 01-Jan-26 00:00:00 GMT") == 1_767_225_600_000)
        #expect(HTTPDate.parse("Fri, 29 Feb 2019 12:00:00 GMT") == nil)
        #expect(HTTPDate.parse("Sun, 6 Nov 1994 08:49:37 GMT") == nil)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49 GMT") == nil)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37") == nil)
        #expect(HTTPDate.parse("") == nil)
    }

    @Test func curlCodesMapToRetryClasses() {
        #expect(classifyCurlCode(CURLE_OPERATION_TIMEDOUT, overCap: false) == .timeout)
        for code in [CURLE_COULDNT_CONNECT, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
                     CURLE_COULDNT_RESOLVE_HOST] {
            #expect(classifyCurlCode(code, overCap: false) == .connection)
        }
        #expect(classifyCurlCode(CURLE_WRITE_ERROR, overCap: true) == .tooLarge)
        #expect(classifyCurlCode(CURLE_FILESIZE_EXCEEDED, overCap: false) == .tooLarge)
        #expect(classifyCurlCode(CURLE_URL_MALFORMAT, overCap: false) == .invalidRequest)
        #expect(classifyCurlCode(CURLE_PEER_FAILED_VERIFICATION, overCap: false) == .other)
        #expect(classifyCurlCode(CURLE_WRITE_ERROR, overCap: false) == .other)
    }

    @Test func errorExcerptsAreOneReadableLine() {
        let cloudflare = """
            <!DOCTYPE html>
            <html><head><title>Attention Required! | Cloudflare</title>
            <style>body { color: red }</style><script>var x = "<b>";</script></head>
            <body><!-- comment --><h1>Sorry, you have been blocked</h1>
            <p>You are   unable to access &amp; polymarket.com</p></body></html>
            """
        #expect(ResponseExcerpt.of(Array(cloudflare.utf8))
                == "Attention Required! | Cloudflare: Sorry, you have been blocked You are unable to access & polymarket.com")
        let gateway = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>cloudflare</center>\n</body>\n</html>\n"
        #expect(ResponseExcerpt.of(Array(gateway.utf8)) == "502 Bad Gateway cloudflare")
        #expect(ResponseExcerpt.of(Array("{\"error\":\n  \"Service Unavailable\"}".utf8)) == "{\"error\": \"Service Unavailable\"}")
        #expect(ResponseExcerpt.of([]) == "(empty body)")
        let long = ResponseExcerpt.of(Array(String(repeating: "abc ", count: 200).utf8))
        #expect(long.count == 200 && long.hasSuffix("…"))
        #expect(ResponseExcerpt.of([0xFF, 0xFE, 0x41]).hasSuffix("A"))   // invalid UTF-8 does not trap
    }
}
