@_spi(PMIngestTools) @testable import PMIngest

/// Deterministic generator (SplitMix64) so a failing property case can be replayed from its seed.
struct JSONTestRNG: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
    mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(int(0...9))) })
    }
}

enum JSONTestSupport {
    static func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

    static func error(_ text: String) -> JSONError? { error(Array(text.utf8)) }

    static func error(_ bytes: [UInt8]) -> JSONError? {
        do {
            _ = try JSONValue(parsing: bytes)
            return nil
        } catch {
            return error
        }
    }
}
