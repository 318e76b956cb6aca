import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// A Gamma that never ends its listing: every page holds fresh markets, whatever the offset or
/// cursor. `endAfterPages` makes it end after that many pages (an empty page; on the keyset
/// endpoint a page without next_cursor), so a client without a page budget fails these tests
/// instead of running forever.
final class EndlessGammaTransport: HTTPTransport, @unchecked Sendable {
    private let lock = Lock()
    private var served = 0
    let pageSize: Int
    let endAfterPages: Int
    /// Page numbers (0-based) whose request never answers until the call is cancelled (or
    /// `hangLimitMs` passes: then it answers the page as usual).
    let hangPages: Set<Int>
    let hangLimitMs: Int

    init(pageSize: Int = 3, endAfterPages: Int = 200, hangPages: Set<Int> = [], hangLimitMs: Int = 20_000) {
        self.pageSize = pageSize
        self.endAfterPages = endAfterPages
        self.hangPages = hangPages
        self.hangLimitMs = hangLimitMs
    }

    var pagesServed: Int { lock.withLock { served } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let page: Int = lock.withLock {
            served += 1
            return served - 1
        }
        if hangPages.contains(page) {
            do { try await Task.sleep(nanoseconds: UInt64(hangLimitMs) * 1_000_000) } catch {
                throw PMError(.cancelled, "cancelled while hanging")
            }
        }
        let keyset = request.url.contains("/keyset?")
        if page >= endAfterPages { return HTTPResponse(status: 200, body: Array((keyset ? #"{"markets":[]}"# : "[]").utf8)) }
        let rows = (0..<pageSize).map { index -> String in
            let n = page * pageSize + index
            return #"{"id":"\#(n)","conditionId":"0xe\#(n)","active":true,"closed":false,"clobTokenIds":"[\"\#(1000 + 2 * n)\",\"\#(1001 + 2 * n)\"]","outcomes":"[\"Yes\",\"No\"]"}"#
        }
        let list = "[\(rows.joined(separator: ","))]"
        return HTTPResponse(status: 200, body: Array((keyset ? #"{"markets":\#(list),"next_cursor":"c\#(page + 1)"}"# : list).utf8))
    }
}

/// The listing's error, or nil when it succeeded (keeps a failure's report short: no market dump).
func listingError(_ body: () async throws -> some Any) async -> PMError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? PMError ?? PMError(.internal, "\(error)")
    }
}

@Suite struct MarketListingBudgetTests {
    let endpoints = PolymarketEndpoints(gammaURL: "http://fake/gamma", clobURL: "http://fake/clob", dataURL: "http://fake/data")

    @Test func defaultsAreDocumented() {
        let budget = ListingBudget()
        #expect(budget.maxPages == 1_000)
        #expect(budget.timeoutMs == 300_000)
    }

    @Test func badBudgetsAreRefused() {
        for budget in [ListingBudget(maxPages: 0), ListingBudget(timeoutMs: 0), ListingBudget(maxPages: -1, timeoutMs: -1)] {
            #expect { try PolymarketClient(endpoints: endpoints, transport: EndlessGammaTransport(), listingBudget: budget) } throws: {
                ($0 as? PMError)?.kind == .invalidArgument
            }
        }
    }

    @Test func endlessListingStopsAtThePageBudget() async throws {
        let transport = EndlessGammaTransport()
        let client = try PolymarketClient(endpoints: endpoints, transport: transport, marketsPageSize: 3,
                                          listingBudget: ListingBudget(maxPages: 5, timeoutMs: 60_000))
        let error = await listingError { try await client.fetchActiveMarkets() }
        #expect(error?.kind == .tooLarge)
        #expect(error?.message.contains("5 pages") == true && error?.message.contains("15 markets") == true, "\(String(describing: error))")
        #expect(error?.message.contains("listing_max_pages") == true, "\(String(describing: error))")
        #expect(transport.pagesServed == 5)   // not a page more
    }

    @Test func aListingThatEndsWithinTheBudgetSucceeds() async throws {
        // 4 full pages and the final (empty, cursor-less) one: exactly 5 pages.
        let transport = EndlessGammaTransport(endAfterPages: 4)
        let client = try PolymarketClient(endpoints: endpoints, transport: transport, marketsPageSize: 3,
                                          listingBudget: ListingBudget(maxPages: 5, timeoutMs: 60_000))
        #expect(try await client.fetchActiveMarkets().count == 12)
    }

    @Test func aHangingPageEndsAtTheTimeBudget() async throws {
        let transport = EndlessGammaTransport(endAfterPages: 3, hangPages: [1])
        let client = try PolymarketClient(endpoints: endpoints, transport: transport, marketsPageSize: 3,
                                          listingBudget: ListingBudget(maxPages: 1_000, timeoutMs: 300))
        let error = await listingError { try await client.fetchActiveMarkets() }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("300 ms") == true && error?.message.contains("listing_timeout_ms") == true,
                "\(String(describing: error))")
        #expect(error?.message.contains("1 page") == true && error?.message.contains("3 markets") == true, "\(String(describing: error))")
    }

    @Test func callerCancellationStaysCancellation() async throws {
        let transport = EndlessGammaTransport(hangPages: [0])
        let client = try PolymarketClient(endpoints: endpoints, transport: transport,
                                          listingBudget: ListingBudget(maxPages: 1_000, timeoutMs: 60_000))
        let token = CancellationToken()
        let call = Task.detached { () -> PMError.Kind? in
            do {
                _ = try Blocking.run(token: token) { try await client.fetchActiveMarkets() }
                return nil
            } catch let error as PMError { return error.kind } catch { return .internal }
        }
        while transport.pagesServed == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
        token.cancel()
        #expect(await call.value == .cancelled)
    }

    /// Over real libcurl against the fake's endless Gamma: both budgets end the listing, and a
    /// metadata sync inherits them without writing anything.
    @Test func endlessFakeGammaIsBoundedOverHTTP() async throws {
        let session = try await FakePolymarket.shared.newSession()
        _ = try await FakeSession.call(session.control, .post, "\(session.root)/_control/sessions/\(session.id)/config",
                                       json: ["gamma_endless": true, "gamma_limit_max": 2])
        let transport = try CurlTransport(config: HTTPConfig(connectTimeoutMs: 2_000, totalTimeoutMs: 5_000, rateLimits: [:]))
        defer { transport.shutdown() }
        let urls = PolymarketEndpoints(gammaURL: session.gammaURL, clobURL: session.clobURL, dataURL: session.dataURL)

        let paged = try PolymarketClient(endpoints: urls, transport: transport, listingBudget: ListingBudget(maxPages: 5, timeoutMs: 60_000))
        let pagedError = await listingError { try await paged.fetchActiveMarkets() }
        #expect(pagedError?.kind == .tooLarge && pagedError?.message.contains("10 markets") == true, "\(String(describing: pagedError))")
        let database = try Database(.inMemory())
        let syncError = await listingError { try await MetadataSync(client: paged, database: database).sync() }
        #expect(syncError?.kind == .tooLarge, "\(String(describing: syncError))")
        #expect(try TokenMetaRepository(database).list().isEmpty)

        let timed = try PolymarketClient(endpoints: urls, transport: transport,
                                         listingBudget: ListingBudget(maxPages: 100_000_000, timeoutMs: 1_000))
        let timedError = await listingError { try await timed.fetchActiveMarkets() }
        #expect(timedError?.kind == .timeout && timedError?.message.contains("listing_timeout_ms") == true,
                "\(String(describing: timedError))")
    }

    /// The time budget cuts across retries and a request that hangs: the in-flight request is
    /// cancelled when the budget runs out, long before its own timeouts and retries would end it.
    @Test func hangingFakePageEndsAtTheTimeBudgetOverHTTP() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets/keyset", hang: true)])
        let transport = try CurlTransport(config: HTTPConfig(connectTimeoutMs: 2_000, totalTimeoutMs: 60_000, rateLimits: [:]))
        defer { transport.shutdown() }
        let client = try PolymarketClient(
            endpoints: PolymarketEndpoints(gammaURL: session.gammaURL, clobURL: session.clobURL, dataURL: session.dataURL),
            transport: transport, listingBudget: ListingBudget(maxPages: 1_000, timeoutMs: 1_000))
        let error = await listingError { try await client.fetchActiveMarkets() }
        #expect(error?.kind == .timeout && error?.message.contains("listing_timeout_ms") == true, "\(String(describing: error))")
        #expect(try await session.requests(path: "/gamma/markets/keyset").count == 1)
    }
}
