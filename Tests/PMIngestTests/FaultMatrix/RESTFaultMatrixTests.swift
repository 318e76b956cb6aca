import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Issue 6, "Prove it survives": the REST fault matrix. Every fault below is injected by the fake
/// server (Tests/fakepolymarket, README §5) into each of four real calls — `fetchOrderBook`,
/// `TradeFetcher.fetchRecentTrades`, `verifyOrderbookPrice` and the second page of
/// `fetchActiveMarkets` — over real libcurl. Each case must end in exactly its outcome:
///
/// - `recovers(asked:)`: the call returns the SAME data as a fault-free call just before it, and
///   the faulted endpoint was asked exactly that many times (from the server's request log);
/// - `fails(kind, ...)`: the call throws that `PMError` kind (and HTTP status) with a message naming
///   the endpoint and the fault, and hands out nothing — no book, no trade, no partial market list.
///   `verifyOrderbookPrice` fails closed instead: not valid, no best bid, the same message as reason.
///
/// Every call must also return within its configured timeouts plus a generous margin (a hang guard:
/// see `withHangGuard`). The cases are independent sessions and run in parallel.
@Suite("Fault matrix: REST")
struct RESTFaultMatrixTests {
    @Test("REST fault → its exact outcome, on every call", arguments: RESTSurface.allCases, RESTFault.matrix)
    func fault(_ surface: RESTSurface, _ fault: RESTFault) async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let transport = try ArmedTransport(setUp: RESTFault.config, faulted: fault.config) { surface.isFaulted(url: $0.url) }
        defer { transport.shutdown() }
        let client = try PolymarketClient(endpoints: PolymarketEndpoints(gammaURL: session.gammaURL, clobURL: session.clobURL,
                                                                         dataURL: session.dataURL),
                                          transport: transport, marketsPageSize: RESTSurface.marketsPageSize)
        // The fault-free answer first: what a recovery must reproduce exactly.
        let clean = try await surface.call(client, baseline: nil)
        try #require(clean.isUsable, "the fault-free \(surface) call gave nothing to compare: \(clean)")
        try await transport.arm(warmingUp: session.root + "/_control/health")

        // Connection refused: the same calls, pointed at a port nobody listens on.
        var faulted = client
        if fault.refused {
            let dead = "http://127.0.0.1:\(try HTTPTest.closedPort())"
            faulted = try PolymarketClient(endpoints: PolymarketEndpoints(gammaURL: dead + "/gamma", clobURL: dead + "/clob",
                                                                          dataURL: dead + "/data"),
                                           transport: transport, marketsPageSize: RESTSurface.marketsPageSize)
        }
        let asked = { try await session.requests(path: surface.path).filter(surface.isFaultedRequest) }
        let askedBefore = try await asked().count
        try await session.addFaults(fault.rules(surface).map { rule in
            var rule = rule
            rule.path = surface.path
            rule.query = surface.query
            return rule
        })

        let guarded = await withHangGuard(seconds: fault.hangGuardSeconds, "\(surface) under \(fault.name)") { [faulted] in
            try await surface.call(faulted, baseline: clean)
        }
        // The server logs a request when its handler thread gets to it: on a loaded machine that
        // can trail the client's timeout, so wait (bounded) for the expected count to show up.
        let expectedCount: Int? = switch fault.expected {
        case .recovers(let times): times
        case .fails(_, _, _, let times): times
        }
        var requests = try await asked()
        if let expectedCount {
            _ = try await eventually(timeoutMs: 5_000) {
                requests = try await asked()
                return requests.count - askedBefore >= expectedCount
            }
        }
        let count = requests.count - askedBefore

        switch fault.expected {
        case .recovers(let times):
            #expect(guarded.error == nil, "\(fault.name) should have recovered: \(String(describing: guarded.error))")
            #expect(guarded.value == clean, "\(fault.name) recovered with different data")
            #expect(count == times, "asked \(count) times, expected \(times)")
            if let gap = fault.minRetryGapSeconds, requests.count >= 2 {
                let last = requests.suffix(2).map(\.time)
                #expect(last[1] - last[0] >= gap, "Retry-After not honoured: retried after \(last[1] - last[0]) s")
            }
        case .fails(let kind, let status, let says, let times):
            // A refused connection fails at the call's first request, whichever endpoint that is.
            let fragments = says + (fault.refused ? [] : [surface.endpointName])
            if surface == .verify {
                // G5 fails closed: an answer, never an exception, and never "valid".
                guard case .verification(let verdict)? = guarded.value else {
                    Issue.record("verify must answer, not throw: \(String(describing: guarded.result))")
                    break
                }
                #expect(!verdict.isValid && verdict.bestBid == nil)
                #expect(verdict.reason.hasPrefix("Orderbook unavailable"), "\(verdict.reason)")
                #expect(verdict.reason.mentions(fragments), "reason \"\(verdict.reason)\" should mention \(fragments)")
            } else {
                #expect(guarded.value == nil, "\(fault.name) handed out data: \(String(describing: guarded.value))")
                let error = guarded.error as? PMError
                #expect(error?.kind == kind, "expected \(kind), got \(String(describing: guarded.error))")
                #expect(error?.httpStatus == status)
                let message = error?.message ?? ""
                #expect(message.mentions(fragments), "message \"\(message)\" should mention \(fragments)")
            }
            if let times {
                // An attempt the client abandons at its timeout may never reach the server's log on a
                // starved machine; the message's "after N attempts" is the client's own count.
                let seen = kind == .timeout ? 1...times : times...times
                #expect(seen.contains(count), "asked \(count) times, expected \(times)")
            }
        }
    }
}

/// One call of the public REST surface, faulted on one endpoint.
enum RESTSurface: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case book, recentTrades, verify, marketsPage2

    static let token = HTTPTest.tokenA
    static let condition = "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"
    /// Small Gamma pages: the basic preset's 4 open markets are two keyset pages, the second
    /// reached with the fake's cursor for offset 2 and ending the listing (no next_cursor).
    static let marketsPageSize = 2
    /// The fake's (deterministic) keyset cursor of offset 2: base64url("offset:2").
    static let secondPageCursor = "b2Zmc2V0OjI"

    var testDescription: String { rawValue }

    /// The faulted endpoint (fault rules and the request count use it).
    var path: String {
        switch self {
        case .book, .verify: return "/clob/book"
        case .recentTrades: return "/data/trades"
        case .marketsPage2: return "/gamma/markets/keyset"
        }
    }

    /// Extra match on the query: only the second markets page is faulted (the first page succeeded,
    /// so a failure there must not hand out a partial list).
    var query: [String: String] { self == .marketsPage2 ? ["after_cursor": Self.secondPageCursor] : [:] }

    func isFaultedRequest(_ request: RecordedRequest) -> Bool {
        query.allSatisfy { request.rawQuery.split(separator: "&").contains("\($0.key)=\($0.value)"[...]) }
    }

    /// The client's side of the same match (which requests `ArmedTransport` sends the faulted way).
    func isFaulted(url: String) -> Bool {
        let parts = url.split(separator: "?", maxSplits: 1)
        guard let base = parts.first, base.hasSuffix(path) else { return false }
        let pairs = parts.count > 1 ? parts[1].split(separator: "&") : []
        return query.allSatisfy { pairs.contains("\($0.key)=\($0.value)"[...]) }
    }

    /// What the error message (or the verdict's reason) names.
    var endpointName: String {
        switch self {
        case .book, .verify: return "book"
        case .recentTrades: return "trades"
        case .marketsPage2: return "markets"
        }
    }

    /// Runs the call. `baseline` is the fault-free result (verify checks against its best bid).
    func call(_ client: PolymarketClient, baseline: RESTResult?) async throws -> RESTResult {
        switch self {
        case .book:
            return .book(try await client.fetchOrderBook(tokenId: Self.token))
        case .recentTrades:
            let fetcher = try TradeFetcher(source: client, maxAgeSeconds: 7_200)
            return .trades(try await fetcher.fetchRecentTrades(tokenId: Self.token))
        case .verify:
            let expected: Price
            if case .verification(let clean)? = baseline, let bid = clean.bestBid {
                expected = bid
            } else {
                guard let bid = try await client.fetchOrderBook(tokenId: Self.token).bestBid?.price else {
                    throw FakeServerError("the basic preset's book has no bid")
                }
                expected = bid
            }
            return .verification(try await verifyOrderbookPrice(client: client, tokenId: Self.token, expectedPrice: expected))
        case .marketsPage2:
            return .markets(try await client.fetchActiveMarkets())
        }
    }

    /// A well-formed JSON body of the endpoint's shape with one field of the wrong type.
    func wrongTypesBody() -> String {
        switch self {
        case .book, .verify:
            return #"{"market":"\#(Self.condition)","asset_id":"\#(Self.token)","timestamp":"1767225600000","hash":"ab","bids":"none","asks":[]}"#
        case .recentTrades:
            // A fresh, valid row beside a broken one: the page fails whole; the good row is not handed out.
            let now = Int(SystemClock().nowMilliseconds() / 1000)
            func row(_ timestamp: String) -> String {
                #"{"proxyWallet":"0x56687bf447db6ffa42ffe2204a05edaa20f55839","side":"BUY","asset":"\#(Self.token)","conditionId":"\#(Self.condition)","size":75.5,"price":0.51,"timestamp":\#(timestamp),"outcome":"Yes","transactionHash":"0xfeed"}"#
            }
            return "[\(row(String(now - 5))),\(row("\"yesterday\""))]"
        case .marketsPage2:
            return #"{"markets":[{"id":"9","conditionId":7,"clobTokenIds":"[\"1\",\"2\"]","outcomes":"[\"Yes\",\"No\"]","active":true,"closed":false}]}"#
        }
    }
}

/// What a call handed out.
enum RESTResult: Equatable, Sendable {
    case book(OrderBook)
    case trades([PolymarketTrade])
    case verification(OrderBookVerification)
    case markets([Market])

    /// The fault-free answer is worth comparing with: a book with bids, trades, a valid verdict, markets.
    var isUsable: Bool {
        switch self {
        case .book(let book): return !book.bids.isEmpty
        case .trades(let trades): return !trades.isEmpty
        case .verification(let verdict): return verdict.isValid
        case .markets(let markets): return markets.count == 4
        }
    }
}

/// The outcome a fault must end in.
enum RESTOutcome: Sendable {
    /// Same data as the fault-free call; the endpoint was asked `asked` times.
    case recovers(asked: Int)
    /// This error kind and HTTP status; the message names the endpoint and `says`; the endpoint
    /// was asked `asked` times (nil: the server never sees the attempts).
    case fails(PMError.Kind, status: Int? = nil, says: [String], asked: Int?)
}

/// One row of the matrix.
struct RESTFault: Sendable, CustomTestStringConvertible {
    let name: String
    let rules: @Sendable (RESTSurface) -> [FakeFault]
    let expected: RESTOutcome
    var config = RESTFault.config
    var refused = false
    /// Server-side gap the last retry must respect (Retry-After).
    var minRetryGapSeconds: Double? = nil
    /// Server-asked waits inside the call, for the hang guard.
    var serverWaitSeconds: Double = 0

    var testDescription: String { name }

    /// Three attempts, short backoff, 5 s per attempt (generous for a loaded CI machine), a 1 MiB cap.
    static let config = HTTPConfig(connectTimeoutMs: 2_000, totalTimeoutMs: 5_000, maxResponseBytes: 1 << 20,
                                   retry: RetryPolicy(maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 5_000),
                                   rateLimits: [:])
    /// For the faults only a timeout ends: two attempts of 700 ms.
    static let shortTimeout = HTTPConfig(connectTimeoutMs: 700, totalTimeoutMs: 700, maxResponseBytes: 1 << 20,
                                         retry: RetryPolicy(maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 5_000),
                                         rateLimits: [:])

    /// Every attempt may take its whole timeout; the backoffs and server-asked waits come on top;
    /// then 20 s of margin, so that a loaded 2-core machine never trips it.
    var hangGuardSeconds: Double {
        let attempts = Double(max(1, config.retry.maxAttempts))
        return attempts * Double(config.totalTimeoutMs + config.retry.maxDelayMs) / 1000 + serverWaitSeconds + 20
    }

    init(_ name: String, _ expected: RESTOutcome, config: HTTPConfig = RESTFault.config,
         _ rules: @escaping @Sendable (RESTSurface) -> [FakeFault]) {
        self.name = name
        self.expected = expected
        self.config = config
        self.rules = rules
    }

    static let truncatedJSON = #"[{"market":"0x7b2a8faa00b2751622e6f43ddb32fc41","asset_id":"14402537611847989"#

    static let matrix: [RESTFault] = [
        // 5xx bursts
        RESTFault("5xx burst (503, 500) within the attempts", .recovers(asked: 3)) { _ in
            [FakeFault(times: 1, status: 503), FakeFault(times: 1, status: 500)]
        },
        RESTFault("5xx burst past the attempts (503 forever)", .fails(.http, status: 503, says: ["HTTP 503", "after 3 attempts"], asked: 3)) { _ in
            [FakeFault(status: 503)]
        },
        RESTFault("Cloudflare HTML 502 forever", .fails(.http, status: 502, says: ["HTTP 502", "502 Bad Gateway"], asked: 3)) { _ in
            [FakeFault(preset: "cloudflare_502")]
        },
        RESTFault("501: a 5xx that is not transient", .fails(.http, status: 501, says: ["HTTP 501", "Not Implemented"], asked: 1)) { _ in
            [FakeFault(status: 501)]
        },
        // 429/503 with Retry-After
        with(RESTFault("429 with Retry-After: 1", .recovers(asked: 2)) { _ in
            [FakeFault(times: 1, status: 429, headers: ["Retry-After": "1"])]
        }) { $0.minRetryGapSeconds = 0.9; $0.serverWaitSeconds = 1 },
        with(RESTFault("503 with Retry-After as an HTTP-date", .recovers(asked: 2)) { _ in
            [FakeFault(times: 1, status: 503, retryAfterDateIn: 1.5)]
        }) { $0.minRetryGapSeconds = 0.3; $0.serverWaitSeconds = 2 },
        RESTFault("429 with Retry-After longer than the limit", .fails(.http, status: 429, says: ["HTTP 429", "asked to wait 3600 s"], asked: 1)) { _ in
            [FakeFault(status: 429, headers: ["Retry-After": "3600"])]
        },
        // HTML 403
        RESTFault("Cloudflare HTML 403", .fails(.http, status: 403, says: ["HTTP 403", "Sorry, you have been blocked"], asked: 1)) { _ in
            [FakeFault(preset: "cloudflare_403")]
        },
        // connection-level faults
        with(RESTFault("connection refused", .fails(.network, says: ["after 3 attempts", "127.0.0.1"], asked: nil)) { _ in [] }) {
            $0.refused = true
        },
        // asked 4, not 3: the first attempt reuses the fault-free call's keep-alive connection, and
        // libcurl re-sends once on a fresh connection when a reused one dies before any response
        // byte ("Connection died, retrying a fresh connect"). Later attempts use fresh connections.
        RESTFault("empty reply (closed before the response)", .fails(.network, says: ["after 3 attempts", "Empty reply"], asked: 4)) { _ in
            [FakeFault(closeConnection: .close)]
        },
        RESTFault("TCP reset before the response", .fails(.network, says: ["after 3 attempts"], asked: 4)) { _ in
            [FakeFault(closeConnection: .reset)]
        },
        RESTFault("reset mid-body once", .recovers(asked: 2)) { _ in [FakeFault(times: 1, resetAt: 40)] },
        RESTFault("reset mid-body forever", .fails(.network, says: ["after 3 attempts", "reset"], asked: 3)) { _ in
            [FakeFault(resetAt: 40)]
        },
        RESTFault("body cut short (Content-Length unmet) once", .recovers(asked: 2)) { _ in [FakeFault(times: 1, truncateAt: 30)] },
        RESTFault("body cut short forever", .fails(.network, says: ["after 3 attempts"], asked: 3)) { _ in
            [FakeFault(truncateAt: 30)]
        },
        RESTFault("chunked body cut before its last chunk", .fails(.network, says: ["after 3 attempts"], asked: 3)) { _ in
            [FakeFault(truncateAt: 30, chunked: true)]
        },
        // slowloris and hang: only the client's own timeout ends these
        RESTFault("slowloris body (a byte per 100 ms)", .fails(.timeout, says: ["timed out after 2 attempts"], asked: 2),
                  config: RESTFault.shortTimeout) { _ in [FakeFault(slowBodyMs: 100)] },
        RESTFault("no answer at all (hang)", .fails(.timeout, says: ["timed out after 2 attempts"], asked: 2),
                  config: RESTFault.shortTimeout) { _ in [FakeFault(hang: true)] },
        // bodies that arrive whole but are wrong
        RESTFault("truncated JSON in a complete 200", .fails(.parse, says: ["body starts"], asked: 1)) { _ in
            [FakeFault(body: RESTFault.truncatedJSON)]
        },
        RESTFault("wrong JSON types", .fails(.parse, says: ["field \""], asked: 1)) { surface in
            [FakeFault(body: surface.wrongTypesBody())]
        },
        RESTFault("empty 200 body", .fails(.parse, says: ["empty"], asked: 1)) { _ in [FakeFault(body: "")] },
        RESTFault("body labelled gzip that is not", .fails(.network, says: ["unencoding"], asked: 1)) { _ in
            [FakeFault(headers: ["Content-Encoding": "gzip"], gzip: false)]
        },
        RESTFault("Retry-After of 10^20 seconds (saturates, no overflow)",
                  .fails(.http, status: 429, says: ["HTTP 429", "asked to wait 1000000000000 s"], asked: 1)) { _ in
            [FakeFault(status: 429, headers: ["Retry-After": "100000000000000000000"])]
        },
        RESTFault("Retry-After as a date in the past", .recovers(asked: 2)) { _ in
            [FakeFault(times: 1, status: 503, headers: ["Retry-After": "Thu, 01 Jan 1970 00:00:01 GMT"])]
        },
        RESTFault("Retry-After that is not a delay", .recovers(asked: 2)) { _ in
            [FakeFault(times: 1, status: 503, headers: ["Retry-After": "soon"])]
        },
        RESTFault("HTML page with status 200", .fails(.parse, says: ["Attention Required"], asked: 1)) { _ in
            [FakeFault(status: 200, preset: "cloudflare_403")]
        },
        RESTFault("oversize body (2 MB against a 1 MiB cap)", .fails(.tooLarge, says: ["larger than 1048576 bytes"], asked: 1)) { _ in
            [FakeFault(oversizeBytes: 2_000_000)]
        },
        RESTFault("Content-Length announcing more than the cap", .fails(.tooLarge, says: ["maxResponseBytes"], asked: 1)) { _ in
            [FakeFault(headers: ["Content-Length": "50000000"], truncateAt: 10)]
        },
    ]

    private static func with(_ fault: RESTFault, _ change: (inout RESTFault) -> Void) -> RESTFault {
        var fault = fault
        change(&fault)
        return fault
    }
}
