@_spi(PMIngestTools) @testable import PMIngest

/// In-process trade and book sources for the pure-logic tests of G1/G3/G5.
struct FakeTradeSource: TradeSource {
    var trades: [PolymarketTrade]
    func fetchTrades(tokenId: String, limit: Int) async throws -> [PolymarketTrade] {
        Array(trades.filter { $0.tokenId == tokenId }.prefix(limit))
    }
}

struct FakeBookSource: OrderBookSource {
    var result: Result<OrderBook, PMError>
    func fetchOrderBook(tokenId: String) async throws -> OrderBook { try result.get() }
}

enum Books {
    /// Levels as the real API sends them: bids lowest-first, asks highest-first.
    static func wireOrder(bids: [String], asks: [String], token: String = Sample.token) throws -> OrderBook {
        OrderBook(tokenId: token,
                  bids: try bids.map { OrderBookLevel(price: try Price($0), size: try Size("100")) },
                  asks: try asks.map { OrderBookLevel(price: try Price($0), size: try Size("100")) })
    }
}

/// A fake HTTP transport answering by URL prefix, recording requests.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = Lock()
    private var routes: [(prefix: String, response: HTTPResponse)] = []
    private(set) var requests: [HTTPRequest] = []

    func on(_ urlPrefix: String, status: Int = 200, body: String) {
        lock.withLock { routes.append((urlPrefix, HTTPResponse(status: status, body: Array(body.utf8)))) }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try lock.withLock {
            requests.append(request)
            guard let route = routes.last(where: { request.url.hasPrefix($0.prefix) }) else {
                throw PMError(.network, "no route for \(request.url)")
            }
            return route.response
        }
    }

    var urls: [String] { lock.withLock { requests.map(\.url) } }
}

// Literal prices in expectations: a typo here is a test bug, so trapping is the right answer.
extension Price {
    static func literal(_ text: String) -> Price { try! Price(text) }
}

extension Size {
    static func literal(_ text: String) -> Size { try! Size(text) }
}
