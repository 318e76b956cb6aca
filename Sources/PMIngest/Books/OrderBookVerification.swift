/// The answer of `verifyOrderbookPrice` (G5).
public struct OrderBookVerification: Sendable, Equatable {
    /// True only when the book has a best bid within `maxDeviation` of the expected price.
    public let isValid: Bool
    /// The highest bid, when the book has one.
    public let bestBid: Price?
    /// A sentence naming both prices (or why there is no usable book).
    public let reason: String

    public init(isValid: Bool, bestBid: Price?, reason: String) {
        self.isValid = isValid
        self.bestBid = bestBid
        self.reason = reason
    }

    public static let defaultMaxDeviation = Price(micros: 100_000)  // 0.10

    /// The G5 rule, pure. Valid iff the book has bids, is not crossed, and
    /// `|bestBid - expected| <= maxDeviation`. The best bid is the highest bid by value, never the
    /// first level on the wire (the API sends bids lowest-first).
    public static func check(_ book: OrderBook, expectedPrice: Price, maxDeviation: Price = defaultMaxDeviation) -> OrderBookVerification {
        guard let best = book.bestBid?.price else {
            return OrderBookVerification(isValid: false, bestBid: nil,
                                         reason: "Orderbook has no bids vs expected \(expectedPrice): refusing an empty book")
        }
        if let ask = book.bestAsk?.price, best >= ask {
            return OrderBookVerification(isValid: false, bestBid: best,
                                         reason: "Orderbook \(best) vs expected \(expectedPrice): book is crossed (best ask \(ask))")
        }
        let deviation = Price(micros: Int64(clamping: (best.micros - expectedPrice.micros).magnitude))
        if deviation <= maxDeviation {
            return OrderBookVerification(isValid: true, bestBid: best,
                                         reason: "Orderbook \(best) vs expected \(expectedPrice): within \(maxDeviation)")
        }
        return OrderBookVerification(isValid: false, bestBid: best,
                                     reason: "Orderbook \(best) vs expected \(expectedPrice): deviation \(deviation) exceeds \(maxDeviation)")
    }
}

/// Checks a price (e.g. a stream print) against the live order book before any order (G5).
///
/// Fails closed: when the book cannot be fetched or is unusable — including a book of another
/// token than `tokenId`, whatever the source — the answer is invalid with the reason, not an
/// exception, so `if result.isValid { trade() }` is always safe. Only cancellation and invalid
/// arguments (a token id that is not 1...78 digits, a negative deviation) throw.
public func verifyOrderbookPrice(client: any OrderBookSource, tokenId: String, expectedPrice: Price,
                                 maxDeviation: Price = OrderBookVerification.defaultMaxDeviation) async throws -> OrderBookVerification {
    guard maxDeviation.micros >= 0 else { throw PMError(.invalidArgument, "max_deviation: must be >= 0") }
    try FieldCheck.tokenID(tokenId)
    let book: OrderBook
    do {
        book = try await client.fetchOrderBook(tokenId: tokenId)
    } catch let error as PMError where error.kind != .cancelled && error.kind != .invalidArgument {
        return OrderBookVerification(isValid: false, bestBid: nil,
                                     reason: "Orderbook unavailable vs expected \(expectedPrice): \(error.message)")
    }
    guard book.tokenId == tokenId else {
        return OrderBookVerification(isValid: false, bestBid: nil,
                                     reason: "Orderbook unusable vs expected \(expectedPrice): it is the book of token "
                                         + "\(book.tokenId), not of \(tokenId)")
    }
    return OrderBookVerification.check(book, expectedPrice: expectedPrice, maxDeviation: maxDeviation)
}
