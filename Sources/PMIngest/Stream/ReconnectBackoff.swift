/// How long the stream waits before its n-th reconnect attempt: "full jitter", a delay drawn
/// uniformly from `0 ... min(maxMs, baseMs × multiplier^(n-1))`, so clients dropped together do
/// not come back together. Pure, so the schedule is tested exactly rather than by the clock.
struct ReconnectBackoff: Sendable, Equatable {
    let baseMs: Int64
    let maxMs: Int64
    let multiplier: Int64

    init(baseMs: Int, maxMs: Int, multiplier: Int) {
        self.baseMs = Int64(baseMs)
        self.maxMs = Int64(maxMs)
        self.multiplier = Int64(multiplier)
    }

    /// The largest delay attempt `attempt` (1-based) may wait; saturates at `maxMs`, never overflows.
    func ceilingMs(attempt: Int) -> Int64 {
        var ceiling = min(baseMs, maxMs)
        var step = 1
        while step < attempt, ceiling < maxMs {
            let (product, overflow) = ceiling.multipliedReportingOverflow(by: multiplier)
            ceiling = overflow ? maxMs : min(product, maxMs)
            step += 1
        }
        return ceiling
    }

    /// A delay for attempt `attempt`, drawn with `generator`.
    func delayMs<G: RandomNumberGenerator>(attempt: Int, using generator: inout G) -> Int64 {
        Int64.random(in: 0...ceilingMs(attempt: attempt), using: &generator)
    }
}
