import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Resolutions you can trust: the socket's `market_resolved` and the Gamma poll of
/// `StreamClient.watchResolutions` deliver one event per market, whichever saw it first.
@Suite struct ResolutionWatcherTests {
    /// Market A of the basic preset, closed and settled on Yes.
    static let resolvedA = #"""
        {"markets":[{"id":"501","conditionId":"\#(WS.conditionA)","question":"Will A happen?","slug":"a",
          "active":true,"closed":true,"archived":false,"outcomes":"[\"Yes\", \"No\"]","outcomePrices":"[\"1\", \"0\"]",
          "clobTokenIds":"[\"\#(WS.aYes)\", \"\#(WS.aNo)\"]"}]}
        """#
    static let resolvedFrame = #"[{"json":{"event_type":"market_resolved","id":"501","market":"\#(WS.conditionA)","assets_ids":["\#(WS.aYes)","\#(WS.aNo)"],"winning_asset_id":"\#(WS.aYes)","winning_outcome":"Yes","timestamp":"1767225600789"}}]"#

    static func rest(_ session: FakeSession) throws -> (PolymarketClient, CurlTransport) {
        let http = try HTTPTest.transport(HTTPTest.config(maxAttempts: 1))
        let client = try PolymarketClient(endpoints: PolymarketEndpoints(gammaURL: session.gammaURL, clobURL: session.clobURL,
                                                                         dataURL: session.dataURL), transport: http)
        return (client, http)
    }

    static func resolutions(_ events: [StreamEvent]) -> [MarketResolvedEvent] {
        events.compactMap { if case .marketResolved(let resolved) = $0 { return resolved } else { return nil } }
    }

    /// Pulls for `rounds` more poll rounds and returns what came.
    static func pullRounds(_ stream: StreamClient, _ rounds: Int) async throws -> [StreamEvent] {
        let target = (stream.resolutionWatch.current?.roundsDone ?? 0) + rounds
        return try await pull(stream, timeoutMs: 10_000) { _ in (stream.resolutionWatch.current?.roundsDone ?? 0) >= target }
    }

    @Test func theSocketAndThePollSeeItOnce() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.setState(Self.resolvedA)
        let (rest, http) = try Self.rest(session)
        defer { http.shutdown() }
        let stream = try StreamClient(config: WS.config(session))
        defer { stream.close() }
        try stream.subscribe(tokenIds: [WS.aYes])
        try await stream.connectAsync()
        #expect(try await eventually { try await session.wsSend(Self.resolvedFrame) == 1 })
        let first = try await pull(stream) { !Self.resolutions($0).isEmpty }
        #expect(Self.resolutions(first).count == 1)

        try stream.watchResolutions(client: rest, intervalMs: 200)
        #expect(stream.isWatchingResolutions)
        let later = try await Self.pullRounds(stream, 3)
        #expect(Self.resolutions(later).isEmpty, "\(Self.resolutions(later))")
        // The poll did run — and, the market being resolved, stopped asking Gamma about it.
        #expect(try await session.requests(path: "/clob/markets-by-token/*").count >= 1)
        #expect(try await session.requests(path: "/gamma/markets").isEmpty)

        // The socket repeating itself is filtered too.
        _ = try await session.wsSend(Self.resolvedFrame)
        let repeated = try await Self.pullRounds(stream, 2)
        #expect(Self.resolutions(repeated).isEmpty)
    }

    @Test func thePollFirstThenTheSocketIsStillOnce() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.setState(Self.resolvedA)
        let (rest, http) = try Self.rest(session)
        defer { http.shutdown() }
        let stream = try StreamClient(config: WS.config(session))
        defer { stream.close() }
        try stream.subscribe(tokenIds: [WS.aYes, WS.aNo])
        try stream.watchResolutions(client: rest, intervalMs: 200)   // before connect
        try await stream.connectAsync()
        let polled = try await pull(stream) { !Self.resolutions($0).isEmpty }
        let resolved = try #require(Self.resolutions(polled).first)
        #expect(resolved.conditionId == WS.conditionA && resolved.winningAssetId == WS.aYes && resolved.winningOutcome == "Yes")
        #expect(resolved.assetIds == [WS.aYes, WS.aNo] && resolved.id == "501")
        #expect(try await eventually { try await session.wsSend(Self.resolvedFrame) == 1 })
        let later = try await Self.pullRounds(stream, 3)
        #expect(Self.resolutions(later).isEmpty)
        // Both tokens are one market: one Gamma request asked about it.
        let gamma = try await session.requests(path: "/gamma/markets")
        #expect(gamma.count == 1, "\(gamma)")
    }

    @Test func theSocketNeverSendsItAndThePollDeliversIt() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let (rest, http) = try Self.rest(session)
        defer { http.shutdown() }
        let stream = try StreamClient(config: WS.config(session))
        defer { stream.close() }
        try stream.subscribe(tokenIds: [WS.aYes])
        try await stream.connectAsync()
        try stream.watchResolutions(client: rest, intervalMs: 200)
        // Open market: rounds go by with nothing to deliver.
        #expect(Self.resolutions(try await Self.pullRounds(stream, 2)).isEmpty)
        // A failed round is survived.
        try await session.addFaults([FakeFault(path: "/gamma/markets", times: 1, status: 500)])
        _ = try await Self.pullRounds(stream, 1)
        try await session.setState(Self.resolvedA)
        let events = try await pull(stream) { !Self.resolutions($0).isEmpty }
        #expect(Self.resolutions(events).map(\.winningAssetId) == [WS.aYes])
        try stream.watchResolutions(client: rest, intervalMs: 0)
        #expect(!stream.isWatchingResolutions)
    }

    @Test func badIntervalsAndAClosedClientAreRefused() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let (rest, http) = try Self.rest(session)
        defer { http.shutdown() }
        let stream = try StreamClient(config: WS.config(session))
        for bad in [-1, 1, 99] {
            #expect { try stream.watchResolutions(client: rest, intervalMs: bad) } throws: { ($0 as? PMError)?.kind == .invalidArgument }
        }
        stream.close()
        #expect { try stream.watchResolutions(client: rest, intervalMs: 1_000) } throws: { ($0 as? PMError)?.kind == .cancelled }
        #expect(!stream.isWatchingResolutions && StreamClient.defaultResolutionPollMs == 60_000)
    }

    @Test func closedMarketsAreAskedWithClosedTrue() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.setState(Self.resolvedA)
        let (rest, http) = try Self.rest(session)
        defer { http.shutdown() }
        #expect(try await rest.fetchClosedMarkets(conditionIds: []).isEmpty)
        let closed = try await rest.fetchClosedMarkets(conditionIds: [WS.conditionA])
        #expect(closed.map(\.conditionId) == [WS.conditionA])
        let query = try #require(try await session.requests(path: "/gamma/markets").first?.rawQuery)
        #expect(query.contains("closed=true") && query.contains("condition_ids="), "\(query)")
        await #expect { try await rest.fetchClosedMarkets(conditionIds: Array(repeating: WS.conditionA, count: 51)) } throws: {
            ($0 as? PMError)?.kind == .invalidArgument
        }
        await #expect { try await rest.fetchClosedMarkets(conditionIds: [""]) } throws: { ($0 as? PMError)?.kind == .invalidArgument }
    }

    // MARK: pure parts

    /// Events from outside the socket are counted and bounded like frame events; a resolution the
    /// gate has seen is neither enqueued nor counted.
    @Test func deliveryFromOutsideCountsWhatItEnqueues() throws {
        let stream = try StreamClient(config: StreamClientConfig(url: "ws://127.0.0.1:1/ws/market"))
        let event = StreamEvent.marketResolved(MarketResolvedEvent(conditionId: "0xA", assetIds: [], winningAssetId: "1",
                                                                   winningOutcome: nil, timestampMs: nil))
        #expect(stream.pool.deliverFromOutside([event]) == 1)
        #expect(stream.pool.deliverFromOutside([event]) == 0)
        #expect(stream.stats.events == 1)
        #expect(try stream.next(timeoutMs: 0) == event)
        #expect(try stream.next(timeoutMs: 0) == nil)
        stream.close()
        let late = StreamEvent.marketResolved(MarketResolvedEvent(conditionId: "0xB", assetIds: [], winningAssetId: "1",
                                                                  winningOutcome: nil, timestampMs: nil))
        #expect(stream.pool.deliverFromOutside([late]) == 0)
    }

    static func market(closed: Bool, prices: [String]) -> Market {
        Market(id: "7", conditionId: "0xC", question: nil, slug: nil,
               tokens: prices.enumerated().map { Market.Token(tokenId: "\(10 + $0.offset)", outcome: "o\($0.offset)", price: Price.literal($0.element)) },
               active: true, closed: closed)
    }

    @Test func aResolutionNeedsAClosedMarketWithOneWinner() {
        #expect(ResolutionWatcher.resolution(Self.market(closed: true, prices: ["0", "1"]))?.winningAssetId == "11")
        #expect(ResolutionWatcher.resolution(Self.market(closed: true, prices: ["0", "1"]))?.winningOutcome == "o1")
        #expect(ResolutionWatcher.resolution(Self.market(closed: false, prices: ["0", "1"])) == nil)
        #expect(ResolutionWatcher.resolution(Self.market(closed: true, prices: ["0.5", "0.5"])) == nil)
        #expect(ResolutionWatcher.resolution(Self.market(closed: true, prices: ["1", "1"])) == nil)
    }

    @Test func theGateLetsEachMarketThroughOnce() {
        let gate = ResolutionGate(capacity: 2)
        func resolved(_ condition: String) -> StreamEvent {
            .marketResolved(MarketResolvedEvent(conditionId: condition, assetIds: [], winningAssetId: "1", winningOutcome: nil, timestampMs: nil))
        }
        let other = StreamEvent.reconnected(ReconnectInfo(reason: "x", attempt: 1))
        #expect(gate.admit([other]) == [other])
        #expect(gate.admit([resolved("0xA"), other, resolved("0xa")]) == [resolved("0xA"), other])
        #expect(gate.contains("0XA") && gate.count == 1)
        #expect(gate.admit([resolved("0xB"), resolved("0xC")]).count == 2)
        #expect(gate.count == 2 && !gate.contains("0xA"))   // the oldest forgotten past capacity
        for n in 0..<3_000 { _ = gate.admit([resolved("0x\(n)")]) }   // long use: memory stays bounded
        #expect(gate.count == 2 && gate.contains("0x2999") && gate.contains("0x2998") && !gate.contains("0x2997"))
    }
}
