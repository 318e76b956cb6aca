import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The `pause` overflow policy (nothing lost: the socket stops being read while the queue is full)
/// and the batch pull.
@Suite("StreamClient: pause overflow policy, batch pull")
struct StreamOverflowPauseTests {
    static func legacy(_ n: Int) -> StreamEvent {
        .legacyPriceChange(LegacyPriceChangeEvent(tokenId: "t", price: Price(micros: Int64(n)), timestampMs: Int64(n)))
    }

    final class Counter: @unchecked Sendable {
        private let lock = Lock()
        private var value = 0
        func bump() { lock.withLock { value += 1 } }
        var count: Int { lock.withLock { value } }
    }

    @Test("pause queue: never drops, says when full, runs the room handler once half is taken")
    func pauseQueueUnit() throws {
        let queue = EventQueue(capacity: 4, pauses: true)
        let woken = Counter()
        queue.setRoomHandler { woken.bump() }
        #expect(!queue.pauseIfFull())
        #expect(queue.push((1...9).map(Self.legacy)) == 0)   // past capacity: the frames already read
        #expect(queue.dropped == 0)
        #expect(queue.pending == 9)
        #expect(queue.pauseIfFull())
        var seen: [StreamEvent] = []
        for _ in 0..<6 { if let event = try queue.next(timeoutMs: 0) { seen.append(event) } }
        #expect(woken.count == 0)                          // 3 left: more than half of 4
        #expect(queue.stayPaused())
        if let event = try queue.next(timeoutMs: 0) { seen.append(event) }
        #expect(woken.count == 1)                          // 2 left: room
        #expect(!queue.stayPaused())
        seen += try queue.nextBatch(max: 10, timeoutMs: 0)
        #expect(seen == (1...9).map(Self.legacy))          // in order, no gap marker
        #expect(woken.count == 1)                          // once per pause
        queue.close()
        #expect(!queue.pauseIfFull())
    }

    @Test("drop queue: pauseIfFull is always false; nextBatch takes the gap marker first, [] on timeout")
    func batchUnit() throws {
        let queue = EventQueue(capacity: 3)
        queue.push((1...5).map(Self.legacy))
        #expect(!queue.pauseIfFull())
        let batch = try queue.nextBatch(max: 2, timeoutMs: 0)
        #expect(batch.count == 2)
        #expect(batch.first?.reconnectInfo?.reason == "queue overflow: 2 events dropped")
        #expect(batch.last == Self.legacy(3))
        #expect(try queue.nextBatch(max: 10, timeoutMs: 0) == [Self.legacy(4), Self.legacy(5)])
        #expect(try queue.nextBatch(max: 10, timeoutMs: 0) == [])
        #expect(try queue.nextBatch(max: 10, timeoutMs: 30) == [])
        #expect(try queue.nextBatch(max: 0, timeoutMs: 0) == [])
        queue.close()
        #expect(throws: PMError.self) { _ = try queue.nextBatch(max: 1, timeoutMs: 0) }
    }

    @Test("config: maxPausedMs is checked")
    func configChecked() {
        var config = StreamClientConfig(url: "ws://127.0.0.1:1/ws/market")
        config.maxPausedMs = -1
        #expect(throws: PMError.self) { _ = try StreamClient(config: config) }
        config.maxPausedMs = 0
        config.overflowPolicy = .pause
        #expect((try? StreamClient(config: config)) != nil)
    }

    /// Posts a flood of `count` distinct `last_trade_price` frames (timestamps base+0, base+1, …).
    static func flood(_ session: FakeSession, count: Int) async throws {
        let frames = (0..<count).map { jsonFrame(trade(WS.aYes, price: "0.5", ts: base + $0)) }
        _ = try await FakeSession.call(session.control, .post, "\(session.root)/_control/sessions/\(session.id)/ws/flood",
                                       json: ["frames": frames, "count": count])
    }

    static let base = 1_767_225_600_000

    @Test("pause: a 20,000-frame burst into a 500-event queue, consumer 2 s late: all of it, in order, no gap")
    func burstWithLateConsumer() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.setWSScript(try jsonText(["dump": false]))
        let total = 20_000
        try await Self.flood(session, count: total)
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) {
            $0.overflowPolicy = .pause
            $0.queueCapacity = 500
            $0.pongTimeoutMs = 1_000        // shorter than the consumer's delay: the pause must suspend it
        })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes])
        try await client.connectAsync()
        #expect(await eventually { client.stats.pauses >= 1 })
        let pingsBefore = client.stats.pings
        try await Task.sleep(nanoseconds: 2_000_000_000)
        #expect(client.stats.pauses == 1)                  // still the first pause: nobody consumed
        #expect(client.health().queueDepth < 1_000)        // paused, not buffering the burst
        #expect(client.stats.pings - pingsBefore >= 5)     // the heartbeat kept going out (every 200 ms)
        var stamps: [Int64] = []
        var others: [StreamEvent] = []
        let deadline = Date().addingTimeInterval(60)
        while stamps.count < total && Date() < deadline {
            for event in await offPool({ (try? client.nextBatch(max: 512, timeoutMs: 200)) ?? [] }) {
                if case .lastTradePrice(let trade) = event { stamps.append(trade.timestampMs) } else { others.append(event) }
            }
        }
        #expect(stamps.count == total)
        #expect(stamps == (0..<total).map { Int64(Self.base + $0) })
        #expect(others.isEmpty)                          // no gap marker, no reconnect
        #expect(client.stats.droppedOnOverflow == 0)
        #expect(client.stats.reconnects == 0)
        #expect(client.stats.pongTimeouts == 0)
        #expect(try await session.wsLog().filter { $0.kind == "connect" }.count == 1)
    }

    @Test("pause: a socket paused past maxPausedMs counts as lost: reconnected, gap marker")
    func pausedTooLong() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.setWSScript(try jsonText(["dump": false]))
        try await Self.flood(session, count: 2_000)
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) {
            $0.overflowPolicy = .pause
            $0.queueCapacity = 50
            $0.maxPausedMs = 300
            $0.pongTimeoutMs = 10_000
        })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes])
        try await client.connectAsync()
        #expect(await eventually { client.stats.pauseTimeouts >= 1 })
        #expect(await eventually { client.stats.reconnects >= 1 })
        let events = try await pull(client, timeoutMs: 5_000) { $0.contains(where: \.isReconnected) }
        let reason = events.first(where: \.isReconnected)?.reconnectInfo?.reason ?? ""
        #expect(reason.contains("paused"))
        #expect(client.stats.droppedOnOverflow == 0)
    }
}
