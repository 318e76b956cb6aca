import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite("StreamClient: queue, overflow, close")
struct StreamClientQueueTests {
    static func legacy(_ n: Int) -> StreamEvent {
        .legacyPriceChange(LegacyPriceChangeEvent(tokenId: "t", price: Price(micros: Int64(n)), timestampMs: Int64(n)))
    }

    @Test("overflow drops the oldest and delivers one gap marker first, with the count")
    func queueOverflowUnit() throws {
        let queue = EventQueue(capacity: 3)
        #expect(queue.push((1...7).map(Self.legacy)) == 4)
        #expect(queue.dropped == 4)
        let marker = try queue.next(timeoutMs: 0)
        #expect(marker == .reconnected(ReconnectInfo(reason: "queue overflow: 4 events dropped", attempt: 0)))
        #expect(try queue.next(timeoutMs: 0) == Self.legacy(5))
        // A second overflow before the consumer catches up: still one marker, before the survivors.
        queue.push((8...10).map(Self.legacy))
        #expect(try queue.next(timeoutMs: 0)?.reconnectInfo?.reason == "queue overflow: 2 events dropped")
        #expect(try queue.next(timeoutMs: 0) == Self.legacy(8))
        #expect(try queue.next(timeoutMs: 0) == Self.legacy(9))
        #expect(try queue.next(timeoutMs: 0) == Self.legacy(10))
        #expect(try queue.next(timeoutMs: 0) == nil)
        #expect(try queue.next(timeoutMs: 30) == nil)
        queue.close()
        #expect(throws: PMError.self) { _ = try queue.next(timeoutMs: 0) }
        queue.push([Self.legacy(1)])   // ignored after close
        #expect(queue.pending == 0)
    }

    @Test("overflow through the client: the consumer sees the gap marker, then the newest events in order")
    func queueOverflowClient() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let trades = (0..<50).map { trade(WS.aYes, price: "0.5", ts: 1_767_225_600_000 + $0) }
        try await session.setWSScript(try jsonText(["dump": false, "on_subscribe": trades.map(jsonFrame)]))
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) {
            $0.queueCapacity = 5
            $0.pongTimeoutMs = 10_000
        })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes])
        try await client.connectAsync()
        #expect(await eventually { client.stats.events == 50 })   // consume nothing until all arrived
        #expect(client.stats.droppedOnOverflow == 45)
        let events = try await pull(client, timeoutMs: 2_000) { $0.count >= 7 }
        #expect(events.count == 6)
        #expect(events.first?.reconnectInfo == ReconnectInfo(reason: "queue overflow: 45 events dropped", attempt: 0))
        let stamps = events.dropFirst().compactMap { event -> Int64? in
            if case .lastTradePrice(let trade) = event { return trade.timestampMs } else { return nil }
        }
        #expect(stamps == (45..<50).map { 1_767_225_600_000 + Int64($0) })
        #expect(client.isConnected)
    }

    @Test("close() is idempotent and wakes a consumer blocked in next(timeoutMs: 10_000) at once")
    func closeUnblocksNext() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let client = try StreamClient(config: WS.config(session, silenceMs: 0))
        try await client.connectAsync()
        async let outcome: (PMError.Kind?, Double) = offPool {
            let start = Date()
            do {
                let event = try client.next(timeoutMs: 10_000)
                return (event == nil ? nil : .internal, Date().timeIntervalSince(start))
            } catch let error as PMError {
                return (error.kind, Date().timeIntervalSince(start))
            } catch {
                return (.internal, Date().timeIntervalSince(start))
            }
        }
        try await Task.sleep(nanoseconds: 300_000_000)   // let the consumer block
        let closeStart = Date()
        client.close()
        let closeTook = Date().timeIntervalSince(closeStart)
        client.close()
        client.close()
        let (kind, waited) = await outcome
        #expect(kind == .cancelled)
        #expect(waited < 5)            // woken by close, not by its 10 s timeout
        #expect(closeTook < 3)
        #expect(!client.isConnected)
        #expect(throws: PMError.self) { _ = try client.next(timeoutMs: 0) }
        #expect(throws: PMError.self) { try client.subscribe(tokenIds: [WS.aYes]) }
        await #expect(throws: PMError.self) { try await client.connectAsync() }
        // The server saw a polite close (code 1000) before the disconnect.
        #expect(try await eventually { try await session.wsLog().contains { $0.kind == "disconnect" } })
        let closes = try await session.wsLog().filter { $0.kind == "close" }
        #expect(closes.map(\.body) == ["1000"])
    }

    @Test("the async `events` sequence delivers in order and ends when the client closes")
    func asyncEvents() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) { $0.pongTimeoutMs = 10_000 })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes, WS.aNo])
        try await client.connectAsync()
        let consumer = Task { () -> [StreamEvent] in
            var seen: [StreamEvent] = []
            for await event in client.events { seen.append(event) }
            return seen
        }
        #expect(await eventually { client.stats.events >= 2 })
        try await Task.sleep(nanoseconds: 200_000_000)
        client.close()
        let seen = await consumer.value
        #expect(seen.compactMap(\.bookToken) == [WS.aYes, WS.aNo])
    }

    @Test("cancelling a task iterating `events` ends the iteration")
    func asyncEventsCancel() async throws {
        let session = try await FakePolymarket.shared.newSession()
        let client = try StreamClient(config: WS.config(session, silenceMs: 0))
        defer { client.close() }
        try await client.connectAsync()
        let consumer = Task { () -> Int in
            var n = 0
            for await _ in client.events { n += 1 }
            return n
        }
        try await Task.sleep(nanoseconds: 100_000_000)
        consumer.cancel()
        #expect(await consumer.value == 0)
        #expect(client.isConnected)
    }
}
