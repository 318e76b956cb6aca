import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// An in-process `/v2/prices-history` and `/batch-prices-history`: points per token, pages of
/// `pageSize`, refusing windows over 15 days and batches over 20 tokens like the real services.
final class PriceTransport: HTTPTransport, @unchecked Sendable {
    private let lock = Lock()
    let points: [String: [(Int64, String)]]   // token → (seconds, price literal)
    let pageSize: Int
    private(set) var urls: [String] = []
    private(set) var bodies: [String] = []

    init(points: [String: [(Int64, String)]], pageSize: Int = 10_000) {
        self.points = points
        self.pageSize = pageSize
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock {
            urls.append(request.url)
            if request.method == .post {
                let text = String(decoding: request.body ?? [], as: UTF8.self)
                bodies.append(text)
                let asked = points.keys.sorted().filter { text.contains("\"\($0)\"") }
                let markets = text.split(separator: "]").first?.split(separator: "[").last ?? ""
                let count = markets.split(separator: ",").count
                if count > 20 { return HTTPResponse(status: 400, body: Array(#"{"error":"too many"}"#.utf8)) }
                let history = asked.map { token in
                    "\"\(token)\":[" + (points[token] ?? []).map { #"{"t":\#($0.0),"p":\#($0.1)}"# }.joined(separator: ",") + "]"
                }
                return HTTPResponse(status: 200, body: Array(("{\"history\":{" + history.joined(separator: ",") + "}}").utf8))
            }
            let q = TapeTransport.query(request.url)
            guard let token = q["token_id"], let start = Int64(q["start"] ?? ""), let end = Int64(q["end"] ?? "") else {
                return HTTPResponse(status: 400, body: Array(#"{"error":"bad","code":"x","retryable":false,"trace_id":"t"}"#.utf8))
            }
            if end - start > 15 * 86_400 { return HTTPResponse(status: 400, body: Array(#"{"error":"window"}"#.utf8)) }
            let inWindow = (points[token] ?? []).filter { $0.0 >= start && $0.0 < end }
            let offset = Int(q["cursor"] ?? "") ?? 0
            let page = Array(inWindow.dropFirst(offset).prefix(pageSize))
            let more = offset + page.count < inWindow.count
            let rows = page.map { #"{"timestamp":\#($0.0),"price":\#($0.1),"resolution_seconds":60}"# }.joined(separator: ",")
            let cursor = more ? "\"\(offset + page.count)\"" : "null"
            return HTTPResponse(status: 200, body: Array(#"{"data":[\#(rows)],"pagination":{"has_more":\#(more),"next_cursor":\#(cursor)}}"#.utf8))
        }
    }
}

@Suite struct PriceHistoryTests {
    let endpoints = PolymarketEndpoints(gammaURL: "http://fake/gamma", clobURL: "http://fake/clob", dataURL: "http://fake/data")
    static let day: Int64 = 86_400

    func client(_ transport: any HTTPTransport) throws -> PolymarketClient {
        try PolymarketClient(endpoints: endpoints, transport: transport)
    }

    @Test func decodesPagesAndBatchesExactly() throws {
        let page = try WireDecoding.priceHistoryPage(try WireDecoding.parseBody(Array("""
            {"data":[{"timestamp":1767225600,"price":0.30000000000000004,"resolution_seconds":60}],
             "pagination":{"has_more":false,"next_cursor":null}}
            """.utf8), what: "t"), tokenId: "11")
        #expect(page.points.first?.price == .literal("0.3") && page.points.first?.timestampMs == 1_767_225_600_000)
        #expect(page.points.first?.resolutionSeconds == 60 && !page.hasMore)
        let batch = try WireDecoding.batchPriceHistory(try WireDecoding.parseBody(Array(#"{"history":{"11":[{"t":5,"p":0.125}],"12":[]}}"#.utf8), what: "t"))
        #expect(batch["11"]?.first?.price == .literal("0.125") && batch["12"] == [])
        for text in [#"[]"#, #"{"data":[{"price":1}]}"#, #"{"data":[{"timestamp":-1,"price":1}]}"#, #"{"data":[{"timestamp":1,"price":-1}]}"#,
                     #"{"data":[{"timestamp":9223372036854775807,"price":1}]}"#] {
            #expect(throws: PMError.self) { try WireDecoding.priceHistoryPage(try WireDecoding.parseBody(Array(text.utf8), what: "t"), tokenId: "11") }
        }
        for text in [#"{}"#, #"{"history":{"x":[]}}"#, #"{"history":{"11":{}}}"#, #"{"history":{"11":[{"t":1}]}}"#, #"{"history":{"11":[1]}}"#] {
            #expect(throws: PMError.self) { try WireDecoding.batchPriceHistory(try WireDecoding.parseBody(Array(text.utf8), what: "t")) }
        }
    }

    @Test func windowsAreAtMost15DaysAndCoverTheRangeExactly() {
        let windows = PolymarketClient.priceWindows(start: 1_500, end: (40 * Self.day) * 1000 + 1)
        #expect(windows.first?.startSeconds == 2 && windows.last?.endSeconds == 40 * Self.day + 1)
        #expect(windows.allSatisfy { $0.endSeconds - $0.startSeconds <= 15 * Self.day })
        #expect(zip(windows, windows.dropFirst()).allSatisfy { $0.endSeconds == $1.startSeconds })
        #expect(PolymarketClient.priceWindows(start: 0, end: 1_000).count == 1)
        #expect(PolymarketClient.priceWindows(start: 1_000, end: 1_000).isEmpty)
    }

    @Test func longRangesAreSplitPagedAndJoinedWithoutDuplicates() async throws {
        // One point an hour for 40 days, plus a duplicate at a window edge a broken server might send twice.
        let start: Int64 = 1_760_000_000
        let points = (0..<(40 * 24)).map { (start + Int64($0) * 3_600, "0.\(100 + $0 % 800)") }
        let transport = PriceTransport(points: ["11": points], pageSize: 100)
        let fetched = try await client(transport).fetchPriceHistory(tokenId: "11", start: start * 1000,
                                                                    end: (start + 40 * Self.day) * 1000, bucketSeconds: 3_600)
        #expect(fetched.count == 960 && Set(fetched.map(\.timestampMs)).count == 960)
        #expect(fetched.map(\.timestampMs) == fetched.map(\.timestampMs).sorted())
        #expect(fetched.first?.timestampMs == start * 1000 && fetched.first?.price == .literal("0.1"))
        let windows = Set(transport.urls.compactMap { TapeTransport.query($0)["start"] })
        #expect(windows.count == 3)
        #expect(transport.urls.allSatisfy { $0.contains("bucket_seconds=3600") })
        #expect(transport.urls.filter { $0.contains("cursor=") }.allSatisfy { !$0.contains("limit=") })
    }

    @Test func openEndedRangesEndNowAndBadArgumentsAreRefused() async throws {
        let now: Int64 = 1_767_225_600_000
        let transport = PriceTransport(points: ["11": [(1_767_225_000, "0.5"), (1_767_225_600, "0.6")]])
        let client = try client(transport)
        let points = try await client.fetchPriceHistory(tokenId: "11", start: now - 3_600_000, end: nil, bucketSeconds: nil, nowMs: now)
        #expect(points.map(\.price) == [.literal("0.5")])   // end is exclusive
        #expect(try await client.fetchPriceHistory(tokenId: "11", start: 0, end: 1).isEmpty)
        await #expect(throws: PMError.self) { try await client.fetchPriceHistory(tokenId: "x", start: 0) }
        await #expect(throws: PMError.self) { try await client.fetchPriceHistory(tokenId: "11", start: -1) }
        await #expect(throws: PMError.self) { try await client.fetchPriceHistory(tokenId: "11", start: 10, end: 10) }
        await #expect(throws: PMError.self) { try await client.fetchPriceHistory(tokenId: "11", start: 0, end: 10, bucketSeconds: 0) }
    }

    @Test func aRepeatedCursorIsAnError() async throws {
        let transport = ScriptedTransport()
        transport.on("http://fake/data/v2/prices-history", body: #"{"data":[],"pagination":{"has_more":true,"next_cursor":"c"}}"#)
        let error = await #expect(throws: PMError.self) {
            try await client(transport).fetchPriceHistory(tokenId: "11", start: 0, end: 1_000_000)
        }
        #expect(error?.kind == .parse && transport.urls.count == 2)
        let missing = ScriptedTransport()
        missing.on("http://fake/data/v2/prices-history", body: #"{"data":[],"pagination":{"has_more":true}}"#)
        await #expect(throws: PMError.self) { try await client(missing).fetchPriceHistory(tokenId: "11", start: 0, end: 1_000_000) }
        let budget = try PolymarketClient(endpoints: endpoints, transport: transport, listingBudget: ListingBudget(maxPages: 1))
        let tooLarge = await #expect(throws: PMError.self) { try await budget.fetchPriceHistory(tokenId: "11", start: 0, end: 1_000_000) }
        #expect(tooLarge?.kind == .tooLarge)
    }

    @Test func batchesAreSplitAt20TokensAndKeyedByToken() async throws {
        let tokens = (1...45).map { String(100 + $0) }
        var points: [String: [(Int64, String)]] = [:]
        for token in tokens { points[token] = [(1_000, "0.25"), (2_000, "0.5"), (9_000, "0.75")] }
        let transport = PriceTransport(points: points)
        let history = try await client(transport).fetchPriceHistories(tokenIds: tokens + ["101"], start: 1_000_000, end: 2_000_000,
                                                                      fidelityMinutes: 5)
        #expect(transport.bodies.count == 3)
        #expect(history.count == 45 && history["101"]?.map(\.price) == [.literal("0.25"), .literal("0.5")])
        #expect(transport.bodies[0].contains(#""start_ts":1000,"end_ts":2000,"fidelity":5"#))
        #expect(try await client(transport).fetchPriceHistories(tokenIds: [], start: 0, end: 1).isEmpty)
        await #expect(throws: PMError.self) { try await client(transport).fetchPriceHistories(tokenIds: ["x"], start: 0) }
        await #expect(throws: PMError.self) { try await client(transport).fetchPriceHistories(tokenIds: ["1"], start: -1) }
        await #expect(throws: PMError.self) { try await client(transport).fetchPriceHistories(tokenIds: ["1"], start: 5, end: 4) }
        await #expect(throws: PMError.self) { try await client(transport).fetchPriceHistories(tokenIds: ["1"], start: 0, fidelityMinutes: 0) }
        let stray = ScriptedTransport()
        stray.on("http://fake/clob/batch-prices-history", body: #"{"history":{"999":[]}}"#)
        let error = await #expect(throws: PMError.self) { try await client(stray).fetchPriceHistories(tokenIds: ["1"], start: 0, end: 5) }
        #expect(error?.kind == .parse)
        let failing = ScriptedTransport()
        failing.on("http://fake/clob/batch-prices-history", status: 400, body: #"{"error":"too many"}"#)
        await #expect(throws: PMError.self) { try await client(failing).fetchPriceHistories(tokenIds: ["1"], start: 0, end: 5) }
    }

    @Test func repositoryUpsertsAndQueries() throws {
        let db = try Database(.inMemory())
        let repo = PriceHistoryRepository(db)
        let a = try PricePoint(tokenId: "11", timestampMs: 1_000, price: .literal("0.5"))
        let b = try PricePoint(tokenId: "11", timestampMs: 2_000, price: .literal("0.6"))
        #expect(try repo.upsert([a, b]) == 2)
        #expect(try repo.upsert([try PricePoint(tokenId: "11", timestampMs: 2_000, price: .literal("0.7"))]) == 0)
        #expect(try repo.upsert([]) == 0)
        #expect(try repo.points(tokenId: "11").map(\.price) == [.literal("0.5"), .literal("0.7")])
        #expect(try repo.points(tokenId: "11", fromMs: 1_500).count == 1)
        #expect(try repo.points(tokenId: "12").isEmpty)
        #expect(throws: PMError.self) { try repo.points(tokenId: "x") }
        #expect(throws: PMError.self) { try repo.points(tokenId: "11", fromMs: 5, toMs: 4) }
        #expect(throws: PMError.self) { try PricePoint(tokenId: "11", timestampMs: -1, price: .literal("0.5")) }
        #expect(throws: PMError.self) { try PricePoint(tokenId: "11", timestampMs: 1, price: Price(micros: -1)) }
    }
}
