import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Throughput of `MarketChannelParser` on typical frames. Prints msg/s only: no timed assertions
/// (CI machines vary). Release figure: `swift test -c release --filter StreamParserSpeed`.
@Suite struct StreamParserSpeedTests {
    static let priceChange = Array(#"{"event_type":"price_change","market":"0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1","timestamp":"1767225600456","price_changes":[{"asset_id":"71321045679252212594626385532706912750332728571942532289631379312455583992563","price":"0.51","size":"300","side":"BUY","hash":"56621a121a47ed9333273e21c83b660cff37ae50","best_bid":"0.51","best_ask":"0.52"},{"asset_id":"52114319501245915516055106046884209969926127482827954674443846427813813222426","price":"0.49","size":"0","side":"SELL","hash":"1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e","best_bid":"0.48","best_ask":"0.49"}]}"#.utf8)
    static let lastTrade = Array(#"{"event_type":"last_trade_price","market":"0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1","asset_id":"71321045679252212594626385532706912750332728571942532289631379312455583992563","price":"0.52","size":"84.17","side":"BUY","fee_rate_bps":"0","timestamp":"1767225600789","transaction_hash":"0x9f3e2b7c41d0a5e6f8b9c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5"}"#.utf8)

    #if DEBUG
    static let iterations = 20_000
    static let mode = "debug"
    #else
    static let iterations = 500_000
    static let mode = "release"
    #endif

    /// Messages per second for `body` over `frame`, best of three runs.
    func rate(_ frame: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> Int) -> Double {
        var best = 0.0
        var sink = 0
        for _ in 0..<3 {
            let clock = ContinuousClock()
            let start = clock.now
            frame.withUnsafeBufferPointer { buffer in
                for _ in 0..<Self.iterations { sink &+= body(buffer) }
            }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            best = max(best, Double(Self.iterations) / max(seconds, 1e-9))
        }
        #expect(sink > 0)
        return best
    }

    @Test func streamParserSpeed() {
        let parser = MarketChannelParser()
        for (name, frame) in [("price_change", Self.priceChange), ("last_trade_price", Self.lastTrade)] {
            #expect(parser.parse(frame).events.count == 1)
            let ours = rate(frame) { parser.parse($0).events.count }
            let tree = rate(frame) { (try? JSONParser().parse($0)) == nil ? 0 : 1 }
            print("StreamParserSpeed [\(Self.mode)] \(name) (\(frame.count) B): MarketChannelParser \(Int(ours)) msg/s; "
                + "JSONParser tree alone \(Int(tree)) msg/s")
        }
    }
}
