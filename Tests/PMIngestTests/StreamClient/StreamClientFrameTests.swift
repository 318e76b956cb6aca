import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite("StreamClient: frames")
struct StreamClientFrameTests {
    @Test("garbage, invalid UTF-8, binary and oversize frames are counted and skipped; the connection stays up")
    func badFrames() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let frames: [[String: Any]] = [
            ["text": "<<not json>>"],
            ["text_hex": "7b22ff223a317d"],                  // {"\xff":1}
            ["text_hex": "5b22eda080225d"],                  // ["<UTF-16 surrogate U+D800>"]
            ["text_hex": "5b22c0af225d"],                    // overlong "/"
            ["binary_hex": "00010203"],
            ["oversize": 300_000],                           // over the 256 KiB cap below
            ["oversize": 300_000, "fragment": 50_000],       // the same, as 6 WebSocket fragments
            ["text": "[1,\"x\",{\"no_event_type\":true}]"],   // JSON, but no events in it
            jsonFrame(trade(WS.aYes, price: "0.61")),
        ]
        try await session.setWSScript(try jsonText(["dump": false, "on_subscribe": frames]))
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) {
            $0.pongTimeoutMs = 10_000
            $0.maxMessageBytes = 256 << 10
        })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes])
        try await client.connectAsync()
        let events = try await pull(client) { !$0.isEmpty }
        #expect(events.count == 1)
        if case .lastTradePrice(let trade)? = events.first {
            #expect(trade.price == (try? Price("0.61")))
        } else {
            Issue.record("expected the trade after the bad frames, got \(events.map(\.eventType))")
        }
        let stats = client.stats
        #expect(stats.skippedInvalidUTF8 == 3)
        #expect(stats.skippedBinary == 1)
        #expect(stats.skippedOversize == 2)
        #expect(stats.skippedMalformed == 1 + 3)   // the garbage frame, plus three non-event array elements
        #expect(stats.reconnects == 0)
        #expect(client.isConnected)
        // Still alive and parsing afterwards.
        try await session.wsSend(try jsonText([jsonFrame(trade(WS.aYes, price: "0.62"))]))
        #expect(try await pull(client) { !$0.isEmpty }.first?.tradeToken == WS.aYes)
    }

    @Test("large messages in many WebSocket fragments and lws receive chunks are reassembled")
    func fragmentsReassembled() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        // 2,000 trades in one array frame (~350 KB, far over lws' 64 KiB receive buffer), sent as
        // 7 KB WebSocket fragments; then a small fragmented frame.
        let many = (0..<2_000).map { trade(WS.aYes, price: "0.5", ts: 1_767_225_600_000 + $0) }
        try await session.setWSScript(try jsonText(["dump": false, "on_subscribe": [
            ["json": many, "fragment": 7_000],
            ["json": trade(WS.aYes, price: "0.77"), "fragment": 10],
        ]]))
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) { $0.pongTimeoutMs = 10_000 })
        defer { client.close() }
        try client.subscribe(tokenIds: [WS.aYes])
        try await client.connectAsync()
        let events = try await pull(client) { $0.count >= 2_001 }
        #expect(events.count == 2_001)
        let stamps = events.prefix(2_000).compactMap { event -> Int64? in
            if case .lastTradePrice(let trade) = event { return trade.timestampMs } else { return nil }
        }
        #expect(stamps == (0..<2_000).map { 1_767_225_600_000 + Int64($0) })
        if case .lastTradePrice(let last)? = events.last { #expect(last.price == (try? Price("0.77"))) }
        #expect(client.stats.skippedOversize == 0 && client.stats.skippedMalformed == 0)
    }

    @Test("subscribe messages escape what JSON needs escaped")
    func messageFormat() {
        let config = StreamClientConfig(url: "ws://x/")
        let initial = String(decoding: WebSocketEngine.message(assets: ["1", "2"], operation: nil, config: config), as: UTF8.self)
        #expect(initial == #"{"assets_ids":["1","2"],"type":"market","initial_dump":true,"custom_feature_enabled":true}"#)
        let op = String(decoding: WebSocketEngine.message(assets: ["a\"b\\c\u{1}"], operation: "unsubscribe", config: config), as: UTF8.self)
        #expect(op == #"{"assets_ids":["a\"b\\c\u0001"],"operation":"unsubscribe","custom_feature_enabled":true}"#)
        var quiet = config
        quiet.initialDump = false
        quiet.customFeatures = false
        let plain = String(decoding: WebSocketEngine.message(assets: ["1"], operation: nil, config: quiet), as: UTF8.self)
        #expect(plain == #"{"assets_ids":["1"],"type":"market","initial_dump":false,"custom_feature_enabled":false}"#)
    }

    @Test("the UTF-8 validator agrees with the standard library on tricky and random inputs")
    func utf8Validator() {
        let cases: [[UInt8]] = [
            [], Array("plain ascii, long enough for the 8-byte path".utf8), Array("é€𝄞".utf8),
            [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0x80], [0xC2], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xEF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF],
            Array("abcdefgh".utf8) + [0xFF] + Array("abcdefgh".utf8),
        ]
        for bytes in cases {
            #expect(WebSocketUTF8.isValid(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...24, using: &rng)
            let pool: [UInt8] = [0x41, 0x7F, 0x80, 0xBF, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xA0, 0x90, 0x8F]
            let bytes = (0..<length).map { _ in pool[Int.random(in: 0..<pool.count, using: &rng)] }
            #expect(WebSocketUTF8.isValid(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    @Test("URL parsing: schemes, ports, IPv6, paths")
    func urls() throws {
        let plain = try WebSocketURL("ws://127.0.0.1:8080/s/x/ws/market")
        #expect(!plain.tls && plain.host == "127.0.0.1" && plain.port == 8080 && plain.path == "/s/x/ws/market")
        #expect(plain.hostHeader == "127.0.0.1:8080")
        let real = try WebSocketURL("wss://ws-subscriptions-clob.polymarket.com/ws/market")
        #expect(real.tls && real.port == 443 && real.hostHeader == "ws-subscriptions-clob.polymarket.com")
        let v6 = try WebSocketURL("WS://[::1]:9/?a=b")
        #expect(v6.host == "::1" && v6.port == 9 && v6.path == "/?a=b" && v6.hostHeader == "[::1]:9")
        #expect(try WebSocketURL("ws://h").path == "/")
    }
}
