import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite("StreamClient health")
struct StreamHealthTests {
    @Test("before connect: one idle socket, assets awaiting their snapshot, no ages")
    func beforeConnect() throws {
        let client = try StreamClient(url: "ws://127.0.0.1:1/ws/market")
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes, WS.aNo])
        let health = client.health()
        #expect(health.sockets == [SocketHealth(id: 0, state: .idle, assetCount: 2, reconnects: 0, lastLossReason: nil)])
        #expect(health.assets == [AssetHealth(tokenId: WS.aYes, socket: 0, lastEventAgeMs: nil, continuity: .awaitingSnapshot),
                                  AssetHealth(tokenId: WS.aNo, socket: 0, lastEventAgeMs: nil, continuity: .awaitingSnapshot)])
        #expect(health.reconnects == 0 && health.gaps == 0 && health.queueDepth == 0 && health.queuedBytes == 0)
        #expect(health.staleAssets(olderThanMs: 1).map(\.tokenId) == [WS.aYes, WS.aNo])
        #expect(health.summary(staleAfterMs: 30_000)
                == "0/1 sockets open · 0 reconnects · 0 gaps · queue 0 · 2 of 2 assets stale (no event for 30 s)")
        let one = StreamHealth(sockets: [SocketHealth(id: 0, state: .open, assetCount: 1, reconnects: 1, lastLossReason: "x")],
                               assets: [AssetHealth(tokenId: "1", socket: 0, lastEventAgeMs: 5, continuity: .live)],
                               reconnects: 1, gaps: 1, queueDepth: 3, queuedBytes: 10)
        #expect(one.summary(staleAfterMs: 1_000) == "1/1 sockets open · 1 reconnect · 1 gap · queue 3 · 0 of 1 assets stale (no event for 1 s)")
        client.close()
        #expect(client.health().sockets.map(\.state) == [.closed])
    }

    @Test("live assets, a silent one goes stale; queue depth counts unread events; a reconnect counts and resets continuity")
    func liveStaleAndReconnect() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        // aNo is silenced (no snapshot, nothing); aYes trades every 100 ms.
        try await session.setWSScript(#"{"scripts":[{"silence_assets":["\#(WS.aNo)"],"periodic":[{"every_ms":100,"frames":[\#(WS.tradeFrame(WS.aYes))]}]},{"dump":false}]}"#)
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) { $0.pongTimeoutMs = 10_000 })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes, WS.aNo])
        try await client.connectAsync()
        #expect(await eventually { client.health().queueDepth >= 5 })
        try await Task.sleep(nanoseconds: 600_000_000)
        var health = client.health()
        #expect(health.sockets.map(\.state) == [.open])
        let yes = health.assets.first { $0.tokenId == WS.aYes }
        let no = health.assets.first { $0.tokenId == WS.aNo }
        #expect(yes?.continuity == .live)
        #expect((yes?.lastEventAgeMs ?? .max) < 500)
        #expect(no?.continuity == .awaitingSnapshot && no?.lastEventAgeMs == nil)
        #expect(health.staleAssets(olderThanMs: 500).map(\.tokenId) == [WS.aNo])
        #expect(health.queueDepth == client.stats.events)   // nothing consumed yet
        #expect(health.queuedBytes > 0)
        while try client.next(timeoutMs: 0) != nil {}
        #expect(client.health().queueDepth < health.queueDepth)

        #expect(try await session.wsDrop() == 1)
        #expect(await eventually { client.stats.reconnects == 1 })
        health = client.health()
        #expect(health.reconnects == 1 && health.gaps == 1)
        #expect(health.sockets.first?.reconnects == 1)
        #expect(health.sockets.first?.lastLossReason != nil)
        // The new connection dumps nothing: both assets wait for a snapshot again.
        #expect(health.assets.allSatisfy { $0.continuity == .awaitingSnapshot })
        #expect(health.assets.first { $0.tokenId == WS.aYes }?.lastEventAgeMs != nil)   // heard from before
    }

    @Test("a queue overflow is a gap too")
    func overflowGap() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.setWSScript(#"{"dump":false}"#)
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) { $0.pongTimeoutMs = 10_000; $0.queueCapacity = 2 })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes])
        try await client.connectAsync()
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(try await session.wsSend("[\(WS.tradeFrame(WS.aYes)),\(WS.tradeFrame(WS.aYes)),\(WS.tradeFrame(WS.aYes)),\(WS.tradeFrame(WS.aYes))]") == 1)
        #expect(await eventually { client.stats.events == 4 })
        #expect(client.health().queueDepth == 2)
        let first = try client.next(timeoutMs: 1_000)
        #expect(first?.reconnectInfo?.tokenIds == [])   // every asset
        #expect(client.health().gaps == 1 && client.health().reconnects == 0)
    }
}
