import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct OrderBookVerificationTests {
    /// The brief's G5 regression: a print at 0.95 while the book sits at 0.05.
    @Test func spikeFarFromTheBookIsRejected() async throws {
        let book = try Books.wireOrder(bids: ["0.01", "0.03", "0.05"], asks: ["0.99", "0.08", "0.07"])
        let result = try await verifyOrderbookPrice(client: FakeBookSource(result: .success(book)), tokenId: Sample.token,
                                                    expectedPrice: Price("0.95"))
        #expect(result.isValid == false)
        #expect(result.bestBid == Price.literal("0.05"))
        #expect(result.reason.contains("0.05") && result.reason.contains("0.95"))
    }

    /// bids[0] on the wire is the WORST bid: the best is the highest, wherever it sits.
    @Test func bestBidIsTheHighestNotTheFirst() throws {
        let book = try Books.wireOrder(bids: ["0.01", "0.49", "0.51"], asks: ["0.99", "0.55", "0.52"])
        #expect(book.bestBid?.price == Price.literal("0.51"))
        #expect(book.bestAsk?.price == Price.literal("0.52"))
        let valid = OrderBookVerification.check(book, expectedPrice: try Price("0.52"))
        #expect(valid.isValid && valid.bestBid == Price.literal("0.51"))
        let shuffled = try Books.wireOrder(bids: ["0.49", "0.51", "0.01"], asks: ["0.55", "0.52", "0.99"])
        #expect(shuffled.bids.map(\.price.description) == ["0.51", "0.49", "0.01"])
    }

    @Test func boundaryOfMaxDeviationIsValid() throws {
        let book = try Books.wireOrder(bids: ["0.40"], asks: ["0.60"])
        #expect(OrderBookVerification.check(book, expectedPrice: try Price("0.50")).isValid)
        #expect(!OrderBookVerification.check(book, expectedPrice: try Price("0.500001")).isValid)
        #expect(!OrderBookVerification.check(book, expectedPrice: try Price("0.50"), maxDeviation: try Price("0.05")).isValid)
    }

    @Test func emptyBookIsInvalid() throws {
        for book in [try Books.wireOrder(bids: [], asks: ["0.5"]), try Books.wireOrder(bids: [], asks: [])] {
            let result = OrderBookVerification.check(book, expectedPrice: try Price("0.5"))
            #expect(!result.isValid && result.bestBid == nil && result.reason.contains("no bids") && result.reason.contains("0.5"))
        }
    }

    @Test func crossedBookIsInvalid() throws {
        let result = OrderBookVerification.check(try Books.wireOrder(bids: ["0.60"], asks: ["0.55"]), expectedPrice: try Price("0.60"))
        #expect(!result.isValid)
        #expect(result.reason.contains("crossed") && result.reason.contains("0.6") && result.reason.contains("0.55"))
    }

    @Test func unavailableBookFailsClosed() async throws {
        let missing = FakeBookSource(result: .failure(PMError(.bookInvalid, "no order book for token")))
        let result = try await verifyOrderbookPrice(client: missing, tokenId: Sample.token, expectedPrice: Price("0.5"))
        #expect(!result.isValid && result.reason.contains("unavailable"))
        let cancelled = FakeBookSource(result: .failure(PMError(.cancelled, "cancelled")))
        await #expect(throws: PMError.self) { try await verifyOrderbookPrice(client: cancelled, tokenId: Sample.token, expectedPrice: Price("0.5")) }
    }
}
