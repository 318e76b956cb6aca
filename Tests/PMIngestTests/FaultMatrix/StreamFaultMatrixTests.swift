import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Issue 6, "Prove it survives": the stream fault matrix. A real `StreamClient` (libwebsockets)
/// subscribed to both tokens of market A of the fake's `basic` preset, against scripted faults
/// (Tests/fakepolymarket README §10). Short timings: PING 200 ms, PONG timeout 600 ms, backoff
/// 50–400 ms. Every loss must end in a recovery that:
///
/// - delivers exactly one `reconnected` per loss, whose reason names the cause, before any event of
///   the new connection; the new connection resubscribes exactly (request log) once the old socket
///   is closed (`open_before == 0`);
/// - hands out nothing wrong: every `book` equals the session's book (as REST serves it), every
///   trade is one the server sent, a frame cut mid-way yields no event, and a `LocalOrderBooks` fed
///   the events shows each book invalid from `reconnected` until its next snapshot;
/// - lets data flow again (a trade pushed afterwards arrives exactly);
/// - happens within the configured heartbeat/backoff/connect timeouts plus a generous margin, and
///   `close()` returns within its grace plus a margin (hang guards, not speed assertions).
///
/// Bad frames must instead be survived: counted, skipped, no reconnect, later data intact.
@Suite("Fault matrix: stream")
struct StreamFaultMatrixTests {
    static let tokens = [WS.aYes, WS.aNo]

    @Test("stream loss → reconnect, resubscribe, books invalid until the snapshot, data flows again",
          arguments: StreamLoss.matrix)
    func loss(_ loss: StreamLoss) async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let expected = try await StreamMatrix.restBooks(session)
        try await session.setWSScript(#"{"scripts":[\#((loss.scripts + ["{}"]).joined(separator: ","))]}"#)
        let config = WS.config(session, silenceMs: 0, loss.tweak)
        let client = try StreamClient(config: config)
        try client.subscribe(tokenIds: Self.tokens)
        try await client.connectAsync()

        if let live = loss.live {
            // A drop triggered from outside, once the first snapshot is in.
            _ = try await pull(client, timeoutMs: 10_000) { $0.contains { $0.bookToken == WS.aNo } }
            switch live {
            case .closeCode(let code): #expect(try await session.wsDrop(closeCode: code) == 1)
            case .reset: #expect(try await session.wsDrop(reset: true) == 1)
            }
        }
        let budget = StreamMatrix.recoveryBudgetMs(config, attempts: loss.attempt)
        var events = try await pull(client, timeoutMs: budget) { events in
            guard let index = events.firstIndex(where: \.isReconnected) else { return false }
            return Set(events[index...].compactMap(\.bookToken)) == Set(Self.tokens)
        }
        events += try await StreamMatrix.dataFlows(session, client)

        let reconnects = events.compactMap(\.reconnectInfo)
        #expect(reconnects.count == 1, "\(loss.name): \(events.map(\.eventType))")
        if let info = reconnects.first {
            #expect(info.reason.mentions(loss.says), "reason \"\(info.reason)\" should mention \(loss.says)")
            #expect(info.attempt == loss.attempt)
        }
        if loss.cutsTheDump {
            // The first connection's only message was cut: nothing of it may come out.
            #expect(events.first?.isReconnected == true, "a cut frame produced \(events.first.map(\.eventType) ?? "-")")
        }
        StreamMatrix.checkNoWrongData(events, expected: expected, trades: loss.tradePrices)
        #expect(client.stats.reconnects == 1)
        if loss.heartbeat { #expect(client.stats.pongTimeouts == 1) }
        try await StreamMatrix.checkResubscribed(session, connections: 2 + loss.refusedAttempts)
        await StreamMatrix.closeWithinGrace(client)
    }

    @Test("silent stall while PONGs continue: watchdog reconnect, and no stale price after it")
    func silentStall() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let before = try await StreamMatrix.restBooks(session)
        // Connection 1 sends the original snapshots as scripted frames; by then the server's No book
        // has moved on (best bid 0.48 → 0.37), so connection 2's snapshot differs: a client still
        // holding connection 1's book after the stall would hand out a stale price. (Moving the
        // book before connecting keeps the test free of a race with the 800 ms watchdog.)
        var original: [[String: Any]] = []
        for token in Self.tokens {
            guard var book = try await StreamMatrix.bookJSON(session, token) as? [String: Any] else {
                throw FakeServerError("stored book of \(token) is not an object")
            }
            book["event_type"] = "book"
            original.append(book)
        }
        let moved = #"{"market":"\#(WS.conditionA)","asset_id":"\#(WS.aNo)","timestamp":"1767225601000","hash":"moved","bids":[{"price":"0.3","size":"10"},{"price":"0.37","size":"25"}],"asks":[{"price":"0.6","size":"10"},{"price":"0.45","size":"40"}],"min_order_size":"5","tick_size":"0.01","neg_risk":false,"last_trade_price":"0.4"}"#
        try await session.setState(#"{"books":{"\#(WS.aYes)":\#(try jsonText(original[0].filter { $0.key != "event_type" })),"\#(WS.aNo)":\#(moved)}}"#)
        let after = try await StreamMatrix.restBooks(session)
        #expect(after[WS.aNo]?.bestBid?.price == Price.literal("0.37") && before[WS.aNo]?.bestBid?.price != after[WS.aNo]?.bestBid?.price)
        #expect(after[WS.aYes] == before[WS.aYes])

        // Connection 1: the original snapshots, then trades for Yes only while PONGs keep coming:
        // No stalls. Connection 2: trades for both, so nothing stalls any more.
        let yesTrades = #"{"every_ms":100,"frames":[\#(WS.tradeFrame(WS.aYes, price: "0.52"))]}"#
        let bothTrades = #"{"every_ms":100,"frames":[\#(WS.tradeFrame(WS.aYes, price: "0.52")),\#(WS.tradeFrame(WS.aNo, price: "0.52"))]}"#
        let originalFrame = try jsonText(["json": original])
        try await session.setWSScript(#"{"scripts":[{"dump":false,"on_subscribe":[\#(originalFrame)],"periodic":[\#(yesTrades)]},{"periodic":[\#(bothTrades)]}]}"#)
        let config = WS.config(session, silenceMs: 800)
        let client = try StreamClient(config: config)
        try client.subscribe(tokenIds: Self.tokens)
        try await client.connectAsync()

        let books = LocalOrderBooks()
        var staleAfterReconnect = false
        var events = try await pull(client, timeoutMs: StreamMatrix.recoveryBudgetMs(config, attempts: 1)) { events in
            guard let index = events.firstIndex(where: \.isReconnected) else { return false }
            return events[index...].contains { $0.bookToken == WS.aNo }
        }
        for event in events {
            books.apply(event)
            if event.isReconnected { staleAfterReconnect = books.bestBid(tokenId: WS.aNo) != nil }
        }
        #expect(!staleAfterReconnect, "No's pre-stall best bid survived the reconnect")
        let info = events.compactMap(\.reconnectInfo)
        #expect(info.count == 1 && info.first?.reason.mentions(["silent", String(WS.aNo.prefix(8))]) == true,
                "\(info.map(\.reason))")
        #expect(books.bestBid(tokenId: WS.aNo) == Price.literal("0.37"))     // the new snapshot, not the stale 0.x
        let local = books.snapshot(tokenId: WS.aNo)?.book
        #expect(local?.bids == after[WS.aNo]?.bids && local?.asks == after[WS.aNo]?.asks && local?.hash == "moved")
        #expect(client.stats.silentAssetTimeouts == 1 && client.stats.pongTimeouts == 0 && client.stats.pongs >= 1)
        events += try await StreamMatrix.dataFlows(session, client)
        // Before the reconnect, the books were the original ones; after it, the moved ones.
        if let index = events.firstIndex(where: \.isReconnected) {
            for case .book(let book) in events[..<index] { #expect(book == before[book.tokenId]) }
            for case .book(let book) in events[index...] { #expect(book == after[book.tokenId]) }
        }
        try await StreamMatrix.checkResubscribed(session, connections: 2)
        await StreamMatrix.closeWithinGrace(client)
    }

    @Test("ten reconnect storms in a row: each connection dropped right after its snapshot; then calm")
    func reconnectStorms() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let expected = try await StreamMatrix.restBooks(session)
        let storms = 10
        try await session.setWSScript(#"{"scripts":[\#(Array(repeating: #"{"drop_after_subscribe":true}"#, count: storms).joined(separator: ",")),{}]}"#)
        let config = WS.config(session, silenceMs: 0) { $0.pongTimeoutMs = 5_000 }
        let client = try StreamClient(config: config)
        try client.subscribe(tokenIds: Self.tokens)
        try await client.connectAsync()
        var events = try await pull(client, timeoutMs: storms * StreamMatrix.recoveryBudgetMs(config, attempts: 1)) { events in
            guard events.filter(\.isReconnected).count == storms, let last = events.lastIndex(where: \.isReconnected) else {
                return false
            }
            return Set(events[last...].compactMap(\.bookToken)) == Set(Self.tokens)
        }
        events += try await StreamMatrix.dataFlows(session, client)

        let reconnects = events.compactMap(\.reconnectInfo)
        #expect(reconnects.count == storms, "\(events.map(\.eventType))")
        // Every storm connection delivered its snapshot, so every reconnect is a first attempt.
        #expect(reconnects.allSatisfy { $0.attempt == 1 && $0.reason.contains("closed") }, "\(reconnects)")
        // Each connection: its two snapshots, in subscription order, then the loss.
        let shape = events.filter { $0.isReconnected || $0.bookToken != nil }.map { $0.bookToken ?? "R" }
        let oneConnection = [WS.aYes, WS.aNo]
        #expect(shape == oneConnection + Array(repeating: ["R"] + oneConnection, count: storms).flatMap { $0 })
        StreamMatrix.checkNoWrongData(events, expected: expected, trades: [])
        #expect(client.stats.reconnects == storms)
        #expect(client.isConnected)
        try await StreamMatrix.checkResubscribed(session, connections: storms + 1)
        await StreamMatrix.closeWithinGrace(client)
    }

    @Test("bad frame → counted and skipped, no reconnect, later data intact", arguments: StreamGarbage.matrix)
    func garbage(_ garbage: StreamGarbage) async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let expected = try await StreamMatrix.restBooks(session)
        // The dump, the bad frame, then a good trade: the trade proves the connection survived.
        let good = WS.tradeFrame(WS.aYes, price: "0.61")
        try await session.setWSScript(#"{"on_subscribe":[\#(garbage.frame),\#(good)]}"#)
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) {
            $0.pongTimeoutMs = 10_000
            $0.maxMessageBytes = 64 << 10
        })
        try client.subscribe(tokenIds: Self.tokens)
        try await client.connectAsync()
        let events = try await pull(client) { $0.contains { $0.tradeToken != nil } }
        #expect(events.map(\.eventType) == ["book", "book", "last_trade_price"], "\(garbage.name): \(events.map(\.eventType))")
        StreamMatrix.checkNoWrongData(events, expected: expected, trades: ["0.61"])
        let stats = client.stats
        #expect(stats[keyPath: garbage.counter] == garbage.count,
                "\(garbage.name): \(garbage.counter) = \(stats[keyPath: garbage.counter]), stats \(stats)")
        #expect(stats.reconnects == 0 && client.isConnected)
        #expect(try await session.wsLog().filter { $0.kind == "connect" }.count == 1)
        await StreamMatrix.closeWithinGrace(client)
    }
}

/// One row of the loss matrix: how the first connection dies (later ones are normal).
struct StreamLoss: Sendable, CustomTestStringConvertible {
    enum Live: Sendable { case closeCode(Int), reset }

    let name: String
    /// Scripts of the connections before the final healthy one (README §10.1), as JSON text.
    let scripts: [String]
    /// Fragments the `reconnected` reason must contain.
    let says: [String]
    /// The attempt that succeeds (1 + refused or timed-out attempts in between).
    var attempt = 1
    var live: Live? = nil
    var heartbeat = false
    var cutsTheDump = false
    /// Prices of the trades the first connection sends (anything else is wrong data).
    var tradePrices: Set<String> = []
    var tweak: @Sendable (inout StreamClientConfig) -> Void = { $0.pongTimeoutMs = 5_000 }

    var testDescription: String { name }
    var refusedAttempts: Int { attempt - 1 }

    /// Seeded, so a failing case is reproducible from its name.
    static let matrix: [StreamLoss] = {
        var rng = SplitMix64(state: 0x5EED_0006)
        var rows: [StreamLoss] = []
        // Drops at random moments while trades flow every 40 ms (0 ms: before the subscribe is answered).
        let trades = #""periodic":[{"every_ms":40,"frames":[\#(WS.tradeFrame(WS.aYes, price: "0.53"))]}]"#
        for (index, ms) in ([0] + (0..<4).map { _ in Int.random(in: 1...400, using: &rng) }).enumerated() {
            let mode = index.isMultiple(of: 2) ? "fin" : "reset"
            var row = StreamLoss(name: "drop (\(mode)) \(ms) ms after the handshake",
                                 scripts: [#"{"drop_after_ms":\#(ms),"drop_mode":"\#(mode)",\#(trades)}"#], says: [])
            row.tradePrices = ["0.53"]
            rows.append(row)
        }
        // Drops mid-message: the dump cut at random byte offsets, whole or in 64-byte fragments.
        for fragment in [nil, 64] as [Int?] {
            for _ in 0..<3 {
                let cut = Int.random(in: 1...300, using: &rng)
                let spec = fragment.map { #"{"books":"subscribed","fragment":\#($0),"cut":\#(cut)}"# }
                    ?? #"{"books":"subscribed","cut":\#(cut)}"#
                var row = StreamLoss(name: "drop mid-frame: dump\(fragment.map { " in \($0)-byte fragments" } ?? "") cut after \(cut) bytes",
                                     scripts: [#"{"dump":false,"on_subscribe":[\#(spec)]}"#], says: ["closed"])
                row.cutsTheDump = true
                rows.append(row)
            }
        }
        // Close frames with codes, scripted and live. libwebsockets 4.1 hands 1012-1015 over as 1002
        // (the original code is lost before the callback): the reason must say that it may be one.
        for code in [1000, 1001, 1002, 1008, 1011, 1012, 1013, 3000, 4000, 4999] {
            let says = (1012...1015).contains(code) || code == 1002
                ? ["code 1002", "1012-1015 such as 1012 service restart", "fault matrix"] : ["code \(code)", "fault matrix"]
            rows.append(StreamLoss(name: "close frame \(code)",
                                   scripts: [#"{"drop_after_ms":150,"close_code":\#(code),"close_reason":"fault matrix"}"#], says: says))
        }
        var live = StreamLoss(name: "close frame 1011 sent live", scripts: ["{}"], says: ["code 1011"])
        live.live = .closeCode(1011)
        rows.append(live)
        var reset = StreamLoss(name: "TCP reset sent live", scripts: ["{}"], says: [])
        reset.live = .reset
        rows.append(reset)
        // PONG loss.
        var pong = StreamLoss(name: "PONG loss", scripts: [#"{"pong":false}"#], says: ["PONG"])
        pong.heartbeat = true
        pong.tweak = { _ in }
        rows.append(pong)
        // The reconnect itself meets faults: refused handshakes, then a hung one.
        var refused = StreamLoss(name: "drop, then 3 handshakes refused with 503",
                                 scripts: [#"{"drop_after_ms":150}"#] + Array(repeating: #"{"reject_status":503}"#, count: 3),
                                 says: ["closed"])
        refused.attempt = 4
        rows.append(refused)
        var hung = StreamLoss(name: "drop, then a handshake that never answers", scripts: [#"{"drop_after_ms":150}"#, #"{"hang_handshake":true}"#],
                              says: ["closed"])
        hung.attempt = 2
        hung.tweak = { $0.pongTimeoutMs = 5_000; $0.connectTimeoutMs = 3_000 }   // also the first connect's: not shorter
        rows.append(hung)
        return rows
    }()
}

/// One row of the bad-frame matrix: a frame the client must count and skip.
struct StreamGarbage: Sendable, CustomTestStringConvertible {
    let name: String
    /// The frame spec (README §10.2), JSON text.
    let frame: String
    let counter: KeyPath<StreamStats, Int> & Sendable
    let count: Int

    var testDescription: String { name }

    static let badBook = #"{"event_type":"book","market":"\#(WS.conditionA)","asset_id":"\#(WS.aYes)","timestamp":"1767225600000","hash":"x","bids":"none","asks":[]}"#
    static let badTrade = #"{"event_type":"last_trade_price","market":"\#(WS.conditionA)","asset_id":"\#(WS.aYes)","price":"abc","size":"1","side":"BUY","timestamp":"1767225600000"}"#
    static let badChange = #"{"event_type":"price_change","market":"\#(WS.conditionA)","timestamp":"1767225600000","price_changes":"none"}"#

    static let matrix: [StreamGarbage] = [
        StreamGarbage(name: "not JSON", frame: #"{"text":"<<not json>>"}"#, counter: \.skippedMalformed, count: 1),
        StreamGarbage(name: "empty text frame", frame: #"{"text":""}"#, counter: \.skippedMalformed, count: 1),
        StreamGarbage(name: "truncated JSON", frame: #"{"text":"[{\"event_type\":\"book\",\"asset_id\":\"1"}"#,
                      counter: \.skippedMalformed, count: 1),
        StreamGarbage(name: "invalid UTF-8", frame: #"{"text_hex":"7b22ff223a317d"}"#, counter: \.skippedInvalidUTF8, count: 1),
        StreamGarbage(name: "binary frame", frame: #"{"binary_hex":"00010203"}"#, counter: \.skippedBinary, count: 1),
        StreamGarbage(name: "oversize frame (100 KB, 64 KiB cap)", frame: #"{"oversize":100000}"#, counter: \.skippedOversize, count: 1),
        StreamGarbage(name: "oversize message in 20 fragments", frame: #"{"oversize":100000,"fragment":5000}"#,
                      counter: \.skippedOversize, count: 1),
        StreamGarbage(name: "book with wrong JSON types", frame: #"{"json":[\#(badBook)]}"#, counter: \.skippedMalformed, count: 1),
        StreamGarbage(name: "trade with a non-decimal price", frame: #"{"json":\#(badTrade)}"#, counter: \.skippedMalformed, count: 1),
        StreamGarbage(name: "trade with a negative price", frame: #"{"json":\#(badTrade.replacingOccurrences(of: "\"abc\"", with: "\"-0.5\""))}"#,
                      counter: \.skippedMalformed, count: 1),
        StreamGarbage(name: "price_change with wrong JSON types", frame: #"{"json":\#(badChange)}"#, counter: \.skippedMalformed, count: 1),
        StreamGarbage(name: "nesting 60000 deep", frame: #"{"text":"\#(String(repeating: "[", count: 60_000))"}"#,
                      counter: \.skippedMalformed, count: 1),
    ]
}

enum StreamMatrix {
    /// The session's books of both tokens, as REST serves them (the stream must hand out the same).
    static func restBooks(_ session: FakeSession) async throws -> [String: OrderBook] {
        let transport = try CurlTransport(config: HTTPTest.config())
        defer { transport.shutdown() }
        let client = try PolymarketClient(endpoints: PolymarketEndpoints(gammaURL: session.gammaURL, clobURL: session.clobURL,
                                                                         dataURL: session.dataURL), transport: transport)
        var books: [String: OrderBook] = [:]
        for token in StreamFaultMatrixTests.tokens { books[token] = try await client.fetchOrderBook(tokenId: token) }
        return books
    }

    /// The stored book object of a token, from the session's state.
    static func bookJSON(_ session: FakeSession, _ token: String) async throws -> Any {
        let data = try await FakeSession.call(session.control, .get, "\(session.root)/_control/sessions/\(session.id)/state")
        guard let state = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let books = state["books"] as? [String: Any], let book = books[token] else {
            throw FakeServerError("no stored book for \(token)")
        }
        return book
    }

    /// Everything the heartbeat, the backoff and the connect timeout may take for `attempts`
    /// attempts, plus 20 s of margin for a loaded machine: the hang guard of a recovery.
    static func recoveryBudgetMs(_ config: StreamClientConfig, attempts: Int) -> Int {
        config.pongTimeoutMs + config.assetSilenceTimeoutMs
            + attempts * (config.reconnectMaxMs + config.connectTimeoutMs) + 20_000
    }

    /// Pushes a distinctive trade on the (new) connection and returns the events up to it: data flows again.
    static func dataFlows(_ session: FakeSession, _ client: StreamClient) async throws -> [StreamEvent] {
        #expect(try await session.wsSend("[\(WS.tradeFrame(WS.aNo, price: "0.77"))]") == 1)
        func pushed(_ event: StreamEvent) -> Bool {
            if case .lastTradePrice(let trade) = event { return trade.tokenId == WS.aNo && trade.price == Price.literal("0.77") }
            return false
        }
        let events = try await pull(client) { $0.contains(where: pushed) }
        #expect(events.contains(where: pushed), "no data after the recovery: \(events.map(\.eventType))")
        return events
    }

    /// No wrong data: books equal the served ones, trades carry only prices the server sent, and a
    /// `LocalOrderBooks` fed the events has every book invalid from a `reconnected` to its next snapshot.
    static func checkNoWrongData(_ events: [StreamEvent], expected: [String: OrderBook], trades: Set<String>) {
        let books = LocalOrderBooks()
        for event in events {
            books.apply(event)
            switch event {
            case .book(let book):
                #expect(book == expected[book.tokenId], "a book not as served: \(book)")
                #expect(books.bestBid(tokenId: book.tokenId) == book.bestBid?.price)
            case .reconnected:
                for token in StreamFaultMatrixTests.tokens {
                    #expect(books.bestBid(tokenId: token) == nil, "\(token.prefix(8)) still trusted after a reconnect")
                    if let snapshot = books.snapshot(tokenId: token) {
                        #expect(!snapshot.isValid && snapshot.invalidReason?.contains("continuity lost") == true)
                    }
                }
            case .lastTradePrice(let trade):
                #expect(trades.union(["0.77"]).contains(trade.price.description), "a trade nobody sent: \(trade)")
            default:
                Issue.record("unexpected event \(event.eventType)")
            }
        }
    }

    /// Connection k+1 opened only after connection k's socket was closed, and every connection that
    /// completed its handshake sent exactly the initial subscribe message for both tokens.
    static func checkResubscribed(_ session: FakeSession, connections: Int) async throws {
        let log = try await session.wsLog()
        let connects = log.filter { $0.kind == "connect" }
        #expect(connects.count == connections)
        #expect(connects.dropFirst().allSatisfy { $0.openBefore == 0 })
        let subscribe = WS.subscribeMessage(StreamFaultMatrixTests.tokens)
        let subscribed = Set(log.filter { $0.kind == "text" && $0.body == subscribe }.map(\.connection))
        let answered = Set(log.filter { $0.kind == "text" }.map(\.connection))
        #expect(subscribed == answered, "a connection talked without subscribing first")
        for connection in answered {
            let texts = log.filter { $0.connection == connection && $0.kind == "text" && $0.body != "PING" }
            #expect(texts.map(\.body) == [subscribe])
        }
        if let last = connects.last { #expect(subscribed.contains(last.connection), "the last connection never subscribed") }
    }

    /// `close()` returns within its polite-close grace plus a margin.
    static func closeWithinGrace(_ client: StreamClient) async {
        _ = await withHangGuard(seconds: 15, "StreamClient.close()") { await offPool { client.close() } }
    }
}
