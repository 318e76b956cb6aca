import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The stream queue is bounded by the events' memory as well as by their number, and allocates
/// storage as it fills rather than for its whole capacity up front.
@Suite("EventQueue: byte bound and lazy storage")
struct EventQueueBoundsTests {
    static let token = "71321045679252212594626385532706912750332728571942532289631379312455583992563"

    /// A 20+20-level book, as the feed sends on subscribe; `n` tells the books apart.
    static func book(_ n: Int) -> StreamEvent {
        let bids = (1...20).map { OrderBookLevel(price: Price(micros: Int64($0) * 10_000), size: Size(micros: 1_000_000)) }
        let asks = (51...70).map { OrderBookLevel(price: Price(micros: Int64($0) * 10_000), size: Size(micros: 1_000_000)) }
        return .book(OrderBook(tokenId: token, conditionId: "0x" + String(repeating: "ab", count: 32),
                               timestampMs: Int64(n), hash: String(repeating: "f", count: 40), bids: bids, asks: asks))
    }

    static func trade(_ n: Int) -> StreamEvent {
        .lastTradePrice(LastTradeEvent(tokenId: token, conditionId: nil, price: Price(micros: 500_000), size: nil,
                                       side: nil, feeRateBps: nil, timestampMs: Int64(n), transactionHash: nil))
    }

    @Test("a book weighs more than a trade print, and more levels weigh more")
    func footprintGrowsWithContent() {
        #expect(Self.book(1).footprintBytes > 4 * Self.trade(1).footprintBytes)
        let small = StreamEvent.book(OrderBook(tokenId: Self.token, bids: [], asks: []))
        #expect(small.footprintBytes < Self.book(1).footprintBytes)
    }

    @Test("over the byte bound the oldest are dropped, a gap marker comes first, the newest survive")
    func byteBoundDropsOldest() throws {
        let oneBook = Self.book(0).footprintBytes
        let queue = EventQueue(capacity: 10_000, maxBytes: 10 * oneBook)
        #expect(queue.push((1...30).map(Self.book)) == 20)
        #expect(queue.dropped == 20)
        #expect(queue.pending == 10)
        #expect(queue.queuedBytes == 10 * oneBook)
        #expect(queue.queuedBytesPeak <= 10 * oneBook)
        let marker = try queue.next(timeoutMs: 0)
        #expect(marker?.reconnectInfo?.reason == "queue overflow: 20 events dropped")
        var stamps: [Int64] = []
        while let event = try queue.next(timeoutMs: 0) {
            if case .book(let book) = event { stamps.append(book.timestampMs ?? -1) }
        }
        #expect(stamps == (21...30).map(Int64.init))
        #expect(queue.queuedBytes == 0)
    }

    @Test("small events are not dropped for the bytes big ones would take")
    func mixedSizesHonourBothBounds() throws {
        let queue = EventQueue(capacity: 5, maxBytes: 1 << 20)
        queue.push((1...8).map(Self.trade))
        #expect(queue.dropped == 3)             // the count bound, bytes far from their limit
        #expect(queue.queuedBytes == 5 * Self.trade(0).footprintBytes)
    }

    @Test("the newest event is kept even when it alone exceeds the byte bound")
    func oversizedNewestIsKept() throws {
        let queue = EventQueue(capacity: 100, maxBytes: 64)
        queue.push([Self.trade(1), Self.book(2)])
        #expect(queue.pending == 1)
        #expect(queue.dropped == 1)
        _ = try queue.next(timeoutMs: 0)        // the gap marker
        guard case .book(let book)? = try queue.next(timeoutMs: 0) else {
            Issue.record("expected the newest book")
            return
        }
        #expect(book.timestampMs == 2)
    }

    @Test("storage is allocated as the queue fills, not for its capacity, and given back once drained")
    func storageGrowsLazily() throws {
        let queue = EventQueue(capacity: StreamClientConfig.maxQueueCapacity)
        #expect(queue.allocatedSlots == EventQueue.initialSlots)
        queue.push((1...100).map(Self.trade))
        #expect(queue.allocatedSlots == 128)
        queue.push((101...5_000).map(Self.trade))
        #expect(queue.allocatedSlots >= 5_000 && queue.allocatedSlots < 10_000)
        var order: [Int64] = []                 // growth keeps the order
        while let event = try queue.next(timeoutMs: 0) {
            if case .lastTradePrice(let trade) = event { order.append(trade.timestampMs) }
        }
        #expect(order == (1...5_000).map(Int64.init))
        #expect(queue.allocatedSlots == EventQueue.initialSlots)
        #expect(queue.dropped == 0)
    }

    @Test("growth while the ring has wrapped keeps the order")
    func growthAfterWrap() throws {
        let queue = EventQueue(capacity: 1_000)
        queue.push((1...60).map(Self.trade))
        for _ in 0..<50 { _ = try queue.next(timeoutMs: 0) }
        queue.push((61...200).map(Self.trade))  // wraps the 64 slots, then grows
        var order: [Int64] = []
        while let event = try queue.next(timeoutMs: 0) {
            if case .lastTradePrice(let trade) = event { order.append(trade.timestampMs) }
        }
        #expect(order == (51...200).map(Int64.init))
    }

    @Test("the configuration refuses byte bounds and counts outside their ranges")
    func configurationRanges() throws {
        var config = StreamClientConfig(url: "ws://127.0.0.1:9/ws/market")
        #expect(config.queueMaxBytes == 64 << 20)
        config.queueMaxBytes = 1_000
        #expect(throws: PMError.self) { _ = try StreamClient(config: config) }
        config.queueMaxBytes = 64 << 20
        config.queueCapacity = StreamClientConfig.maxQueueCapacity + 1
        #expect(throws: PMError.self) { _ = try StreamClient(config: config) }
        config.queueCapacity = StreamClientConfig.maxQueueCapacity
        let client = try StreamClient(config: config)
        client.close()
    }
}
