import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The sliding-window limiter on a manual clock: no sleeping.
@Suite struct HTTPRateLimiterTests {
    @Test func allowsTheLimitThenQueuesUntilTheWindowSlides() {
        let clock = ManualClock(milliseconds: 1_000_000)
        let limiter = RateLimiter(limits: ["k": RateLimit(5, perMilliseconds: 1_000)], clock: clock)
        #expect((0..<5).map { _ in limiter.reserve("k") } == [0, 0, 0, 0, 0])
        #expect(limiter.reserve("k") == 1_000)          // 6th: when the 1st leaves the window
        clock.advance(milliseconds: 600)
        #expect(limiter.reserve("k") == 400)            // 7th: the 2nd leaves at +1000
        clock.advance(milliseconds: 2_000)              // everything has left
        #expect((0..<3).map { _ in limiter.reserve("k") } == [0, 0, 0])
    }

    @Test func windowIsSlidingNotFixed() {
        let clock = ManualClock(milliseconds: 0)
        let limiter = RateLimiter(limits: ["k": RateLimit(2, perMilliseconds: 1_000)], clock: clock)
        #expect(limiter.reserve("k") == 0)              // t=0
        clock.set(milliseconds: 900)
        #expect(limiter.reserve("k") == 0)              // t=900
        clock.set(milliseconds: 1_100)
        #expect(limiter.reserve("k") == 0)              // t=1100: only t=900 is in (100, 1100]
        #expect(limiter.reserve("k") == 800)            // next when t=900 leaves: 1900
    }

    @Test func waitersAreServedInOrder() {
        let clock = ManualClock(milliseconds: 0)
        let limiter = RateLimiter(limits: ["k": RateLimit(2, perMilliseconds: 100)], clock: clock)
        let waits = (0..<8).map { _ in limiter.reserve("k") }
        #expect(waits == [0, 0, 100, 100, 200, 200, 300, 300])
        // Never more than 2 grants in any 100 ms window.
        for (i, w) in waits.enumerated() where i >= 2 { #expect(w - waits[i - 2] >= 100) }
    }

    @Test func bucketsAreIndependentAndFallBackToTheirPrefix() {
        let clock = ManualClock(milliseconds: 0)
        let limiter = RateLimiter(limits: ["clob": RateLimit(1, perMilliseconds: 1_000),
                                           "clob.book": RateLimit(1, perMilliseconds: 1_000)], clock: clock)
        #expect(limiter.bucket(for: "clob.book") == "clob.book")
        #expect(limiter.bucket(for: "clob.prices") == "clob")
        #expect(limiter.bucket(for: "clob.prices.history") == "clob")
        #expect(limiter.bucket(for: "gamma.markets") == nil)
        #expect(limiter.reserve("clob.book") == 0)
        #expect(limiter.reserve("clob.midpoint") == 0)    // the "clob" bucket, not "clob.book"
        #expect(limiter.reserve("clob.book") == 1_000)
        #expect(limiter.reserve("clob") == 1_000)
        #expect(limiter.reserve("gamma.markets") == 0)    // unconfigured: unlimited
        #expect(limiter.reserve("") == 0)
    }

    @Test func nonPositiveLimitsMeanUnlimited() {
        let limiter = RateLimiter(limits: ["a": RateLimit(0, perMilliseconds: 1_000), "b": RateLimit(5, perMilliseconds: 0)],
                                  clock: ManualClock(milliseconds: 0))
        #expect((0..<100).allSatisfy { _ in limiter.reserve("a") == 0 && limiter.reserve("b") == 0 })
    }

    @Test func clockSteppingBackNeverGivesNegativeOrRunawayWaits() {
        let clock = ManualClock(milliseconds: 10_000)
        let limiter = RateLimiter(limits: ["k": RateLimit(1, perMilliseconds: 1_000)], clock: clock)
        #expect(limiter.reserve("k") == 0)
        clock.set(milliseconds: 5_000)
        #expect(limiter.reserve("k") == 6_000)          // slot at 11_000: spacing is kept
        clock.set(milliseconds: Int64.max - 10)
        #expect(limiter.reserve("k") == 0)
        #expect(limiter.reserve("k") >= 0)              // Int64.max overflow saturates
    }

    @Test func polymarketDefaultsAreTheDocumentedLimits() {
        let limits = HTTPConfig().rateLimits
        let expected: [String: Int] = ["gamma.markets": 300, "gamma": 4_000, "clob.book": 1_500, "clob.books": 500,
                                       "clob": 9_000, "data.trades": 200, "data": 1_000]
        #expect(limits.count == expected.count)
        for (key, limit) in expected {
            #expect(limits[key] == RateLimit(limit, perMilliseconds: 10_000))
        }
        let config = HTTPConfig()
        #expect(config.connectTimeoutMs == 5_000 && config.totalTimeoutMs == 15_000)
        #expect(config.maxResponseBytes == 16 * 1024 * 1024)
        #expect(config.verifyTLS && !config.followRedirects)
        #expect(config.userAgent == "pmingest/" + HTTPConfig.libraryVersion)
        #expect(config.retry == RetryPolicy(maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 10_000, multiplier: 2,
                                            maxRetryAfterMs: 60_000))
    }
}
