import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The client obeys the market channel's rules (docs/wire/market-channel.md, "Protocol rules"),
/// checked against the fake's strict wire, which every test here (and every other stream test) runs on.
@Suite("StreamClient on the strict wire")
struct StreamStrictWireTests {
    @Test("no PING before the initial subscription: an idle connection stays up; the subscription goes first")
    func noPingFirst() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) { $0.pongTimeoutMs = 500 })
        defer { client.close() }
        try await client.connectAsync()
        try await Task.sleep(nanoseconds: 1_000_000_000)   // 5 ping intervals, 2 PONG deadlines
        #expect(try await session.wsLog().filter { $0.kind == "text" }.isEmpty)
        #expect(client.stats.reconnects == 0 && client.stats.pings == 0 && client.stats.pongTimeouts == 0)
        #expect(client.isConnected)
        try client.subscribe(tokenIds: [WS.aYes])
        #expect(await eventually { client.stats.pongs >= 2 })
        let texts = try await session.wsLog().filter { $0.kind == "text" }.map(\.body)
        #expect(texts.first == WS.subscribeMessage([WS.aYes]))
        #expect(texts.dropFirst().allSatisfy { $0 == "PING" })
        #expect(try await session.wsLog().filter { $0.kind == "violation" }.isEmpty)
        #expect(client.stats.reconnects == 0)
    }

    @Test("after the initial frame only operation frames; nothing named twice, even when the caller repeats itself")
    func operationsOnly() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) { $0.pongTimeoutMs = 10_000 })
        defer { client.close() }
        func sent(_ n: Int) async -> Bool {
            await eventually { (try? await session.wsLog().filter { $0.kind == "text" && $0.body != "PING" }.count) == n }
        }
        try client.subscribe(tokenIds: [WS.aYes, WS.aYes])
        try await client.connectAsync()
        #expect(await sent(1))
        try client.subscribe(tokenIds: [WS.aYes, WS.aNo, WS.aNo])
        #expect(await sent(2))
        try client.unsubscribe(tokenIds: [WS.aYes, WS.aYes])
        #expect(await sent(3))
        try client.subscribe(tokenIds: [WS.aYes])
        #expect(await sent(4))
        let texts = try await session.wsLog().filter { $0.kind == "text" && $0.body != "PING" }.map(\.body)
        #expect(texts == [WS.subscribeMessage([WS.aYes]), WS.operationMessage("subscribe", [WS.aNo]),
                          WS.operationMessage("unsubscribe", [WS.aYes]), WS.operationMessage("subscribe", [WS.aYes])])
        #expect(try await session.wsLog().filter { $0.kind == "violation" }.isEmpty)
        // After a reconnect the socket starts over with an initial frame again (a new connection).
        #expect(try await session.wsDrop() == 1)
        #expect(await eventually { client.stats.reconnects == 1 })
        #expect(await eventually {
            (try? await session.wsLog().filter { $0.kind == "text" && $0.body != "PING" }.count) == 5
        })
        let last = try await session.wsLog().filter { $0.kind == "text" && $0.body != "PING" }.last?.body
        #expect(last == WS.subscribeMessage([WS.aNo, WS.aYes]))
    }

    @Test("subscription frames are chunked: 250 assets on one socket go out as 100 + 100 + 50")
    func chunked() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "empty")
        try await session.setWSScript(#"{"dump":false}"#)
        let ids = Pool.ids(250)
        let client = try StreamClient(config: Pool.config(session) { $0.maxAssetsPerConnection = 250 })
        defer { client.close() }
        try client.subscribe(tokenIds: ids)
        try await client.connectAsync()
        #expect(await eventually { ((try? await Pool.subscriptionFrames(session)) ?? [:]).values.first?.count == 3 })
        let frames = try await Pool.subscriptionFrames(session).values.first ?? []
        #expect(frames.map { ($0["assets_ids"] as? [String])?.count ?? 0 } == [100, 100, 50])
        #expect(frames.map { $0["type"] as? String ?? $0["operation"] as? String ?? "" } == ["market", "subscribe", "subscribe"])
        #expect(frames.flatMap { $0["assets_ids"] as? [String] ?? [] } == ids)
        // Unsubscribing 230 at once: 100 + 100 + 30.
        try client.unsubscribe(tokenIds: Array(ids[0..<230]))
        #expect(await eventually { ((try? await Pool.subscriptionFrames(session)) ?? [:]).values.first?.count == 6 })
        let later = try await Pool.subscriptionFrames(session).values.first ?? []
        #expect(later.dropFirst(3).map { ($0["assets_ids"] as? [String])?.count ?? 0 } == [100, 100, 30])
        #expect(try await session.wsLog().filter { $0.kind == "violation" }.isEmpty)
    }

    @Test("the strict server enforces what the client avoids: an over-large frame closes the socket, which reconnects")
    func overLargeFrameIsClosed() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "empty")
        // Frames limited to 50 assets on this session; the client sends 100 at a time here.
        try await session.setWSScript(#"{"scripts":[{"dump":false,"max_assets_per_frame":50}, {"dump":false}]}"#)
        let ids = Pool.ids(100)
        let client = try StreamClient(config: Pool.config(session))
        defer { client.close() }
        try client.subscribe(tokenIds: ids)
        try await client.connectAsync()
        let events = try await pull(client) { $0.contains(where: \.isReconnected) }
        let gap = events.compactMap(\.reconnectInfo).first
        #expect(gap?.reason.utf8.containsBytes("1008") == true)
        #expect(gap?.tokenIds == ids)
        #expect(try await session.wsLog().filter { $0.kind == "violation" }.map(\.body) == ["100 assets in one frame (limit 50)"])
    }

    @Test("more than 500 assets on a socket is refused by configuration, and the server would close it")
    func capacityCeiling() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "empty")
        var config = StreamClientConfig(url: session.wsURL)
        config.maxAssetsPerConnection = 501
        #expect(throws: PMError.self) { _ = try StreamClient(config: config) }
        // At the ceiling itself (500 on one socket) the strict server keeps the socket.
        try await session.setWSScript(#"{"dump":false}"#)
        let ids = Pool.ids(500)
        let client = try StreamClient(config: Pool.config(session) { $0.maxAssetsPerConnection = 500 })
        defer { client.close() }
        try client.subscribe(tokenIds: ids)
        try await client.connectAsync()
        #expect(await eventually { ((try? await Pool.subscriptionFrames(session)) ?? [:]).values.first?.count == 5 })
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(client.stats.reconnects == 0)
        #expect(try await session.wsLog().filter { $0.kind == "violation" }.isEmpty)
    }
}
