import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Heartbeat, staleness watchdog and reconnects, with the short timings (ping 200 ms, PONG
/// timeout 600 ms, silence 800 ms, backoff base 50 ms). Bounds on time are generous: they assert
/// order and outcome, not latency.
@Suite("StreamClient: heartbeat and reconnect")
struct StreamClientHeartbeatTests {
    @Test("PING every interval, PONG counted, no reconnect while PONGs arrive")
    func pingPong() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        // The heartbeat starts after the initial subscription (a PING first breaks the strict wire's
        // first rule): subscribe, without a dump, so that no event is expected.
        try await session.setWSScript(#"{"dump":false}"#)
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) { $0.pongTimeoutMs = 5_000 })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes])
        try await client.connectAsync()
        #expect(await eventually { client.stats.pongs >= 3 })
        let stats = client.stats
        #expect(stats.pings >= stats.pongs)
        #expect(stats.reconnects == 0 && stats.pongTimeouts == 0)
        let pings = try await session.wsLog().filter { $0.body == "PING" }
        #expect(pings.count >= 3)
        // PONG is a heartbeat, never an event.
        #expect(try client.next(timeoutMs: 0) == nil)
    }

    @Test("PONG loss: the socket is closed first, then reconnect, resubscribe, `reconnected`, and data flows again")
    func pongLoss() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.setWSScript(#"{"scripts":[{"pong":false},{}]}"#)
        let client = try StreamClient(config: WS.config(session, silenceMs: 0))
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes])
        try await client.connectAsync()

        let events = try await pull(client) { events in
            events.contains(where: \.isReconnected) && events.last?.bookToken == WS.aYes && events.count >= 3
        }
        // book (1st connection) → reconnected → book (2nd connection's snapshot)
        #expect(events.map(\.eventType) == ["book", "reconnected", "book"])
        let info = events.compactMap(\.reconnectInfo).first
        #expect(info?.reason.contains("PONG") == true)
        #expect(info?.attempt == 1)
        let stats = client.stats
        #expect(stats.pongTimeouts == 1 && stats.reconnects == 1)
        #expect(client.isConnected)

        let log = try await session.wsLog()
        let connects = log.filter { $0.kind == "connect" }
        #expect(connects.count == 2)
        #expect(connects.last?.openBefore == 0)   // the dead socket was closed before the new one opened
        if connects.count == 2 {
            let second = log.filter { $0.connection == connects[1].connection && $0.kind == "text" && $0.body != "PING" }
            #expect(second.map(\.body) == [WS.subscribeMessage([WS.aYes])])
        }
        // Data flows on the new connection.
        try await session.wsSend(try jsonText([jsonFrame(trade(WS.aYes))]))
        #expect(try await pull(client) { !$0.isEmpty }.first?.tradeToken == WS.aYes)
    }

    @Test("an asset silent while PONGs continue trips the watchdog: reconnect and resubscribe every asset")
    func silentAsset() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let keepAlive: [String: Any] = ["every_ms": 100, "frames": [jsonFrame(trade(WS.aYes))]]
        try await session.setWSScript(try jsonText(["scripts": [
            ["silence_assets": [WS.aNo], "periodic": [keepAlive]],
            ["periodic": [keepAlive]],
        ]]))
        let client = try StreamClient(config: WS.config(session))
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes, WS.aNo])
        try await client.connectAsync()
        let events = try await pull(client) { events in
            guard let index = events.firstIndex(where: \.isReconnected) else { return false }
            return events[index...].contains { $0.bookToken == WS.aNo }
        }
        guard let index = events.firstIndex(where: \.isReconnected) else {
            Issue.record("no reconnect: \(events.map(\.eventType))")
            return
        }
        // Before: aYes only (its book and trades); never aNo. After: both snapshots.
        #expect(!events[..<index].contains { $0.bookToken == WS.aNo || $0.tradeToken == WS.aNo })
        #expect(events[..<index].first?.bookToken == WS.aYes)
        #expect(events[index...].compactMap(\.bookToken).prefix(2) == [WS.aYes, WS.aNo])
        let info = events[index].reconnectInfo
        #expect(info?.reason.contains("silent") == true)
        let stats = client.stats
        #expect(stats.silentAssetTimeouts >= 1)
        #expect(stats.pongTimeouts == 0)
        #expect(stats.pongs >= 1)
        let connects = try await session.wsLog().filter { $0.kind == "connect" }
        #expect(connects.count >= 2)
        #expect(connects.dropFirst().allSatisfy { $0.openBefore == 0 })
    }

    @Test("abrupt drop (FIN), drop with a close code, and TCP reset: each reconnects and reports why")
    func drops() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.setWSScript(#"{"scripts":[{"drop_after_ms":300},{}]}"#)
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) { $0.pongTimeoutMs = 5_000 })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.cYes])
        try await client.connectAsync()

        var events = try await pull(client) { $0.filter(\.isReconnected).count == 1 && $0.last?.bookToken == WS.cYes }
        #expect(events.map(\.eventType) == ["book", "reconnected", "book"])
        #expect(events.compactMap(\.reconnectInfo).first?.reason.contains("closed") == true)

        #expect(try await session.wsDrop(closeCode: 4001) == 1)
        events = try await pull(client) { $0.contains(where: \.isReconnected) && $0.last?.bookToken == WS.cYes }
        #expect(events.map(\.eventType) == ["reconnected", "book"])
        #expect(events.first?.reconnectInfo?.reason.contains("4001") == true)

        #expect(try await session.wsDrop(reset: true) == 1)
        events = try await pull(client) { $0.contains(where: \.isReconnected) && $0.last?.bookToken == WS.cYes }
        #expect(events.map(\.eventType) == ["reconnected", "book"])

        #expect(client.stats.reconnects == 3)
        let connects = try await session.wsLog().filter { $0.kind == "connect" }
        #expect(connects.count == 4)
        #expect(connects.dropFirst().allSatisfy { $0.openBefore == 0 })
    }

    @Test("reconnect keeps trying with backoff while the server refuses, then recovers")
    func backoffWhileRefused() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.setWSScript(#"{"scripts":[{"drop_after_ms":200},{"reject_status":503},{"reject_status":503},{"reject_status":503},{}]}"#)
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) { $0.pongTimeoutMs = 5_000 })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes])
        try await client.connectAsync()
        let events = try await pull(client) { $0.contains(where: \.isReconnected) && $0.last?.bookToken == WS.aYes }
        let info = events.compactMap(\.reconnectInfo).first
        #expect(info?.attempt == 4)               // three refusals, then success on the fourth attempt
        #expect(info?.reason.contains("closed") == true)   // the loss, not the refusals
        #expect(client.stats.reconnects == 1)
        let connects = try await session.wsLog().filter { $0.kind == "connect" }
        #expect(connects.count == 5)
    }

    @Test("every reconnect waits a backoff from the loss, within its ceiling")
    func backoffBounds() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        // The first connection drops; the next five are refused; the fake timestamps when every
        // attempt starts and ends. The schedule itself is tested exactly in ReconnectBackoffTests:
        // here it is the engine's use of it, seen through the clock.
        try await session.setWSScript(#"{"scripts":[{"drop_after_ms":100},{"reject_status":503},{"reject_status":503},{"reject_status":503},{"reject_status":503},{"reject_status":503},{}]}"#)
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) {
            $0.pongTimeoutMs = 5_000
            $0.reconnectBaseMs = 100
            $0.reconnectMaxMs = 400
        })
        defer { client.close() }
        try await client.connectAsync()
        #expect(await eventually(timeoutMs: 15_000) { client.stats.reconnects == 1 })
        let log = try await session.wsLog()
        let attempts = log.filter { $0.kind == "connect" }
        let starts = attempts.map(\.time)
        let endOf = Dictionary(log.filter { $0.kind == "disconnect" }.map { ($0.connection, $0.time) },
                               uniquingKeysWith: min)
        let ends = attempts.dropLast().compactMap { endOf[$0.connection] }
        try #require(starts.count == 7 && ends.count == 6, "\(log.map(\.kind))")
        // Attempt k+1 starts after attempt k ended plus at most min(400, 100·2^(k-1)) ms; the
        // slack covers noticing the loss and scheduling on a loaded machine (CI runs the suites
        // in parallel on two cores), not a wrong schedule: the uncapped ceiling would reach 3.2 s.
        for k in 1..<starts.count {
            let waitMs = (starts[k] - ends[k - 1]) * 1000
            let ceiling = Double(min(400, 100 << (k - 1)))
            #expect(waitMs <= ceiling + 1_000, "wait \(k) = \(waitMs) ms, ceiling \(ceiling) ms")
        }
    }
}
