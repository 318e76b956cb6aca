import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The reconnect schedule, exactly: the over-the-wire tests only see it through the clock.
@Suite("ReconnectBackoff")
struct ReconnectBackoffTests {
    @Test("ceilings grow ×multiplier from the base and stop at the cap")
    func ceilings() {
        let backoff = ReconnectBackoff(baseMs: 100, maxMs: 400, multiplier: 2)
        #expect((1...6).map { backoff.ceilingMs(attempt: $0) } == [100, 200, 400, 400, 400, 400])
        let defaults = ReconnectBackoff(baseMs: 1_000, maxMs: 60_000, multiplier: 2)
        #expect((1...8).map { defaults.ceilingMs(attempt: $0) }
                == [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000])
        #expect(ReconnectBackoff(baseMs: 50, maxMs: 500, multiplier: 1).ceilingMs(attempt: 1_000) == 50)
    }

    @Test("extreme settings saturate at the cap instead of overflowing")
    func saturation() {
        let day = 86_400_000
        let steep = ReconnectBackoff(baseMs: day, maxMs: day, multiplier: 1_000)
        #expect(steep.ceilingMs(attempt: Int.max) == Int64(day))
        let long = ReconnectBackoff(baseMs: 1, maxMs: day, multiplier: 1_000)
        #expect(long.ceilingMs(attempt: 3) == 1_000_000)
        #expect(long.ceilingMs(attempt: 1_000_000) == Int64(day))
        #expect(long.ceilingMs(attempt: 0) == 1)
    }

    @Test("delays are full jitter: anywhere in 0...ceiling, never above")
    func fullJitter() {
        let backoff = ReconnectBackoff(baseMs: 100, maxMs: 400, multiplier: 2)
        var generator = SplitMix64(state: 42)   // deterministic: a failure reproduces
        for attempt in 1...6 {
            let ceiling = backoff.ceilingMs(attempt: attempt)
            let delays = (0..<2_000).map { _ in backoff.delayMs(attempt: attempt, using: &generator) }
            #expect(delays.allSatisfy { (0...ceiling).contains($0) }, "attempt \(attempt)")
            // Uniform over the whole range, not "half fixed, half random".
            #expect(delays.min()! <= ceiling / 20, "attempt \(attempt)")
            #expect(delays.max()! >= ceiling - ceiling / 20, "attempt \(attempt)")
        }
    }
}
