import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// `HTTPConfig.deadlineMs`: one bound on a call across attempts, back-offs and waits, against the
/// fake server's hung and slow answers. Upper bounds leave room for a loaded machine.
@Suite struct CallDeadlineTests {
    static let condition = "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"

    static func config(deadlineMs: Int, maxAttempts: Int = 4, totalTimeoutMs: Int = 5_000,
                       baseDelayMs: Int = 10) -> HTTPConfig {
        HTTPConfig(connectTimeoutMs: 2_000, totalTimeoutMs: totalTimeoutMs,
                   retry: RetryPolicy(maxAttempts: maxAttempts, baseDelayMs: baseDelayMs, maxDelayMs: 100),
                   rateLimits: [:], deadlineMs: deadlineMs)
    }

    static func client(_ session: FakeSession, _ transport: CurlTransport) throws -> PolymarketClient {
        try PolymarketClient(endpoints: PolymarketEndpoints(gammaURL: session.gammaURL, clobURL: session.clobURL,
                                                            dataURL: session.dataURL), transport: transport)
    }

    @Test func theDefaultIsTwentySeconds() {
        #expect(HTTPConfig().deadlineMs == 20_000)
        #expect(HTTPConfig.defaultDeadlineMs == 20_000)
    }

    /// 4 attempts × 5 s would hold the call for 20 s; the 1.5 s deadline ends it at 1.5 s.
    @Test func aHungServerEndsAtTheDeadline() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/clob/book", hang: true)])
        let http = try HTTPTest.transport(Self.config(deadlineMs: 1_500))
        defer { http.shutdown() }
        let result = await HTTPTest.timed {
            try await http.send(HTTPRequest(url: session.clobURL + "/book?token_id=" + HTTPTest.tokenA))
        }
        let message = result.error?.message ?? ""
        #expect(result.error?.kind == .timeout, "\(String(describing: result.error))")
        #expect(message.contains("deadline of 1500 ms") && message.contains("deadline_ms"), "\(message)")
        #expect(message.contains("1 attempt made") && message.contains("timed out"), "\(message)")
        #expect(message.contains("/clob/book"), "\(message)")
        #expect(result.seconds >= 1.3 && result.seconds < 1.5 + 5, "\(result.seconds)")
    }

    /// Attempts that each time out on their own timeout are retried until the deadline's remainder
    /// is what cuts the last one.
    @Test func retriesStopAtTheDeadline() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets", hang: true)])
        let http = try HTTPTest.transport(Self.config(deadlineMs: 2_000, maxAttempts: 10, totalTimeoutMs: 500))
        defer { http.shutdown() }
        let result = await HTTPTest.timed { try await http.send(HTTPRequest(url: session.gammaURL + "/markets")) }
        let message = result.error?.message ?? ""
        #expect(result.error?.kind == .timeout)
        // About 4 attempts of 500 ms fit in 2 s (fewer on a loaded machine, where a timer can fire
        // late; at least 2 unless one attempt overran by 1.5 s); never the 10 allowed.
        #expect(message.contains("deadline of 2000 ms") && message.contains("attempts made"), "\(message)")
        #expect(result.seconds >= 1.9 && result.seconds < 2 + 5, "\(result.seconds)")
        #expect((2...4).contains(try await session.requests(path: "/gamma/markets").count))
    }

    /// A back-off that would pass the deadline is not started: the call fails at once, naming the
    /// last failure (the 503) and keeping its status.
    @Test func aWaitPastTheDeadlineIsNotStarted() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        // Margins for a loaded machine: waiting (wrongly) would take the whole 5 s deadline.
        try await session.addFaults([FakeFault(path: "/gamma/markets", status: 503, headers: ["Retry-After": "10"])])
        let http = try HTTPTest.transport(Self.config(deadlineMs: 5_000))
        defer { http.shutdown() }
        let result = await HTTPTest.timed { try await http.send(HTTPRequest(url: session.gammaURL + "/markets")) }
        let message = result.error?.message ?? ""
        #expect(result.error?.kind == .timeout && result.error?.httpStatus == 503, "\(String(describing: result.error))")
        #expect(message.contains("1 attempt made") && message.contains("HTTP 503"), "\(message)")
        #expect(result.seconds < 4, "\(result.seconds)")
        #expect(try await session.requests(path: "/gamma/markets").count == 1)
    }

    /// A rate-limit wait longer than the deadline fails before any attempt.
    @Test func aRateLimitWaitPastTheDeadlineFailsAtOnce() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        // The first call must fit the deadline even on a loaded machine; waiting (wrongly) for the
        // 60 s rate-limit slot would take the whole 3 s deadline.
        var config = Self.config(deadlineMs: 3_000)
        config.rateLimits = ["gamma": RateLimit(1, perMilliseconds: 60_000)]
        let http = try HTTPTest.transport(config)
        defer { http.shutdown() }
        let url = session.gammaURL + "/markets"
        _ = try await http.send(HTTPRequest(url: url, endpoint: "gamma"))
        let result = await HTTPTest.timed { try await http.send(HTTPRequest(url: url, endpoint: "gamma")) }
        let message = result.error?.message ?? ""
        #expect(result.error?.kind == .timeout)
        #expect(message.contains("0 attempts made") && message.contains("rate-limit wait"), "\(message)")
        #expect(result.seconds < 2, "\(result.seconds)")
    }

    /// deadlineMs 0: no deadline, the per-attempt timeouts and attempts alone bound the call.
    @Test func zeroMeansNoDeadline() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets", hang: true)])
        let http = try HTTPTest.transport(Self.config(deadlineMs: 0, maxAttempts: 2, totalTimeoutMs: 300))
        defer { http.shutdown() }
        let result = await HTTPTest.timed { try await http.send(HTTPRequest(url: session.gammaURL + "/markets")) }
        let message = result.error?.message ?? ""
        #expect(result.error?.kind == .timeout)
        #expect(message.contains("after 2 attempts") && !message.contains("deadline"), "\(message)")
    }

    /// G5 fails closed at the deadline with the deadline as its reason.
    @Test func verifyOrderbookPriceHonoursTheDeadline() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/clob/book", hang: true)])
        let http = try HTTPTest.transport(Self.config(deadlineMs: 1_500))
        defer { http.shutdown() }
        let client = try Self.client(session, http)
        let start = ContinuousClock.now
        let answer = try await verifyOrderbookPrice(client: client, tokenId: HTTPTest.tokenA, expectedPrice: Price("0.5"))
        let seconds = HTTPTest.seconds(since: start)
        #expect(!answer.isValid && answer.reason.contains("deadline of 1500 ms"), "\(answer.reason)")
        #expect(seconds >= 1.3 && seconds < 1.5 + 5, "\(seconds)")
    }

    /// G3 back-fill: the condition lookup and the tape request share one deadline, so a slow lookup
    /// followed by a hung tape still ends at the deadline, not at two.
    @Test func tradeSizeLookupSharesOneDeadline() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.setState(#"{"market_by_token":{"\#(HTTPTest.tokenA)":"\#(Self.condition)"}}"#)
        // A 2 s lookup, then a hung tape: one shared 4 s deadline ends at 4 s, a deadline per
        // request would end at 6 s.
        try await session.addFaults([FakeFault(path: "/clob/markets-by-token/*", delayMs: 2_000),
                                     FakeFault(path: "/data/trades", hang: true)])
        let http = try HTTPTest.transport(Self.config(deadlineMs: 4_000))
        defer { http.shutdown() }
        let fetcher = try TradeFetcher(source: Self.client(session, http))
        let result = await HTTPTest.timed {
            try await fetcher.fetchTradeSizeAtPrice(tokenId: HTTPTest.tokenA, targetPrice: Price("0.5"))
        }
        let message = result.error?.message ?? ""
        #expect(result.error?.kind == .timeout && message.contains("deadline of 4000 ms"), "\(message)")
        #expect(message.contains("/data/trades"), "\(message)")
        #expect(result.seconds >= 3.8 && result.seconds < 5.5, "\(result.seconds)")
        #expect(try await session.requests(path: "/data/trades").count == 1)
    }

    // MARK: the budget, pure

    @Test func theBudgetCutsEachAttemptToWhatRemains() throws {
        let clock = ManualClock(milliseconds: 1_000)
        let budget = DeadlineBudget(budgetMs: 500, clock: clock)
        let spec = try CurlTransport.validate(HTTPRequest(url: "http://x/"), HTTPConfig(connectTimeoutMs: 300, totalTimeoutMs: 800))
        let first = try #require(budget.limit(spec))
        #expect(first.spec.totalTimeoutMs == 500 && first.spec.connectTimeoutMs == 300 && first.cut)
        clock.advance(milliseconds: 400)
        let second = try #require(budget.limit(spec))
        #expect(second.spec.totalTimeoutMs == 100 && second.spec.connectTimeoutMs == 100)
        #expect(budget.wouldPass(afterMilliseconds: 100) && !budget.wouldPass(afterMilliseconds: 99))
        clock.advance(milliseconds: 100)
        #expect(budget.limit(spec) == nil)

        let none = DeadlineBudget(budgetMs: 0, clock: clock)
        #expect(none.remainingMs() == nil && !none.wouldPass(afterMilliseconds: .max))
        let uncut = try #require(none.limit(spec))
        #expect(uncut.spec.totalTimeoutMs == 800 && !uncut.cut)
    }

    @Test func aScopeStartsTheDeadlineOnceForAllItsRequests() async throws {
        let remaining: Int64? = try await CallDeadline.scope {
            try await Task.sleep(nanoseconds: 300_000_000)
            return try await CallDeadline.scope { DeadlineBudget(budgetMs: 1_000).remainingMs() }   // the outer start wins
        }
        #expect(remaining.map { $0 <= 720 } == true, "\(String(describing: remaining))")
        #expect(DeadlineBudget(budgetMs: 1_000).remainingMs().map { $0 >= 990 } == true)
    }
}
