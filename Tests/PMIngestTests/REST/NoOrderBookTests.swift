import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// `GET /book` of a resolved or unknown token: HTTP 404 "No orderbook exists for the requested
/// token id" is `.noOrderBook`, final, never retried, and G5 fails closed on it.
@Suite struct NoOrderBookTests {
    static let resolved = "52114319501245915516055106046884209969926127482827954674443846427813813222426"

    static func fixture(maxAttempts: Int = 4) async throws -> (FakeSession, CurlTransport, PolymarketClient) {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let http = try HTTPTest.transport(HTTPTest.config(maxAttempts: maxAttempts))
        let client = try PolymarketClient(endpoints: PolymarketEndpoints(gammaURL: session.gammaURL, clobURL: session.clobURL,
                                                                         dataURL: session.dataURL), transport: http)
        return (session, http, client)
    }

    static func error(_ body: () async throws -> some Any) async -> PMError? {
        do { _ = try await body(); return nil } catch { return error as? PMError ?? PMError(.internal, "\(error)") }
    }

    @Test func aTokenWithoutABookIsNoOrderBookAndNotRetried() async throws {
        let (session, http, client) = try await Self.fixture()
        defer { http.shutdown() }
        try await session.setState(#"{"books":{}}"#)
        let error = await Self.error { try await client.fetchOrderBook(tokenId: Self.resolved) }
        #expect(error?.kind == .noOrderBook && error?.httpStatus == 404, "\(String(describing: error))")
        #expect(error?.message.contains("no order book: market resolved or unknown (token \(Self.resolved))") == true)
        #expect(error?.message.contains(NoOrderBook.wireMessage) == true, "\(String(describing: error))")
        #expect(try await session.requests(path: "/clob/book").count == 1)
    }

    /// Any 404 on /book is the same outcome; its body is quoted, so a wrong base URL still shows.
    @Test func a404WithAnotherBodyIsTheSameOutcome() async throws {
        let (session, http, client) = try await Self.fixture()
        defer { http.shutdown() }
        try await session.addFaults([FakeFault(path: "/clob/book", status: 404, body: "<html>Not Found</html>",
                                               contentType: "text/html")])
        let error = await Self.error { try await client.fetchOrderBook(tokenId: HTTPTest.tokenA) }
        #expect(error?.kind == .noOrderBook, "\(String(describing: error))")
        #expect(error?.message.contains("Not Found") == true, "\(String(describing: error))")
        #expect(try await session.requests(path: "/clob/book").count == 1)
    }

    @Test func verifyFailsClosedWithTheReason() async throws {
        let (session, http, client) = try await Self.fixture()
        defer { http.shutdown() }
        try await session.setState(#"{"books":{}}"#)
        let answer = try await verifyOrderbookPrice(client: client, tokenId: Self.resolved, expectedPrice: Price("0.5"))
        #expect(!answer.isValid && answer.bestBid == nil)
        #expect(answer.reason.contains("no order book: market resolved or unknown"), "\(answer.reason)")
    }

    /// The retry policy delivers a 404 (an answer, not a transient failure) and the transport
    /// does not count it as a failed attempt.
    @Test func theRetryPolicyDeliversA404() {
        #expect(RetryPolicy().decide(.response(status: 404, retryAfter: nil), attempt: 1, nowMilliseconds: 0) == .deliver)
        #expect(!RetryPolicy.retryableStatuses.contains(404))
    }

    /// POST /books leaves tokens without a book out, as before: only /book has the 404.
    @Test func batchBooksStillLeaveMissingTokensOut() async throws {
        let (_, http, client) = try await Self.fixture()
        defer { http.shutdown() }
        let books = try await client.fetchOrderBooks(tokenIds: [HTTPTest.tokenA, Self.resolved])
        #expect(books.map(\.tokenId) == [HTTPTest.tokenA])
    }
}
