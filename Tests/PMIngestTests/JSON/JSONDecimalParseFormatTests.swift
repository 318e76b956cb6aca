import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Properties of the existing DecimalParse/DecimalFormat, which the JSON decoders rely on.
@Suite struct JSONDecimalParseFormatTests {
    @Test func examples() throws {
        #expect(try DecimalParse.micros("0.95") == 950_000)
        #expect(try DecimalParse.micros(".48") == 480_000)
        #expect(try DecimalParse.micros("1218691.83") == 1_218_691_830_000)
        #expect(try DecimalParse.micros("9223372036854.775807") == Int64.max)
        #expect(try DecimalParse.micros("0") == 0)
        #expect(try DecimalParse.micros("5.") == 5_000_000)
        for bad in ["", "1e5", "NaN", "-1", "0.1234567", ".", " 1", "1 ", "+1", "1.2.3", "Infinity", "0x1"] {
            #expect(throws: DecimalError.malformed(bad), "\(bad)") { try DecimalParse.micros(bad) }
        }
        #expect(throws: DecimalError.outOfRange("9223372036854.775808")) { try DecimalParse.micros("9223372036854.775808") }
        #expect(throws: DecimalError.outOfRange("99999999999999999999")) { try DecimalParse.micros("99999999999999999999") }
        #expect(DecimalFormat.format(micros: Int64.max) == "9223372036854.775807")
        #expect(DecimalFormat.format(micros: Int64.min) == "-9223372036854.775808")
        #expect(DecimalFormat.format(micros: 0) == "0")
        #expect(DecimalFormat.format(micros: 2_500) == "0.0025")
        #expect(DecimalFormat.format(micros: 1_250_500_000) == "1250.5")
    }

    @Test func parseOfFormatIsIdentity() throws {
        var rng = JSONTestRNG(seed: 0xDEC1_0001)
        var samples: [Int64] = [0, 1, 9, 10, 999_999, 1_000_000, 1_000_001, Int64.max, Int64.max - 1]
        for _ in 0..<20_000 {
            // Mix magnitudes so small values and values with trailing zeros are common.
            let bits = rng.int(1...63)
            var value = Int64.random(in: 0...(bits == 63 ? Int64.max : (Int64(1) << bits) - 1), using: &rng)
            if rng.chance(0.3) { value -= value % Int64([10, 100, 10_000, 1_000_000][rng.int(0...3)]) }
            samples.append(value)
        }
        for micros in samples {
            let text = DecimalFormat.format(micros: micros)
            #expect(try DecimalParse.micros(text) == micros, "\(micros)")
            #expect(Self.isCanonical(text), "\(text)")
        }
    }

    @Test func formatOfParseIsCanonical() throws {
        var rng = JSONTestRNG(seed: 0xDEC1_0002)
        for _ in 0..<20_000 {
            // Non-canonical spellings: leading zeros, trailing zeros, missing integer part, bare point.
            let integer = rng.chance(0.2) ? "" : String(repeating: "0", count: rng.int(0...3)) + rng.digits(rng.int(0...12))
            let fraction = rng.digits(rng.int(0...6))
            let withPoint = !fraction.isEmpty || rng.chance(0.3)
            let text = integer + (withPoint ? "." + fraction : "")
            guard let micros = try? DecimalParse.micros(text) else {
                #expect(integer.isEmpty && fraction.isEmpty, "\(text)")
                continue
            }
            let canonical = DecimalFormat.format(micros: micros)
            #expect(Self.isCanonical(canonical), "\(text) → \(canonical)")
            #expect(try DecimalParse.micros(canonical) == micros)
            #expect(DecimalFormat.format(micros: try DecimalParse.micros(canonical)) == canonical)
        }
    }

    /// No leading zeros (except a lone "0" before the point), no trailing fraction zeros, no bare point.
    static func isCanonical(_ text: String) -> Bool {
        let body = text.hasPrefix("-") ? String(text.dropFirst()) : text
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let integer = parts.first, !integer.isEmpty, integer.allSatisfy(\.isASCII),
              integer.allSatisfy(\.isNumber), integer == "0" || !integer.hasPrefix("0") else { return false }
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 6, fraction.allSatisfy(\.isNumber), !fraction.hasSuffix("0") else { return false }
        }
        return true
    }
}
