import Foundation
@_spi(PMIngestTools) @testable import PMIngest

/// Fixtures and helpers shared by the Stream suites.
enum StreamFixtures {
    static let token1 = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
    static let token2 = "52114319501245915516055106046884209969926127482827954674443846427813813222426"
    static let condition = "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"

    static let names = [
        "book", "price_change", "last_trade_price", "last_trade_price_no_size", "tick_size_change", "best_bid_ask",
        "best_bid_ask_empty_side", "new_market", "market_resolved", "unknown_event", "initial_dump",
        "legacy_brief_price_change", "legacy_changes_price_change", "mixed_array",
    ]

    /// The bytes of `Tests/fixtures/ws/<name>.json`.
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/ws/\(name).json")
        return Array(try Data(contentsOf: url))
    }

    static func parse(_ name: String) throws -> ParseOutcome {
        MarketChannelParser().parse(try bytes(name))
    }

    /// The single event of a one-event frame, or nil.
    static func only(_ outcome: ParseOutcome) -> StreamEvent? {
        outcome.events.count == 1 ? outcome.events.first : nil
    }
}

/// Exact decimals from text in tests (nil on a typo makes the expectation fail, never trap).
func sp(_ text: String) -> Price? { try? Price(text) }
func ss(_ text: String) -> Size? { try? Size(text) }

/// Deterministic generator (SplitMix64) for the stream fuzz loop.
struct StreamRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}
