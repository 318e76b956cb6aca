import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Real libcurl against the fake Polymarket server (127.0.0.1 only).
@Suite struct HTTPCurlTransportTests {
    @Test func getReturnsTheBookWithLowerCasedHeaders() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let response = try await http.send(HTTPRequest(url: session.clobURL + "/book?token_id=" + HTTPTest.tokenA))
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.headers.allSatisfy { $0.name == $0.name.lowercased() })
        let book = HTTPTest.json(response.body) as? [String: Any]
        #expect(book?["asset_id"] as? String == HTTPTest.tokenA)

        let log = try await session.requests()
        #expect(log.count == 1)
        #expect(log.first?.headers["user-agent"] == "pmingest/" + HTTPConfig.libraryVersion)
        #expect(log.first?.rawQuery == "token_id=" + HTTPTest.tokenA)
    }

    @Test func postSendsTheJSONBody() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let body = "[{\"token_id\":\"\(HTTPTest.tokenA)\"},{\"token_id\":\"\(HTTPTest.tokenB1)\"},{\"token_id\":\"1\"}]"
        let response = try await http.send(HTTPRequest(method: .post, url: session.clobURL + "/books",
                                                       headers: [(name: "X-Trace", value: "t-1")], body: Array(body.utf8)))
        #expect(response.status == 200)
        let books = HTTPTest.json(response.body) as? [[String: Any]]
        #expect(books?.map { $0["asset_id"] as? String } == [HTTPTest.tokenA, HTTPTest.tokenB1])
        let log = try await session.requests()
        #expect(log.first?.method == "POST")
        #expect(log.first?.body == body)
        #expect(log.first?.headers["content-type"] == "application/json")
        #expect(log.first?.headers["x-trace"] == "t-1")
        #expect(log.first?.headers["expect"] == nil)

        let empty = try await http.send(HTTPRequest(method: .post, url: session.clobURL + "/books", body: nil))
        #expect(empty.status == 400)   // the fake wants a body: delivered, not thrown
    }

    @Test func gzipIsRequestedAndDecoded() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let response = try await http.send(HTTPRequest(url: session.dataURL + "/trades?limit=50"))
        #expect(response.status == 200)
        #expect(response.header("content-encoding") == "gzip")
        let trades = HTTPTest.json(response.body) as? [[String: Any]]
        #expect(trades?.isEmpty == false)
        let log = try await session.requests()
        #expect(log.first?.headers["accept-encoding"]?.contains("gzip") == true)
        if let wire = response.header("content-length").flatMap(Int.init) {
            #expect(wire < response.body.count)   // what travelled was compressed
        }
    }

    @Test func keepAliveReusesTheConnection() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        for _ in 0..<3 {
            #expect(try await http.send(HTTPRequest(url: session.gammaURL + "/markets?limit=1")).status == 200)
        }
        let log = try await session.requests()
        #expect(log.count == 3)
        #expect(Set(log.map(\.connection)).count == 1)
    }

    @Test func twoServiceUnavailablesThenSuccess() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(method: "GET", path: "/clob/book", times: 2, status: 503)])
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let response = try await http.send(HTTPRequest(url: session.clobURL + "/book?token_id=" + HTTPTest.tokenA))
        #expect(response.status == 200)
        let log = try await session.requests()
        #expect(log.map(\.fault) == [0, 0, nil])
    }

    @Test func tooManyRequestsHonoursRetryAfterSeconds() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/data/trades", times: 1, status: 429, headers: ["Retry-After": "1"])])
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let start = ContinuousClock.now
        let response = try await http.send(HTTPRequest(url: session.dataURL + "/trades"))
        #expect(response.status == 200)
        #expect(HTTPTest.seconds(since: start) >= 0.95)
        let log = try await session.requests()
        #expect(log.count == 2)
        if log.count == 2 { #expect(log[1].time - log[0].time >= 0.95) }
    }

    @Test func tooManyRequestsHonoursRetryAfterDate() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        // The date has 1 s resolution: 2 s ahead means a wait between 1 and 2 s.
        try await session.addFaults([FakeFault(path: "/data/trades", times: 1, status: 429, retryAfterDateIn: 2)])
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let response = try await http.send(HTTPRequest(url: session.dataURL + "/trades"))
        #expect(response.status == 200)
        // Measured on the server's clock, from the 429 to the retry, so a slow start of the first
        // request on a loaded machine does not count. The wait honoured is 1...2 s; the upper bound
        // leaves room for scheduling but not for a misread date (the retry cap is 60 s).
        let log = try await session.requests()
        try #require(log.count == 2)
        let waited = log[1].time - log[0].time
        #expect(waited >= 0.95 && waited < 5, "waited \(waited) s")
    }

    @Test func retryAfterLongerThanTheLimitFailsAtOnce() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/data/trades", status: 429, headers: ["Retry-After": "3600"])])
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let result = await HTTPTest.timed { try await http.send(HTTPRequest(url: session.dataURL + "/trades")) }
        #expect(result.error?.kind == .http)
        #expect(result.error?.httpStatus == 429)
        #expect(result.error?.message.contains("asked to wait 3600 s") == true)
        #expect(result.seconds < 5)   // vs the 3600 s asked for
        #expect(try await session.requests().count == 1)
    }

    @Test func notFoundIsAResponseNotARetry() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let response = try await http.send(HTTPRequest(url: session.clobURL + "/book?token_id=404"))
        #expect(response.status == 404)
        #expect(String(decoding: response.body, as: UTF8.self).contains("No orderbook exists"))
        #expect(try await session.requests().count == 1)
    }

    @Test func badRequestIsNeverRetried() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets", status: 400, body: "{\"error\":\"bad\"}")])
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        #expect(try await http.send(HTTPRequest(url: session.gammaURL + "/markets")).status == 400)
        #expect(try await session.requests().count == 1)
    }

    @Test func cloudflareHTML403IsReturnedForTheRESTLayer() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/*", times: 1, preset: "cloudflare_403")])
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let response = try await http.send(HTTPRequest(url: session.gammaURL + "/markets"))
        #expect(response.status == 403)
        #expect(response.header("content-type")?.hasPrefix("text/html") == true)
        #expect(response.header("cf-ray") != nil)
        #expect(try await session.requests().count == 1)
    }

    @Test func exhaustedServerErrorsThrowWithTheHTMLTitle() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/clob/book", preset: "cloudflare_502")])
        let http = try HTTPTest.transport(HTTPTest.config(maxAttempts: 3))
        defer { http.shutdown() }
        let result = await HTTPTest.timed {
            try await http.send(HTTPRequest(url: session.clobURL + "/book?token_id=" + HTTPTest.tokenA))
        }
        let error = try #require(result.error)
        #expect(error.kind == .http)
        #expect(error.httpStatus == 502)
        #expect(error.message.contains("502 Bad Gateway"))
        #expect(error.message.contains("after 3 attempts"))
        #expect(!error.message.contains("<"))
        #expect(try await session.requests().count == 3)
    }

    @Test func otherServerErrorsAreThrownWithoutRetry() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/clob/book", status: 501)])
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let result = await HTTPTest.timed { try await http.send(HTTPRequest(url: session.clobURL + "/book?token_id=1")) }
        #expect(result.error?.kind == .http && result.error?.httpStatus == 501)
        #expect(result.error?.message.contains("Not Implemented") == true)
        #expect(try await session.requests().count == 1)
    }

    @Test func hangingServerTimesOut() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets", hang: true)])
        let http = try HTTPTest.transport(HTTPTest.config(maxAttempts: 1, totalTimeoutMs: 300))
        defer { http.shutdown() }
        let result = await HTTPTest.timed { try await http.send(HTTPRequest(url: session.gammaURL + "/markets")) }
        #expect(result.error?.kind == .timeout)
        #expect(result.error?.message.contains("/gamma/markets") == true)
        #expect(result.seconds >= 0.25 && result.seconds < 5)   // bounded, not hung
    }

    @Test func truncatedBodyIsRetriedThenANetworkError() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets", truncateAt: 20)])
        let http = try HTTPTest.transport(HTTPTest.config(maxAttempts: 3))
        defer { http.shutdown() }
        let result = await HTTPTest.timed { try await http.send(HTTPRequest(url: session.gammaURL + "/markets")) }
        #expect(result.error?.kind == .network)
        #expect(result.error?.message.contains("after 3 attempts") == true)
        #expect(try await session.requests().count == 3)
    }

    @Test func truncatedOnceThenComplete() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets", times: 1, truncateAt: 20, gzip: false)])
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let response = try await http.send(HTTPRequest(url: session.gammaURL + "/markets"))
        #expect(response.status == 200)
        #expect(HTTPTest.json(response.body) is [Any])
        #expect(try await session.requests().count == 2)
    }

    @Test(arguments: [false, true])
    func oversizeBodyIsTooLargeAndNotRetried(gzip: Bool) async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/data/trades", oversizeBytes: 300_000, gzip: gzip)])
        let http = try HTTPTest.transport(HTTPTest.config(maxResponseBytes: 64 * 1024))
        defer { http.shutdown() }
        let result = await HTTPTest.timed { try await http.send(HTTPRequest(url: session.dataURL + "/trades")) }
        #expect(result.error?.kind == .tooLarge)
        #expect(result.error?.message.contains("65536") == true)
        #expect(try await session.requests().count == 1)
        // The connection is dropped mid-body, not poisoned: the next request works.
        #expect(try await http.send(HTTPRequest(url: session.clobURL + "/book?token_id=" + HTTPTest.tokenA)).status == 200)
    }

    @Test func droppedConnectionIsRetried() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets", times: 1, closeConnection: .close),
                                     FakeFault(path: "/gamma/markets", times: 1, closeConnection: .reset)])
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        #expect(try await http.send(HTTPRequest(url: session.gammaURL + "/markets")).status == 200)
        #expect(try await session.requests().map(\.fault) == [0, 1, nil])
    }

    @Test func connectionRefusedIsANetworkError() async throws {
        let port = try HTTPTest.closedPort()
        let http = try HTTPTest.transport(HTTPTest.config(maxAttempts: 2))
        defer { http.shutdown() }
        let result = await HTTPTest.timed { try await http.send(HTTPRequest(url: "http://127.0.0.1:\(port)/gamma/markets")) }
        #expect(result.error?.kind == .network)
        #expect(result.error?.message.contains("127.0.0.1:\(port)") == true)
        #expect(result.error?.message.contains("after 2 attempts") == true)
    }

    /// What a server sends is never the caller's fault: an HTTP/0.9 reply (bytes without a status
    /// line), a redirect to a scheme other than http(s), or to a malformed URL, is a network
    /// error — not `.invalidArgument`, which G5 rethrows instead of failing closed.
    @Test func serverProtocolViolationsAreNetworkErrors() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([
            FakeFault(path: "/clob/book", times: 1, http09: true),
            FakeFault(path: "/gamma/markets", times: 1, status: 302, headers: ["Location": "ftp://127.0.0.1/x"]),
            FakeFault(path: "/data/trades", times: 1, status: 302, headers: ["Location": "http://[::1/x"]),
        ])
        var config = HTTPTest.config(maxAttempts: 1)
        config.followRedirects = true
        let http = try HTTPTest.transport(config)
        defer { http.shutdown() }
        for url in [session.clobURL + "/book?token_id=" + HTTPTest.tokenA, session.gammaURL + "/markets",
                    session.dataURL + "/trades"] {
            let result = await HTTPTest.timed { try await http.send(HTTPRequest(url: url)) }
            #expect(result.error?.kind == .network, "\(url): \(String(describing: result.error))")
        }
        #expect(try await session.requests().map(\.fault) == [0, 1, 2])
    }

    @Test func malformedRequestsAreRefusedBeforeCurl() async throws {
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        for request in [HTTPRequest(url: "ftp://127.0.0.1/x"), HTTPRequest(url: "http://127.0.0.1/a b"),
                        HTTPRequest(url: "http://127.0.0.1/\n"), HTTPRequest(url: ""),
                        HTTPRequest(url: "http://127.0.0.1/", headers: [(name: "X", value: "a\r\nInjected: 1")]),
                        HTTPRequest(url: "http://127.0.0.1/", headers: [(name: "Bad Name", value: "1")])] {
            let result = await HTTPTest.timed { try await http.send(request) }
            #expect(result.error?.kind == .invalidArgument)
        }
        var config = HTTPTest.config()
        config.userAgent = "x\r\nInjected: 1"
        let bad = try HTTPTest.transport(config)
        defer { bad.shutdown() }
        #expect(await HTTPTest.timed { try await bad.send(HTTPRequest(url: "http://127.0.0.1/")) }.error?.kind == .invalidArgument)
    }

    @Test func rateLimitSpacesRequestsOfOneBucket() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        // A 6 s window, so "not paced" (well under 6 s) and "paced" (>= 6 s) stay apart even when a
        // loaded 2-core CI machine makes three loopback requests take seconds (seen: 3.6 s).
        let http = try HTTPTest.transport(HTTPTest.config(rateLimits: ["clob.book": RateLimit(3, perMilliseconds: 6_000)]))
        defer { http.shutdown() }
        let url = session.clobURL + "/book?token_id=" + HTTPTest.tokenA
        let start = ContinuousClock.now
        var doneAt: [Double] = []
        for _ in 0..<6 {
            #expect(try await http.send(HTTPRequest(url: url, endpoint: "clob.book")).status == 200)
            doneAt.append(HTTPTest.seconds(since: start))
        }
        // Three slots at once, the next three when the first three leave the window.
        #expect(doneAt[2] < 4.5)
        #expect(doneAt[3] >= 5.95)
        #expect(try await session.requests().count == 6)
        // A request without an endpoint is not limited (the bucket's next slot is ~6 s away).
        let free = ContinuousClock.now
        #expect(try await http.send(HTTPRequest(url: url)).status == 200)
        #expect(HTTPTest.seconds(since: free) < 4.5)
    }

    @Test func thirtyTwoConcurrentRequestsAllSucceed() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<32 {
                let url = i % 2 == 0 ? session.clobURL + "/book?token_id=" + HTTPTest.tokenA : session.gammaURL + "/markets?limit=2"
                group.addTask { try await http.send(HTTPRequest(url: url)).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 32))
        let log = try await session.requests()
        #expect(log.count == 32)
        #expect(Set(log.map(\.connection)).count <= HTTPConfig().maxConnectionsPerHost)
    }
}
