import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Helpers of the pool suites: many synthetic assets with books in the fake, and the fake's view
/// of its connections.
enum Pool {
    static let condition = "0x" + String(repeating: "ab", count: 32)

    static func ids(_ n: Int, from start: Int = 0) -> [String] { (start..<(start + n)).map { String(70_000_000 + $0) } }

    /// `{"books":{…}}` with a one-level book per asset.
    static func booksState(_ ids: [String]) -> String {
        let books = ids.map { id in
            #""\#(id)":{"market":"\#(condition)","asset_id":"\#(id)","timestamp":"1767225600123","hash":"00","#
                + #""bids":[{"price":"0.40","size":"10"}],"asks":[{"price":"0.60","size":"10"}]}"#
        }
        return #"{"books":{"# + books.joined(separator: ",") + "}}"
    }

    static func trade(_ asset: String, price: String = "0.52") -> String {
        #"{"json":{"event_type":"last_trade_price","market":"\#(condition)","asset_id":"\#(asset)","price":"\#(price)","timestamp":"1767225600789"}}"#
    }

    /// `GET …/ws` of the session: connections, open, open_assets, rate_limited.
    static func wsState(_ session: FakeSession) async throws -> [String: Any] {
        let data = try await FakeSession.call(session.control, .get, "\(session.root)/_control/sessions/\(session.id)/ws")
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// The subscription messages the client sent, per connection, parsed.
    static func subscriptionFrames(_ session: FakeSession) async throws -> [Int: [[String: Any]]] {
        var out: [Int: [[String: Any]]] = [:]
        for entry in try await session.wsLog() where entry.kind == "text" && entry.body != "PING" {
            let object = try JSONSerialization.jsonObject(with: Data(entry.body.utf8)) as? [String: Any] ?? [:]
            out[entry.connection, default: []].append(object)
        }
        return out
    }

    static func config(_ session: FakeSession, _ tweak: (inout StreamClientConfig) -> Void = { _ in }) -> StreamClientConfig {
        WS.config(session, silenceMs: 0) {
            $0.pongTimeoutMs = 10_000
            $0.pingIntervalMs = 1_000
            $0.connectStaggerMs = 40
            $0.queueCapacity = 100_000
            tweak(&$0)
        }
    }
}

@Suite("StreamClient pool: many assets over many sockets")
struct StreamPoolTests {
    @Test("1,250 assets: 7 sockets of at most 200, frames of at most 100, every book once, no rule broken")
    func manyAssets() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "empty")
        let ids = Pool.ids(1_250)
        try await session.setState(Pool.booksState(ids))
        let client = try StreamClient(config: Pool.config(session))
        defer { client.close() }
        try client.subscribe(tokenIds: ids)
        #expect(client.pool.socketCount == 7)
        try await client.connectAsync()
        var books: [String: Int] = [:]
        let events = try await pull(client, timeoutMs: 30_000) { $0.count >= ids.count }
        for event in events { if let token = event.bookToken { books[token, default: 0] += 1 } }
        for event in events where event.bookToken == nil { Issue.record("unexpected event \(event.eventType)") }
        #expect(books.count == ids.count)
        #expect(books.values.allSatisfy { $0 == 1 })
        #expect(client.stats.reconnects == 0)
        #expect(client.subscribedTokenIds == ids)

        let frames = try await Pool.subscriptionFrames(session)
        #expect(frames.count == 7)
        var seen: [String] = []
        for (_, list) in frames {
            #expect(list.first?["type"] as? String == "market")
            #expect(list.first?["operation"] == nil)
            for (index, frame) in list.enumerated() {
                let assets = frame["assets_ids"] as? [String] ?? []
                #expect(assets.count <= 100)
                if index > 0 { #expect(frame["operation"] as? String == "subscribe") }
                seen += assets
            }
        }
        #expect(seen.count == ids.count && Set(seen) == Set(ids))   // no asset named twice
        #expect(try await session.wsLog().filter { $0.kind == "violation" }.isEmpty)
        let state = try await Pool.wsState(session)
        let perSocket = (state["open_assets"] as? [String: NSNumber] ?? [:]).values.map(\.intValue)
        #expect(perSocket.sorted() == [50, 200, 200, 200, 200, 200, 200])
        let health = client.health()
        #expect(health.sockets.map(\.state) == Array(repeating: .open, count: 7))
        #expect(health.sockets.map(\.assetCount) == [200, 200, 200, 200, 200, 200, 50])
        #expect(health.assets.map(\.tokenId) == ids)
        #expect(health.assets.allSatisfy { $0.continuity == .live && $0.lastEventAgeMs != nil })
    }

    @Test("sockets open staggered: no 429 with a stagger above the server's window; a burst draws 429s and is retried")
    func staggeredHandshakes() async throws {
        let ids = Pool.ids(450)
        // A stagger well above the server's 1-per-300 ms window: no handshake refused. (The margin is
        // for a loaded machine: each socket opens on its own thread, which may start late.)
        let calm = try await FakePolymarket.shared.newSession(preset: "empty")
        try await calm.setWSScript(#"{"dump":false,"handshake_limit":{"count":1,"window_ms":300}}"#)
        let client = try StreamClient(config: Pool.config(calm) { $0.connectStaggerMs = 1_000 })
        defer { client.close() }
        try client.subscribe(tokenIds: ids)
        try await client.connectAsync()
        #expect(await eventually(timeoutMs: 10_000) { client.health().sockets.allSatisfy { $0.state == .open } })
        let calmState = try await Pool.wsState(calm)
        #expect(calmState["rate_limited"] == nil)
        #expect((calmState["open"] as? NSNumber)?.intValue == 3)
        let connects = try await calm.wsLog().filter { $0.kind == "connect" }.map(\.time)
        #expect(connects.count == 3)
        if connects.count == 3 { #expect(connects[2] - connects[1] >= 0.3 && connects[1] - connects[0] >= 0.3) }

        // No stagger: the burst is refused beyond the first handshake; the sockets retry with backoff.
        let burst = try await FakePolymarket.shared.newSession(preset: "empty")
        try await burst.setWSScript(#"{"dump":false,"handshake_limit":{"count":1,"window_ms":300}}"#)
        let eager = try StreamClient(config: Pool.config(burst) { $0.connectStaggerMs = 0; $0.reconnectBaseMs = 100 })
        defer { eager.close() }
        try eager.subscribe(tokenIds: ids)
        try await eager.connectAsync()
        #expect(await eventually(timeoutMs: 20_000) { eager.health().sockets.allSatisfy { $0.state == .open } })
        let burstState = try await Pool.wsState(burst)
        #expect(((burstState["rate_limited"] as? NSNumber)?.intValue ?? 0) >= 1)
        #expect((burstState["open"] as? NSNumber)?.intValue == 3)
        #expect(eager.stats.reconnects == 0)   // a first connection that needed retries is not a reconnect
    }

    @Test("one socket's reconnect marks only its assets: the gap names them, the other books stay valid")
    func oneSocketReconnects() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "empty")
        let ids = Pool.ids(450)
        try await session.setState(Pool.booksState(ids))
        // Socket 1 (the one holding ids[250]) is dropped 1.5 s after its handshake, whichever order
        // the sockets shook hands in; its reconnect (the fourth handshake) is normal.
        let drop = #"{"drop_after_ms":1500,"drop_only_if_subscribed":"\#(ids[250])"}"#
        try await session.setWSScript(#"{"scripts":[\#(drop),\#(drop),\#(drop),{}]}"#)
        let client = try StreamClient(config: Pool.config(session))
        defer { client.close() }
        try client.subscribe(tokenIds: ids)
        let socket1 = Array(ids[200..<400])
        #expect(socket1.allSatisfy { client.pool.socket(of: $0) == 1 })
        try await client.connectAsync()
        let books = LocalOrderBooks(isTracked: client.isSubscribed)
        var gaps: [ReconnectInfo] = []
        var booksAfterGap = Set<String>()
        // Until 200 books arrived after the gap: 450 first, the gap, 200 again.
        let events = try await pull(client, timeoutMs: 20_000) { list in
            guard let gap = list.firstIndex(where: \.isReconnected) else { return false }
            return list[gap...].filter { $0.bookToken != nil }.count >= socket1.count
        }
        for event in events {
            _ = books.apply(event)
            if let info = event.reconnectInfo { gaps.append(info) }
            if !gaps.isEmpty, let token = event.bookToken { booksAfterGap.insert(token) }
            if gaps.count == 1, event.isReconnected {
                // Right at the gap: socket 1's books are invalid, the others valid.
                #expect(books.snapshot(tokenId: ids[250])?.isValid == false)
                #expect(books.snapshot(tokenId: ids[10])?.isValid == true)
                #expect(books.snapshot(tokenId: ids[420])?.isValid == true)
            }
        }
        #expect(gaps.count == 1)
        #expect(gaps.first?.tokenIds == socket1)
        #expect(gaps.first?.attempt ?? 0 >= 1)
        #expect(gaps.first?.affects(ids[0]) == false)
        #expect(booksAfterGap == Set(socket1))       // only socket 1 resubscribed
        #expect(books.snapshot(tokenId: ids[250])?.isValid == true)   // its snapshot restored trust
        let health = client.health()
        #expect(health.sockets.map(\.reconnects) == [0, 1, 0])
        #expect(health.reconnects == 1 && health.gaps == 1)
        #expect(health.sockets[1].lastLossReason != nil)
        #expect(client.stats.reconnects == 1)
    }

    @Test("unsubscribe compacts: the least-filled extra socket's assets move (gap marker naming them), its socket closes")
    func compactOnUnsubscribe() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "empty")
        let ids = Pool.ids(450)
        try await session.setWSScript(#"{"dump":false}"#)
        let client = try StreamClient(config: Pool.config(session))
        defer { client.close() }
        try client.subscribe(tokenIds: ids)
        try await client.connectAsync()
        #expect(await eventually { (try? await Pool.wsState(session))?["open"] as? NSNumber == 3 })
        #expect(await eventually { client.health().sockets.allSatisfy { $0.state == .open } })
        try await Task.sleep(nanoseconds: 300_000_000)   // every subscription frame written
        try client.unsubscribe(tokenIds: Array(ids[0..<150]))
        let moved = Array(ids[400..<450])
        #expect(client.pool.socketCount == 2)
        #expect(moved.allSatisfy { client.pool.socket(of: $0) == 0 })
        let marker = try await pull(client) { $0.contains(where: \.isReconnected) }.compactMap(\.reconnectInfo)
        #expect(marker.first?.tokenIds == moved)
        #expect(marker.first?.attempt == 0)
        #expect(await eventually { (try? await Pool.wsState(session))?["open"] as? NSNumber == 2 })
        // On the primary's connection: unsubscribe 100 + 50, then the 50 moved assets subscribed.
        #expect(await eventually {
            let frames = (try? await Pool.subscriptionFrames(session)) ?? [:]
            let primary = frames.values.first { ($0.first?["assets_ids"] as? [String])?.first == ids[0] } ?? []
            let ops = primary.dropFirst(2).map { ($0["operation"] as? String ?? "", ($0["assets_ids"] as? [String])?.count ?? 0) }
            return ops.map(\.0) == ["unsubscribe", "unsubscribe", "subscribe"] && ops.map(\.1) == [100, 50, 50]
        })
        // A moved asset's events now come from its new socket, once.
        #expect(try await session.wsSend("[\(Pool.trade(moved[0]))]") == 2)
        let after = try await pull(client, timeoutMs: 3_000) { $0.contains { $0.tradeToken == moved[0] } }
        #expect(after.filter { $0.tradeToken == moved[0] }.count == 1)
        #expect(try await session.wsLog().filter { $0.kind == "violation" }.isEmpty)
        #expect(client.subscribedTokenIds == Array(ids[150...]))
        let health = client.health()
        #expect(health.sockets.map(\.id) == [0, 1])
        #expect(health.gaps == 1 && health.reconnects == 0)
        // Everything removed: the extra socket closes, the primary stays.
        try client.unsubscribe(tokenIds: ids)
        #expect(client.pool.socketCount == 1)
        #expect(client.subscribedTokenIds.isEmpty)
    }

    @Test("events reach the consumer once even when every socket receives them; market-wide events from the primary")
    func routing() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "empty")
        let ids = Pool.ids(250)
        try await session.setWSScript(#"{"dump":false,"only_subscribed":false}"#)
        let client = try StreamClient(config: Pool.config(session))
        defer { client.close() }
        try client.subscribe(tokenIds: ids)
        try await client.connectAsync()
        #expect(await eventually { (try? await Pool.wsState(session))?["open"] as? NSNumber == 2 })
        try await Task.sleep(nanoseconds: 300_000_000)
        let change = #"{"json":{"event_type":"price_change","market":"\#(Pool.condition)","timestamp":"1767225600456","price_changes":["#
            + #"{"asset_id":"\#(ids[5])","price":"0.5","size":"1","side":"BUY"},{"asset_id":"\#(ids[210])","price":"0.5","size":"2","side":"SELL"}]}}"#
        let newMarket = #"{"json":{"event_type":"new_market","id":"1","question":"Q?","market":"0xabc","slug":"q","assets_ids":["1","2"],"outcomes":["Yes","No"],"timestamp":"1767225602000"}}"#
        let resolved = #"{"json":{"event_type":"market_resolved","id":"1","market":"0xabc","assets_ids":["\#(ids[220])"],"winning_asset_id":"\#(ids[220])","winning_outcome":"Yes","timestamp":"1767225603000"}}"#
        #expect(try await session.wsSend("[\(Pool.trade(ids[210])),\(change),\(newMarket),\(resolved),\(Pool.trade(ids[249], price: "0.99"))]") == 2)
        let events = try await pull(client, timeoutMs: 5_000) { list in list.filter { $0.tradeToken == ids[249] }.count >= 1 && list.count >= 6 }
        try await Task.sleep(nanoseconds: 300_000_000)
        var all = events
        while let more = try client.next(timeoutMs: 0) { all.append(more) }
        #expect(all.filter { $0.tradeToken == ids[210] }.count == 1)
        #expect(all.filter { $0.eventType == "new_market" }.count == 1)
        #expect(all.filter { $0.eventType == "market_resolved" }.count == 1)
        let changes = all.compactMap { event -> [String]? in
            if case .priceChange(let c) = event { return c.changes.map(\.tokenId) } else { return nil }
        }
        #expect(changes.sorted { $0[0] < $1[0] } == [[ids[5]], [ids[210]]])
    }

    @Test("subscribing after connect opens the new sockets at once, staggered, and their books arrive")
    func growAfterConnect() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "empty")
        let ids = Pool.ids(500)
        try await session.setState(Pool.booksState(ids))
        let client = try StreamClient(config: Pool.config(session) { $0.connectStaggerMs = 200 })
        defer { client.close() }
        try client.subscribe(tokenIds: Array(ids[0..<150]))
        try await client.connectAsync()
        #expect(client.pool.socketCount == 1)
        try client.subscribe(tokenIds: Array(ids[150...]))
        #expect(client.pool.socketCount == 3)
        let events = try await pull(client, timeoutMs: 15_000) { $0.count >= ids.count }
        #expect(Set(events.compactMap(\.bookToken)) == Set(ids))
        #expect(client.health().sockets.map(\.assetCount) == [200, 200, 100])
        let connects = try await session.wsLog().filter { $0.kind == "connect" }.map(\.time)
        #expect(connects.count == 3)
        // Socket 2 opens two staggers (2 × 200 ms) after the primary at the earliest.
        if connects.count == 3 { #expect(connects[2] - connects[0] >= 0.35) }
        #expect(try await session.wsLog().filter { $0.kind == "violation" }.isEmpty)
        client.close()
        #expect(throws: PMError.self) { try client.subscribe(tokenIds: ["1"]) }
        #expect(throws: PMError.self) { try client.unsubscribe(tokenIds: ["1"]) }
        #expect(client.health().sockets.allSatisfy { $0.state == .closed })
    }

    @Test("events enqueued from outside the sockets reach the same consumer")
    func enqueueFromOutside() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "empty")
        let client = try StreamClient(config: Pool.config(session))
        defer { client.close() }
        let resolved = StreamEvent.reconnected(ReconnectInfo(reason: "test marker", attempt: 0, tokenIds: ["1"]))
        client.enqueue([])
        client.enqueue([resolved])
        #expect(try client.next(timeoutMs: 1_000) == resolved)
    }

    @Test("pool settings are validated")
    func validation() throws {
        for tweak in [{ (c: inout StreamClientConfig) in c.maxAssetsPerConnection = 0 },
                      { $0.maxAssetsPerConnection = 501 }, { $0.connectStaggerMs = -1 }, { $0.connectStaggerMs = 60_001 },
                      { $0.subscriptionChunkSize = 0 }, { $0.subscriptionChunkSize = 501 }] {
            var config = StreamClientConfig(url: "ws://127.0.0.1:1/ws/market")
            tweak(&config)
            #expect(throws: PMError.self) { _ = try StreamClient(config: config) }
        }
        let defaults = StreamClientConfig()
        #expect(defaults.maxAssetsPerConnection == 200 && defaults.connectStaggerMs == 250 && defaults.subscriptionChunkSize == 100)
    }
}
