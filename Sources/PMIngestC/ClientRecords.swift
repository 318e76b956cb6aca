// Handles and records of the REST surface. As with the store: boxing only, no logic.
import CPMIngest
import PMIngest

/// pm_client: the core client, its libcurl transport, and the cancellation tokens of the blocking
/// calls in progress (so pm_client_cancel can end them from any thread).
final class ClientHandle: @unchecked Sendable {
    let client: PolymarketClient
    let transport: CurlTransport
    private let lock = Lock()
    private var inFlight: [ObjectIdentifier: CancellationToken] = [:]

    init(client: PolymarketClient, transport: CurlTransport) {
        self.client = client
        self.transport = transport
    }

    /// Runs async core work on behalf of a blocking C caller: only the calling thread waits.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let token = CancellationToken()
        let key = ObjectIdentifier(token)
        lock.withLock { inFlight[key] = token }
        defer { _ = lock.withLock { inFlight.removeValue(forKey: key) } }
        return try Blocking.run(token: token, body)
    }

    func cancelAll() {
        let tokens = lock.withLock { Array(inFlight.values) }
        for token in tokens { token.cancel() }
    }

    deinit {
        cancelAll()
        transport.shutdown()
    }
}

/// pm_fetcher
final class FetcherHandle {
    let owner: ClientHandle  // keeps the client (and its HTTP thread) alive
    let fetcher: TradeFetcher

    init(owner: ClientHandle, fetcher: TradeFetcher) {
        self.owner = owner
        self.fetcher = fetcher
    }
}

/// pm_market
final class MarketRecord {
    let market: Market
    let id, conditionId: OwnedCString
    let question, slug, tickSize, minOrderSize: OwnedCString?
    let tokenIds: [OwnedCString]
    let outcomes: [OwnedCString?]

    init(_ market: Market) {
        self.market = market
        id = OwnedCString(market.id)
        conditionId = OwnedCString(market.conditionId)
        question = OwnedCString(market.question)
        slug = OwnedCString(market.slug)
        tickSize = OwnedCString(market.tickSize?.description)
        minOrderSize = OwnedCString(market.minOrderSize?.description)
        tokenIds = market.tokens.map { OwnedCString($0.tokenId) }
        outcomes = market.tokens.map { OwnedCString($0.outcome) }
    }
}

/// pm_markets
final class MarketList {
    let records: [MarketRecord]
    init(_ markets: [Market]) { records = markets.map(MarketRecord.init) }
}

/// pm_book
final class BookRecord {
    struct Level {
        let price, size: OwnedCString
        let priceMicros, sizeMicros: Int64
    }

    let book: OrderBook
    let tokenId: OwnedCString
    let conditionId, hash, tickSize, minOrderSize: OwnedCString?
    let bids, asks: [Level]

    init(_ book: OrderBook) {
        self.book = book
        tokenId = OwnedCString(book.tokenId)
        conditionId = OwnedCString(book.conditionId)
        hash = OwnedCString(book.hash)
        tickSize = OwnedCString(book.tickSize?.description)
        minOrderSize = OwnedCString(book.minOrderSize?.description)
        func levels(_ side: [OrderBookLevel]) -> [Level] {
            side.map { Level(price: OwnedCString($0.price.description), size: OwnedCString($0.size.description),
                             priceMicros: $0.price.micros, sizeMicros: $0.size.micros) }
        }
        bids = levels(book.bids)
        asks = levels(book.asks)
    }

    func level(_ side: pm_side, _ index: Int) -> Level? {
        let levels = side == PM_SIDE_BID ? bids : (side == PM_SIDE_ASK ? asks : [])
        return index >= 0 && index < levels.count ? levels[index] : nil
    }
}

/// pm_books
final class BookList {
    let records: [BookRecord]
    init(_ books: [OrderBook]) { records = books.map(BookRecord.init) }
}
