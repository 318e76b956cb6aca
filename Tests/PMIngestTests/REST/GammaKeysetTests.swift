import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The keyset walk of Gamma listings (GammaListing.swift; docs/wire/gamma.md): after_cursor,
/// the envelope, the end, the fallback, cycles, duplicates, budgets; and the same over HTTP
/// against the fake.
@Suite struct GammaKeysetTests {
    let endpoints = PolymarketEndpoints(gammaURL: "http://fake/gamma", clobURL: "http://fake/clob", dataURL: "http://fake/data")

    func market(_ n: Int, closed: Bool = false) -> String {
        #"{"id":"\#(n)","conditionId":"0xc\#(n)","active":true,"closed":\#(closed),"version":"v2","positionIds":["\#(n)1","\#(n)2"],"outcomes":"[\"Yes\",\"No\"]"}"#
    }

    func page(_ numbers: [Int], next: String?) -> String {
        let cursor = next.map { #","next_cursor":"\#($0)""# } ?? ""
        return #"{"markets":[\#(numbers.map { market($0) }.joined(separator: ","))]\#(cursor)}"#
    }

    static let first = "http://fake/gamma/markets/keyset?active=true&closed=false&limit=2"

    func client(_ transport: ScriptedTransport, budget: ListingBudget = ListingBudget()) throws -> PolymarketClient {
        try PolymarketClient(endpoints: endpoints, transport: transport, marketsPageSize: 2, listingBudget: budget)
    }

    @Test func followsNextCursorAsAfterCursorUntilItIsMissing() async throws {
        let transport = ScriptedTransport()
        transport.on(Self.first, body: page([1, 2], next: "c2"))
        transport.on(Self.first + "&after_cursor=c2", body: page([3], next: "c3"))   // short page: not the end
        transport.on(Self.first + "&after_cursor=c3", body: page([], next: "c4"))    // empty page: not the end
        transport.on(Self.first + "&after_cursor=c4", body: page([4, 5], next: nil))
        let markets = try await client(transport).fetchActiveMarkets()
        #expect(markets.map(\.conditionId) == ["0xc1", "0xc2", "0xc3", "0xc4", "0xc5"])
        #expect(markets.allSatisfy { $0.protocolVersion == .v2 && $0.tokens.count == 2 })
        #expect(transport.urls.count == 4)
        #expect(transport.urls.allSatisfy { !$0.contains("offset") && !$0.contains("&cursor=") })
    }

    @Test func nullOrEmptyCursorEndsToo() async throws {
        for end in [#","next_cursor":null"#, #","next_cursor":"""#] {
            let transport = ScriptedTransport()
            transport.on(Self.first, body: #"{"markets":[\#(market(1))]\#(end)}"#)
            #expect(try await client(transport).fetchActiveMarkets().count == 1)
            #expect(transport.urls.count == 1)
        }
    }

    @Test func pageSizeIsAtMostTheKeysetMaximum() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/gamma/markets/keyset", body: page([1], next: nil))
        let client = try PolymarketClient(endpoints: endpoints, transport: transport)   // 500 a page by default
        _ = try await client.fetchActiveMarkets()
        #expect(transport.urls == ["http://fake/gamma/markets/keyset?active=true&closed=false&limit=100"])
    }

    @Test func closedOrInactiveMarketsAreLeftOutAndDuplicatesKeptOnce() async throws {
        let transport = ScriptedTransport()
        transport.on(Self.first, body: page([1, 2], next: "c2"))
        transport.on(Self.first + "&after_cursor=c2", body: #"{"markets":[\#(market(2)),\#(market(3, closed: true)),\#(market(4))]}"#)
        let markets = try await client(transport).fetchActiveMarkets()
        #expect(markets.map(\.conditionId) == ["0xc1", "0xc2", "0xc4"])
    }

    @Test func aCursorThatComesBackIsRefused() async throws {
        let transport = ScriptedTransport()
        transport.on(Self.first, body: page([1], next: "c2"))
        transport.on(Self.first + "&after_cursor=c2", body: page([2], next: "c3"))
        transport.on(Self.first + "&after_cursor=c3", body: page([3], next: "c2"))
        let error = await listingError { try await client(transport).fetchActiveMarkets() }
        #expect(error?.kind == .parse && error?.message.contains("c2") == true && error?.message.contains("cycle") == true,
                "\(String(describing: error))")
        #expect(transport.urls.count == 3)
    }

    @Test func aPageOfOnlySeenMarketsIsRefused() async throws {
        // What a server does with `cursor=` instead of `after_cursor`: page 1 again, a fresh cursor.
        let transport = ScriptedTransport()
        transport.on(Self.first, body: page([1, 2], next: "c2"))
        transport.on(Self.first + "&after_cursor=c2", body: page([1, 2], next: "c3"))
        let error = await listingError { try await client(transport).fetchActiveMarkets() }
        #expect(error?.kind == .parse && error?.message.contains("already listed") == true, "\(String(describing: error))")
    }

    @Test func fallsBackToOffsetOnlyWhenTheFirstKeysetPageIs404Or410() async throws {
        for status in [404, 410] {
            let transport = ScriptedTransport()
            transport.on("http://fake/gamma/markets?", body: "[]")
            transport.on("http://fake/gamma/markets?active=true&closed=false&limit=2&offset=0", body: "[\(market(7))]")
            transport.on("http://fake/gamma/markets/keyset", status: status, body: "gone")
            let markets = try await client(transport).fetchActiveMarkets()
            #expect(markets.map(\.conditionId) == ["0xc7"])
            #expect(transport.urls == [Self.first, "http://fake/gamma/markets?active=true&closed=false&limit=2&offset=0",
                                       "http://fake/gamma/markets?active=true&closed=false&limit=2&offset=1"])
        }
    }

    @Test func otherFirstPageErrorsDoNotFallBack() async throws {
        for status in [400, 403, 500] {
            let transport = ScriptedTransport()
            transport.on("http://fake/gamma/markets", body: "[]")
            transport.on("http://fake/gamma/markets/keyset", status: status, body: "no")
            let error = await listingError { try await client(transport).fetchActiveMarkets() }
            #expect(error?.kind == .http && error?.httpStatus == status)
            #expect(transport.urls.allSatisfy { $0.contains("/keyset") })
        }
    }

    @Test func a404MidWalkIsAnErrorNotAFallback() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/gamma/markets?", body: "[\(market(9))]")
        transport.on(Self.first, body: page([1], next: "c2"))
        transport.on(Self.first + "&after_cursor=c2", status: 404, body: "expired cursor")
        let error = await listingError { try await client(transport).fetchActiveMarkets() }
        #expect(error?.kind == .http && error?.httpStatus == 404 && error?.message.contains("middle") == true,
                "\(String(describing: error))")
        #expect(transport.urls.count == 2)
    }

    @Test func badEnvelopesAreParseErrors() async throws {
        for body in ["[]", #"{"next_cursor":"x"}"#, #"{"markets":{},"next_cursor":null}"#, #"{"markets":[],"next_cursor":5}"#,
                     #"{"markets":[{"id":"1","conditionId":"0xc1","version":"v7"}]}"#] {
            let transport = ScriptedTransport()
            transport.on(Self.first, body: body)
            let error = await listingError { try await client(transport).fetchActiveMarkets() }
            #expect(error?.kind == .parse, "\(body): \(String(describing: error))")
        }
        let transport = ScriptedTransport()
        transport.on(Self.first, body: #"{"markets":null}"#)   // null: an empty final page
        #expect(try await client(transport).fetchActiveMarkets().isEmpty)
    }

    @Test func thePageBudgetBoundsTheKeysetWalk() async throws {
        let transport = ScriptedTransport()
        transport.on(Self.first, body: page([1], next: "c2"))
        transport.on(Self.first + "&after_cursor=c2", body: page([2], next: "c3"))
        transport.on(Self.first + "&after_cursor=c3", body: page([3], next: "c4"))
        let error = await listingError { try await client(transport, budget: ListingBudget(maxPages: 2)).fetchActiveMarkets() }
        #expect(error?.kind == .tooLarge && error?.message.contains("listing_max_pages") == true
                && error?.message.contains("2 markets seen") == true && error?.message.contains("c3") == true,
                "\(String(describing: error))")
        #expect(transport.urls.count == 2)
    }

    @Test func eventsWalkTheirKeysetWithClosedAsAsked() async throws {
        let transport = ScriptedTransport()
        let event = { (n: Int, closed: Bool) in #"{"id":"90\#(n)","slug":"e\#(n)","title":"E\#(n)","active":true,"closed":\#(closed),"markets":[\#(market(n))]}"# }
        transport.on("http://fake/gamma/events/keyset?closed=false&limit=2", body: #"{"events":[\#(event(1, false))],"next_cursor":"e2"}"#)
        transport.on("http://fake/gamma/events/keyset?closed=false&limit=2&after_cursor=e2",
                     body: #"{"events":[\#(event(2, false)),\#(event(3, true))]}"#)
        transport.on("http://fake/gamma/events/keyset?closed=true&limit=2", body: #"{"events":[\#(event(4, true))]}"#)
        let client = try client(transport)
        let open = try await client.fetchEvents()
        #expect(open.map(\.id) == ["901", "902"])   // a closed one the server let through is left out
        #expect(open[0].markets.map(\.conditionId) == ["0xc1"] && open[0].markets[0].protocolVersion == .v2)
        #expect(try await client.fetchEvents(closed: true).map(\.id) == ["904"])
    }

    @Test func eventsFallBackToTheLegacyListing() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/gamma/events?", body: "[]")
        transport.on("http://fake/gamma/events?closed=false&limit=2&offset=0", body: #"[{"id":"1","markets":[\#(market(1))]}]"#)
        transport.on("http://fake/gamma/events/keyset", status: 404, body: "")
        let pages = PageCounter()
        let events = try await client(transport).fetchEvents(onPage: { page, _ in pages.add(page) })
        #expect(events.map(\.id) == ["1"] && events[0].markets.count == 1)
        #expect(pages.values == [1, 2])
    }

    // MARK: over HTTP, against the fake

    func fakeClient(_ session: FakeSession, pageSize: Int = 2, budget: ListingBudget = ListingBudget()) throws -> (PolymarketClient, CurlTransport) {
        let transport = try CurlTransport(config: HTTPConfig(connectTimeoutMs: 2_000, totalTimeoutMs: 10_000, rateLimits: [:]))
        let client = try PolymarketClient(
            endpoints: PolymarketEndpoints(gammaURL: session.gammaURL, clobURL: session.clobURL, dataURL: session.dataURL),
            transport: transport, marketsPageSize: pageSize, listingBudget: budget)
        return (client, transport)
    }

    static func fakeMarket(_ n: Int, closed: Bool = false, v2Form: String? = nil) -> String {
        let ids = #"["\#(40_000 + 2 * n)","\#(40_001 + 2 * n)"]"#
        let idFields: String
        switch v2Form {
        case "array": idFields = #""version":"v2","positionIds":\#(ids),"clobTokenIds":"[\"1\",\"2\"]""#
        case "string": idFields = #""version":"v2","positionIds":"\#(ids.replacingOccurrences(of: "\"", with: "\\\""))""#
        default: idFields = #""clobTokenIds":"\#(ids.replacingOccurrences(of: "\"", with: "\\\""))""#
        }
        return #"{"id":"\#(n)","conditionId":"0x\#(String(repeating: "0", count: 60))\#(String(format: "%04d", n))","active":\#(!closed),"closed":\#(closed),"outcomes":"[\"Yes\",\"No\"]","feesEnabled":true,"liquidityClob":1.5,\#(idFields)}"#
    }

    @Test func fakeKeysetListingWithV2MarketsOverHTTP() async throws {
        let session = try await FakePolymarket.shared.newSession()
        let markets = (0..<5).map { Self.fakeMarket($0, v2Form: $0 == 0 ? nil : ($0 % 2 == 0 ? "array" : "string")) }
            + [Self.fakeMarket(5, closed: true)]
        try await session.setState(#"{"markets":[\#(markets.joined(separator: ","))]}"#)
        let (client, transport) = try fakeClient(session)
        defer { transport.shutdown() }
        let listed = try await client.fetchActiveMarkets()
        #expect(listed.map(\.id) == ["0", "1", "2", "3", "4"])
        #expect(listed.map(\.protocolVersion) == [.v1, .v2, .v2, .v2, .v2])
        #expect(listed[2].tokens.map(\.tokenId) == ["40004", "40005"])   // positionIds, not the stale clobTokenIds
        #expect(listed[1].tokens.map(\.tokenId) == ["40002", "40003"])
        let requests = try await session.requests(path: "/gamma/*")
        #expect(requests.map(\.path) == Array(repeating: "/gamma/markets/keyset", count: 3))
        #expect(requests.dropFirst().allSatisfy { $0.rawQuery.contains("after_cursor=") })

        // Stored with their versions by a metadata sync.
        let database = try Database(.inMemory())
        let report = try await MetadataSync(client: client, database: database).sync()
        #expect(report.marketsByProtocol == [.v1: 1, .v2: 4])
        let stored = try TokenMetaRepository(database).get(tokenId: "40004")
        #expect(stored?.protocolVersion == .v2)
        #expect(try TokenMetaRepository(database).get(tokenId: "40000")?.protocolVersion == .v1)
    }

    @Test func fakeKeysetGoneFallsBackOverHTTP() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        _ = try await FakeSession.call(session.control, .post, "\(session.root)/_control/sessions/\(session.id)/config",
                                       json: ["gamma_keyset": false])
        let (client, transport) = try fakeClient(session)
        defer { transport.shutdown() }
        #expect(try await client.fetchActiveMarkets().count == 4)
        #expect(try await session.requests(path: "/gamma/markets/keyset").count == 1)
        #expect(try await session.requests(path: "/gamma/markets").count == 3)   // 2 + 2 + the empty page
    }

    @Test func fakeRepeatingCursorAndEndFormsOverHTTP() async throws {
        let session = try await FakePolymarket.shared.newSession()
        let markets = (0..<6).map { Self.fakeMarket($0, v2Form: "array") }
        try await session.setState(#"{"markets":[\#(markets.joined(separator: ","))],"config":{"gamma_keyset_cursor_repeat":true}}"#)
        let (client, transport) = try fakeClient(session)
        defer { transport.shutdown() }
        let error = await listingError { try await client.fetchActiveMarkets() }
        #expect(error?.kind == .parse && error?.message.contains("cycle") == true, "\(String(describing: error))")
        for end in ["null", "empty"] {
            try await session.setState(#"{"config":{"gamma_keyset_cursor_repeat":false,"gamma_keyset_end":"\#(end)"}}"#)
            #expect(try await client.fetchActiveMarkets().count == 6)
        }
    }

    @Test func fakeEventsOverHTTP() async throws {
        let session = try await FakePolymarket.shared.newSession()
        let events = (0..<3).map { n in
            #"{"id":"\#(700 + n)","slug":"ev-\#(n)","title":"Event \#(n)","active":true,"closed":\#(n == 2),"markets":[\#(Self.fakeMarket(n, v2Form: "array"))]}"#
        }
        try await session.setState(#"{"events":[\#(events.joined(separator: ","))],"config":{"gamma_keyset_events_max":1}}"#)
        let (client, transport) = try fakeClient(session, pageSize: 500)
        defer { transport.shutdown() }
        let open = try await client.fetchEvents()
        #expect(open.map(\.id) == ["700", "701"])   // clamped to 1 a page: followed by cursor
        #expect(open.map { $0.markets.first?.protocolVersion } == [.v2, .v2])
        #expect(try await client.fetchEvents(closed: true).map(\.slug) == ["ev-2"])
        let requests = try await session.requests(path: "/gamma/events/keyset")
        #expect(requests.count == 3 && requests.allSatisfy { $0.rawQuery.contains("limit=100") })
    }
}

/// Collects `onPage` calls (from any task).
final class PageCounter: @unchecked Sendable {
    private let lock = Lock()
    private var seen: [Int] = []
    func add(_ page: Int) { lock.withLock { seen.append(page) } }
    var values: [Int] { lock.withLock { seen } }
}
