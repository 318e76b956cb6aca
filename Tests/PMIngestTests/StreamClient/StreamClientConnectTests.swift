import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite("StreamClient: connect, subscribe, events")
struct StreamClientConnectTests {
    @Test("connect + subscribe: the subscribe payload is recorded exactly; the initial dump arrives as book events")
    func subscribePayloadAndInitialDump() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let client = try StreamClient(config: WS.config(session, silenceMs: 0))
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes, WS.aNo])
        try await client.connectAsync()
        #expect(client.isConnected)
        #expect(client.subscribedTokenIds == [WS.aYes, WS.aNo])

        let events = try await pull(client) { $0.count >= 2 }
        #expect(events.compactMap(\.bookToken) == [WS.aYes, WS.aNo])
        if case .book(let book)? = events.first {
            // The wire sends bids ascending and asks descending; the model is best first.
            #expect(book.conditionId == WS.conditionA)
            #expect(book.bids.count > 1 && book.asks.count > 1)
            if let bestBid = book.bestBid, let bestAsk = book.bestAsk {
                #expect(bestBid.price < bestAsk.price)
                #expect(book.bids.allSatisfy { $0.price <= bestBid.price })
                #expect(book.asks.allSatisfy { $0.price >= bestAsk.price })
            }
        }
        let texts = try await session.wsLog().filter { $0.kind == "text" && $0.body != "PING" }
        #expect(texts.map(\.body) == [WS.subscribeMessage([WS.aYes, WS.aNo])])
        #expect(client.stats.events >= 2)
        #expect(client.stats.frames >= 1)
    }

    @Test("subscribing after connect sends the initial form first, then the operation form")
    func subscribeAfterConnect() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let client = try StreamClient(config: WS.config(session, silenceMs: 0))
        defer { client.close() }
        try await client.connectAsync()
        try client.subscribe(tokenIds: [WS.aYes])
        #expect(try await pull(client) { $0.contains { $0.bookToken == WS.aYes } }.contains { $0.bookToken == WS.aYes })
        try client.subscribe(tokenIds: [WS.aYes])   // already subscribed: nothing is sent
        try client.subscribe(tokenIds: [WS.aNo, WS.cYes])
        let books = try await pull(client) { $0.compactMap(\.bookToken).count >= 2 }
        #expect(books.compactMap(\.bookToken) == [WS.aNo, WS.cYes])
        let texts = try await session.wsLog().filter { $0.kind == "text" && $0.body != "PING" }.map(\.body)
        #expect(texts == [WS.subscribeMessage([WS.aYes]), WS.operationMessage("subscribe", [WS.aNo, WS.cYes])])
    }

    @Test("dynamic subscribe and unsubscribe on an open socket; data stops for the unsubscribed asset")
    func dynamicSubscribeUnsubscribe() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let client = try StreamClient(config: WS.config(session, silenceMs: 0))
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes])
        try await client.connectAsync()
        _ = try await pull(client) { $0.contains { $0.bookToken == WS.aYes } }

        try client.subscribe(tokenIds: [WS.aNo])
        let afterSubscribe = try await pull(client) { $0.contains { $0.bookToken == WS.aNo } }
        #expect(afterSubscribe.contains { $0.bookToken == WS.aNo })

        try client.unsubscribe(tokenIds: [WS.aYes])
        try client.unsubscribe(tokenIds: ["999"])   // not subscribed: ignored
        #expect(client.subscribedTokenIds == [WS.aNo])
        #expect(try await eventually {
            try await session.wsLog().contains { $0.body == WS.operationMessage("unsubscribe", [WS.aYes]) }
        })
        // The fake only sends subscribed assets, like the real feed: aYes' trade is not delivered.
        try await session.wsSend(try jsonText([jsonFrame(trade(WS.aYes, price: "0.11")), jsonFrame(trade(WS.aNo, price: "0.22"))]))
        let trades = try await pull(client) { $0.contains { $0.tradeToken != nil } }
        #expect(trades.compactMap(\.tradeToken) == [WS.aNo])

        let texts = try await session.wsLog().filter { $0.kind == "text" && $0.body != "PING" }.map(\.body)
        #expect(texts == [WS.subscribeMessage([WS.aYes]), WS.operationMessage("subscribe", [WS.aNo]),
                          WS.operationMessage("unsubscribe", [WS.aYes])])
    }

    @Test("every event type flows through, in wire order; unknown types are counted and skipped")
    func everyEventType() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let names = ["book", "price_change", "last_trade_price", "tick_size_change", "best_bid_ask", "new_market",
                     "market_resolved", "legacy_brief_price_change", "unknown_event", "mixed_array"]
        var frames: [[String: Any]] = []
        for name in names { frames.append(["text": try wsFixture(name)]) }
        try await session.setWSScript(try jsonText(["only_subscribed": false, "dump": false, "on_subscribe": frames]))
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) { $0.pongTimeoutMs = 10_000 })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes])
        try await client.connectAsync()
        let mixed = MarketChannelParser().parse(try wsFixture("mixed_array"))
        let expectedCount = 8 + mixed.events.count
        let events = try await pull(client) { $0.count >= expectedCount }
        let types = events.map(\.eventType)
        #expect(Array(types.prefix(8)) == ["book", "price_change", "last_trade_price", "tick_size_change", "best_bid_ask",
                                           "new_market", "market_resolved", "price_change"])
        #expect(events.count == expectedCount)
        if events.count >= 8, case .legacyPriceChange = events[7] {} else { Issue.record("8th event is not the legacy price change") }
        #expect(Array(events.dropFirst(8)) == mixed.events)
        let stats = client.stats
        #expect(stats.skippedUnknown == 1 + mixed.unknownEventTypes)
        #expect(stats.skippedMalformed == mixed.malformed)
        #expect(stats.events == expectedCount)
        #expect(stats.reconnects == 0)
    }

    @Test("a refused port throws .network at once and leaves no thread; connect may be retried")
    func refusedConnect() async throws {
        let session = try await FakePolymarket.shared.newSession()
        // A port that was free a moment ago: nothing listens there.
        let port = try freePort()
        var config = WS.config(session)
        config.url = "ws://127.0.0.1:\(port)/ws/market"
        // A connect that waited for its timeout instead of failing on the refusal would take 2 × 30 s;
        // the bound leaves room for a loaded machine.
        config.connectTimeoutMs = 30_000
        let client = try StreamClient(config: config)
        defer { client.close() }
        let start = Date()
        await #expect(throws: PMError.self) { try await client.connectAsync() }
        do { try await client.connectAsync() } catch { #expect(error.kind == .network) }
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(!client.isConnected)
    }

    @Test("a handshake refused with HTTP 503 throws .network; a hung handshake throws .timeout")
    func rejectedAndHungHandshake() async throws {
        let session = try await FakePolymarket.shared.newSession()
        try await session.setWSScript(#"{"scripts":[{"reject_status":503},{"hang_handshake":true},{}]}"#)
        // 2 s: long enough for a loaded 2-core machine to answer the refusal, short enough for the hang.
        let client = try StreamClient(config: WS.config(session) { $0.connectTimeoutMs = 2_000 })
        defer { client.close() }
        // The blocking overload (C/Python's path), on a plain thread.
        let blocking: PMError? = await offPool {
            do {
                try client.connect()
                return nil
            } catch let error as PMError {
                return error
            } catch {
                return PMError(.internal, "\(error)")
            }
        }
        #expect(blocking?.kind == .network)
        let start = Date()
        do {
            try await client.connectAsync()
            Issue.record("connect succeeded against a hung handshake")
        } catch {
            #expect(error.kind == .timeout)
        }
        #expect(Date().timeIntervalSince(start) < 10)
        try await client.connectAsync()   // third script: a normal connection
        #expect(client.isConnected)
    }

    @Test("bad configuration and arguments are refused with .invalidArgument")
    func invalidArguments() throws {
        for url in ["", "http://x/ws", "ws://", "ws://host:0/x", "ws://host:99999/", "ws://a b/", "ws://h/#frag", "ws://u@h/"] {
            #expect(throws: PMError.self) { _ = try StreamClient(url: url) }
        }
        var config = StreamClientConfig(url: "ws://127.0.0.1:1/ws/market")
        config.queueCapacity = 0
        #expect(throws: PMError.self) { _ = try StreamClient(config: config) }
        config = StreamClientConfig(url: "ws://127.0.0.1:1/ws/market")
        config.reconnectMaxMs = 1
        #expect(throws: PMError.self) { _ = try StreamClient(config: config) }
        config = StreamClientConfig(url: "ws://127.0.0.1:1/ws/market")
        config.pongTimeoutMs = config.pingIntervalMs   // a PONG could never arrive in time
        #expect(throws: PMError.self) { _ = try StreamClient(config: config) }
        let client = try StreamClient(url: "ws://127.0.0.1:1/ws/market")
        defer { client.close() }
        #expect(throws: PMError.self) { try client.subscribe(tokenIds: []) }
        #expect(throws: PMError.self) { try client.subscribe(tokenIds: [""]) }
        #expect(throws: PMError.self) { try client.subscribe(tokenIds: ["12\n3"]) }
        #expect(client.subscribedTokenIds.isEmpty)
    }
}

/// A TCP port nothing listens on (bound, read, closed).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw FakeServerError("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw FakeServerError("bind failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
