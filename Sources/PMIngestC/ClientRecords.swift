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

/// pm_book. Level strings are formatted on first access, not up front: a caller that reads only
/// the best bid should not pay for 40 decimal strings (measured: 30% of a fetch under callgrind).
final class BookRecord {
    let book: OrderBook
    let tokenId: OwnedCString
    let conditionId, hash, tickSize, minOrderSize: OwnedCString?
    private let lock = Lock()
    private var bidStrings: [Int: (price: OwnedCString, size: OwnedCString)] = [:]
    private var askStrings: [Int: (price: OwnedCString, size: OwnedCString)] = [:]
    private var bidText, askText: OwnedCString?

    init(_ book: OrderBook) {
        self.book = book
        tokenId = OwnedCString(book.tokenId)
        conditionId = OwnedCString(book.conditionId)
        hash = OwnedCString(book.hash)
        tickSize = OwnedCString(book.tickSize?.description)
        minOrderSize = OwnedCString(book.minOrderSize?.description)
    }

    func level(_ side: pm_side, _ index: Int) -> OrderBookLevel? {
        let levels = side == PM_SIDE_BID ? book.bids : (side == PM_SIDE_ASK ? book.asks : [])
        return index >= 0 && index < levels.count ? levels[index] : nil
    }

    /// The level's strings, made once and kept for the record's lifetime (accessors lend them).
    func strings(_ side: pm_side, _ index: Int) -> (price: OwnedCString, size: OwnedCString)? {
        guard let level = level(side, index) else { return nil }
        return lock.withLock {
            if side == PM_SIDE_BID, let cached = bidStrings[index] { return cached }
            if side == PM_SIDE_ASK, let cached = askStrings[index] { return cached }
            let made = (OwnedCString(level.price.description), OwnedCString(level.size.description))
            if side == PM_SIDE_BID { bidStrings[index] = made } else { askStrings[index] = made }
            return made
        }
    }

    /// pm_book_levels_text: one side as "<price> <size>\n" lines, made once and kept.
    func levelsText(_ side: pm_side) -> OwnedCString? {
        let levels: [OrderBookLevel]
        if side == PM_SIDE_BID { levels = book.bids } else if side == PM_SIDE_ASK { levels = book.asks } else { return nil }
        return lock.withLock {
            if side == PM_SIDE_BID, let cached = bidText { return cached }
            if side == PM_SIDE_ASK, let cached = askText { return cached }
            var text = ""
            text.reserveCapacity(levels.count * 16)
            for level in levels {
                text += level.price.description
                text += " "
                text += level.size.description
                text += "\n"
            }
            let made = OwnedCString(text)
            if side == PM_SIDE_BID { bidText = made } else { askText = made }
            return made
        }
    }
}

/// pm_books
final class BookList {
    let records: [BookRecord]
    init(_ books: [OrderBook]) { records = books.map(BookRecord.init) }
}
