import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct JSONNumberRoundingTests {
    static let examples: [(String, Int64)] = [
        ("0.30000000000000004", 300_000), ("0.55", 550_000), ("50.0", 50_000_000), ("1e-7", 0), ("5e-7", 0),
        ("1.5e-6", 2), ("2.5e-6", 2), ("3.5e-6", 4), ("1E2", 100_000_000), ("-0.01", -10_000), ("1e-400", 0),
        ("0", 0), ("-0", 0), ("0.0", 0), ("0e99999999999999999999", 0), ("0.000000", 0),
        ("0.0000005", 0), ("0.0000015", 2), ("0.00000050000000000000001", 1), ("0.0000004999999999", 0),
        ("-0.0000005", 0), ("-0.0000015", -2), ("-0.0000025", -2), ("-0.00000250001", -3),
        ("0.9999995", 1_000_000), ("0.9999985", 999_998), ("0.1234565", 123_456), ("0.1234575", 123_458),
        ("123456789012345678901234567890e-30", 123_457), ("1.000000", 1_000_000), ("12.345678949999999", 12_345_679),
        ("9223372036854.775807", Int64.max), ("9223372036854.7758074", Int64.max),
        ("-9223372036854.775808", Int64.min), ("-9223372036854.7758084", Int64.min), ("-9223372036854.7758085", Int64.min),
        ("9223372036854775807e-6", Int64.max), ("0.9223372036854775807e13", Int64.max),
        ("1e12", 1_000_000_000_000_000_000), ("0.000001", 1), ("100e-8", 1), ("1000000000000000000000e-21", 1_000_000),
    ]

    static let outOfRange = [
        "1e400", "9223372036854.775808", "9223372036854.7758075", "-9223372036854.775809", "-9223372036854.7758086",
        "1e13", "10000000000000", "1e19", "1e20", "99999999999999999999999", "1e999999999999999999999999",
        "-1e400", "18446744073709551616",
    ]

    @Test func examplesRoundHalfEven() throws {
        for (literal, expected) in Self.examples {
            let number = try #require(JSONNumber(literal), "\(literal)")
            #expect(try number.roundedMicros() == expected, "\(literal)")
        }
    }

    @Test func outOfRangeIsAnError() throws {
        for literal in Self.outOfRange {
            let number = try #require(JSONNumber(literal), "\(literal)")
            #expect(throws: DecimalError.outOfRange(literal), "\(literal)") { try number.roundedMicros() }
        }
    }

    @Test func hugeLiteralsDoNotOverflow() throws {
        let longFraction = "0." + String(repeating: "0", count: 100_000) + "1"
        #expect(try JSONNumber(longFraction)?.roundedMicros() == 0)
        let halfWithTail = "0.0000005" + String(repeating: "0", count: 50_000) + "1"
        #expect(try JSONNumber(halfWithTail)?.roundedMicros() == 1)
        let longInteger = String(repeating: "9", count: 10_000)
        #expect(throws: DecimalError.self) { try JSONNumber(longInteger)?.roundedMicros() }
        #expect(try JSONNumber(longInteger + "e-10000")?.roundedMicros() == 1_000_000)   // 0.999… rounds to 1
        #expect(try JSONNumber("1e-9223372036854775808")?.roundedMicros() == 0)
        #expect(throws: DecimalError.self) { try JSONNumber("1e9223372036854775808")?.roundedMicros() }
    }

    @Test func int64Value() throws {
        let exact: [(String, Int64)] = [
            ("0", 0), ("-0", 0), ("1767225600", 1_767_225_600), ("1767225600123", 1_767_225_600_123), ("1.0", 1),
            ("1e3", 1000), ("1.50e1", 15), ("100e-2", 1), ("-42", -42), ("0.0e5", 0), ("0e-400", 0),
            ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min), ("9.223372036854775807e18", Int64.max),
        ]
        for (literal, expected) in exact {
            #expect(try JSONNumber(literal)!.int64Value == expected, "\(literal)")
        }
        for literal in ["1.5", "1e-1", "0.001", "1e-400", "9223372036854775807.5"] {
            #expect(throws: JSONNumber.IntegerError.notAnInteger(literal)) { try JSONNumber(literal)!.int64Value }
        }
        for literal in ["9223372036854775808", "-9223372036854775809", "1e19", "1e400", "123456789012345678901234"] {
            #expect(throws: JSONNumber.IntegerError.outOfRange(literal)) { try JSONNumber(literal)!.int64Value }
        }
        #expect(JSONNumber.IntegerError.notAnInteger("1.5").description == "not an integer: 1.5")
    }

    /// Random literals with up to 20 fraction digits against Foundation's Decimal (.bankers, scale 6).
    @Test func matchesFoundationDecimalBankersRounding() throws {
        var rng = JSONTestRNG(seed: 0x5EED_0001)
        for _ in 0..<20_000 {
            let literal = Self.randomPlainLiteral(&rng)
            let mine = try JSONNumber(literal)!.roundedMicros()
            var decimal = try #require(Decimal(string: literal, locale: Locale(identifier: "en_US_POSIX")))
            var rounded = Decimal()
            NSDecimalRound(&rounded, &decimal, 6, .bankers)
            let reference = NSDecimalNumber(decimal: rounded * 1_000_000).int64Value
            #expect(mine == reference, "\(literal)")
            if mine != reference { return }
        }
    }

    /// Literals with exponents against an independent digit-string reference.
    @Test func matchesDigitStringReference() throws {
        var rng = JSONTestRNG(seed: 0x5EED_0002)
        for _ in 0..<30_000 {
            let negative = rng.chance(0.3)
            let integer = rng.chance(0.4) ? "0" : String(rng.int(1...9)) + rng.digits(rng.int(0...14))
            let fraction = rng.chance(0.2) ? "" : rng.digits(rng.int(1...20))
            let exponent = rng.chance(0.5) ? 0 : rng.int(-30...20)
            let literal = (negative ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
                + (exponent == 0 && rng.chance(0.5) ? "" : (rng.chance(0.5) ? "e" : "E") + String(exponent))
            let reference = Self.referenceMicros(digits: integer + fraction, pointExponent: exponent - fraction.count, negative: negative)
            let number = try #require(JSONNumber(literal), "\(literal)")
            let mine: Int64? = try? number.roundedMicros()
            #expect(mine == reference, "\(literal)")
            if mine != reference { return }
        }
    }

    static func randomPlainLiteral(_ rng: inout JSONTestRNG) -> String {
        let negative = rng.chance(0.2)
        let integer = rng.chance(0.5) ? "0" : String(rng.int(1...9)) + rng.digits(rng.int(0...11))
        var fraction = rng.digits(rng.int(0...20))
        if rng.chance(0.3), fraction.count >= 7 {
            // Force exact and near ties at the 7th fraction digit.
            let head = String(fraction.prefix(6))
            fraction = head + "5" + (rng.chance(0.5) ? String(repeating: "0", count: rng.int(0...13)) : rng.digits(rng.int(0...13)))
        }
        return (negative ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// Half-even rounding of digits × 10^pointExponent to micros by plain digit-string manipulation;
    /// nil when out of Int64 range.
    static func referenceMicros(digits: String, pointExponent: Int, negative: Bool) -> Int64? {
        let shift = pointExponent + 6   // value × 10^6 = digits × 10^shift
        var all = digits.utf8.map { Int($0) - 48 }
        if shift >= 0 { all += Array(repeating: 0, count: shift) }
        let keptCount = shift >= 0 ? all.count : all.count + shift
        let kept = keptCount > 0 ? Array(all[0..<keptCount]) : []
        let dropped = keptCount >= 0 ? Array(all[keptCount...]) : Array(repeating: 0, count: -keptCount) + all
        let significant = kept.drop(while: { $0 == 0 })
        guard significant.count <= 19 else { return nil }
        var value = significant.reduce(UInt64(0)) { $0 * 10 + UInt64($1) }
        if let first = dropped.first {
            let rest = dropped.dropFirst().contains { $0 != 0 }
            if first > 5 || (first == 5 && (rest || value % 2 == 1)) { value += 1 }
        }
        if negative {
            if value == UInt64(Int64.max) + 1 { return Int64.min }
            return value <= UInt64(Int64.max) ? -Int64(value) : nil
        }
        return value <= UInt64(Int64.max) ? Int64(value) : nil
    }
}
