import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The trade tape and price history end to end: real libcurl, the fake server's v2 routes.
@Suite struct HistoryOverHTTPTests {
    static let token = Sample.token
    static let condition = Sample.condition

    func client(_ session: FakeSession) throws -> (PolymarketClient, CurlTransport) {
        let transport = try CurlTransport(config: HTTPConfig(connectTimeoutMs: 2_000, totalTimeoutMs: 5_000,
                                                             retry: RetryPolicy(maxAttempts: 1), rateLimits: [:]))
        let client = try PolymarketClient(endpoints: PolymarketEndpoints(gammaURL: session.gammaURL, clobURL: session.clobURL,
                                                                         dataURL: session.dataURL), transport: transport)
        return (client, transport)
    }

    static func rows(_ n: Int, newest: Int = 1_767_225_600) -> String {
        (0..<n).map { i in
            #"{"proxy_wallet":"0x1234","side":"BUY","token_id":"\#(token)","condition_id":"\#(condition)","size":12.3400,"#
                + #""price":0.30000000000000004,"timestamp":\#(newest - i),"slug":"s","outcome":"Yes","outcome_index":0,"transaction_hash":"0x\#(i)"}"#
        }.joined(separator: ",")
    }

    @Test func tradeHistoryAndBackfillOverTheWire() async throws {
        let session = try await FakePolymarket.shared.newSession()
        let (client, transport) = try client(session)
        defer { transport.shutdown() }
        let combo = #"{"proxy_wallet":"0x1","side":"BUY","token_id":"1","condition_id":"0x\#(String(repeating: "cd", count: 31))","_combo_of":"\#(Self.condition)","size":1,"price":0.5,"timestamp":1767220000,"slug":"","outcome":"","outcome_index":999}"#
        try await session.setState(#"{"v2_trades":[\#(Self.rows(2_100)),\#(combo)]}"#)
        let trades = try await client.fetchTradeHistory(conditionId: Self.condition)
        #expect(trades.count == 2_100 && trades.first?.price == .literal("0.3") && trades.first?.size == .literal("12.34"))
        #expect(try await session.requests(path: "/data/v2/trades").count == 3)

        // A 429 without Retry-After in mid-walk ends the backfill; the re-run completes it.
        try await session.addFaults([FakeFault(path: "/data/v2/trades", query: ["cursor": "v2.MjAwMDoxMDAw"], times: 1, status: 429)])
        let db = try Database(.inMemory())
        let backfill = try TradeBackfill(client: client, database: db)
        await #expect(throws: PMError.self) { try await backfill.run(conditionIds: [Self.condition]) }
        #expect(try TradeRepository(db).count() == 2_000)
        let report = try await backfill.run(conditionIds: [Self.condition])
        #expect(report.inserted == 100 && report.combos == 1)
        #expect(try TradeCoverageRepository(db).get(conditionId: Self.condition)?.oldestMs == 0)
    }

    @Test func priceHistoryOverTheWire() async throws {
        let session = try await FakePolymarket.shared.newSession()
        let (client, transport) = try client(session)
        defer { transport.shutdown() }
        let start = 1_760_000_000
        let points = (0..<(20 * 24)).map { #"{"timestamp":\#(start + $0 * 3_600),"price":0.5\#($0 % 10)}"# }.joined(separator: ",")
        try await session.setState(#"{"prices_history":{"\#(Self.token)":[\#(points)],"\#(Sample.otherToken)":[{"timestamp":\#(start),"p":1,"price":0.25}]}}"#)
        let history = try await client.fetchPriceHistory(tokenId: Self.token, start: Int64(start) * 1000,
                                                         end: Int64(start + 20 * 86_400) * 1000)
        #expect(history.count == 480 && history[1].price == .literal("0.51"))
        #expect(try await session.requests(path: "/data/v2/prices-history").count == 2)
        let batch = try await client.fetchPriceHistories(tokenIds: [Self.token, Sample.otherToken], start: Int64(start) * 1000,
                                                         end: Int64(start + 3_600) * 1000)
        #expect(batch[Self.token]?.count == 2 && batch[Sample.otherToken]?.first?.price == .literal("0.25"))
    }
}
