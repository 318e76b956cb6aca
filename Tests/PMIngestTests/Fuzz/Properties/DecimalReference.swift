@_spi(PMIngestTools) @testable import PMIngest

/// Deliberately simple second implementations of the core's number reading, written from the
/// documented rules (DecimalParse, JSONNumberRounding, JSONNumber.int64Value) rather than from the
/// code, and slow on purpose (arrays of digits, Int128 accumulators). The decimal fuzz target
/// compares the core against them, so a wrong value or a wrong verdict is a finding, not only a crash.
enum DecimalReference {
    enum Outcome: Equatable, CustomStringConvertible {
        case value(Int64)
        case malformed
        case outOfRange
        /// JSON integers only: a non-zero fraction.
        case notAnInteger

        var description: String {
            switch self {
            case .value(let micros): return "value \(micros)"
            case .malformed: return "malformed"
            case .outOfRange: return "outOfRange"
            case .notAnInteger: return "notAnInteger"
            }
        }
    }

    // MARK: wire decimals ("0.95", ".48", "5.")

    /// The digits of a wire decimal, or nil when the text breaks the grammar: only digits and at
    /// most one ".", at least one digit, at most six fraction digits (no sign, exponent or space).
    static func wireDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> (integer: [UInt8], fraction: [UInt8])? {
        var integer: [UInt8] = []
        var fraction: [UInt8] = []
        var sawPoint = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if sawPoint { return nil }
                sawPoint = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if sawPoint { fraction.append(byte - UInt8(ascii: "0")) } else { integer.append(byte - UInt8(ascii: "0")) }
            } else {
                return nil
            }
        }
        if integer.isEmpty && fraction.isEmpty { return nil }
        if fraction.count > FixedDecimal.fractionDigits { return nil }
        return (integer, fraction)
    }

    /// What `DecimalParse.micros` must return. A text that breaks the grammar is malformed even
    /// when its digits would also overflow: it is not a decimal at all.
    static func wireDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        guard let (integer, fraction) = wireDigits(bytes) else { return .malformed }
        let significant = integer.drop { $0 == 0 }
        if significant.count > 19 { return .outOfRange }
        var micros: Int128 = 0
        for digit in significant { micros = micros * 10 + Int128(digit) }
        for k in 0..<FixedDecimal.fractionDigits { micros = micros * 10 + Int128(k < fraction.count ? fraction[k] : 0) }
        return micros <= Int128(Int64.max) ? .value(Int64(micros)) : .outOfRange
    }

    /// The canonical text of an accepted wire decimal, by editing the digits: no leading integer
    /// zeros ("0" when none is left), no trailing fraction zeros, a "." only before a fraction.
    static func canonicalText(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let (integer, fraction) = wireDigits(bytes) else { return nil }
        let integerText = String(integer.drop { $0 == 0 }.map { Character(Unicode.Scalar($0 + 48)) })
        var fractionDigits = fraction
        while fractionDigits.last == 0 { fractionDigits.removeLast() }
        let fractionText = String(fractionDigits.map { Character(Unicode.Scalar($0 + 48)) })
        return (integerText.isEmpty ? "0" : integerText) + (fractionText.isEmpty ? "" : "." + fractionText)
    }

    // MARK: JSON number literals ("-0.5e-7", "1E+2")

    struct NumberLiteral {
        var negative = false
        /// Integer digits then fraction digits, as written (leading zeros included).
        var digits: [UInt8] = []
        var integerCount = 0
        /// The exponent, saturated at ±10^15 (far beyond any input length, so no result changes).
        var exponent = 0
    }

    /// RFC 8259: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` and nothing else.
    static func jsonNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> NumberLiteral? {
        var literal = NumberLiteral()
        var i = 0
        let n = bytes.count
        func isDigit(_ k: Int) -> Bool { k < n && bytes[k] >= UInt8(ascii: "0") && bytes[k] <= UInt8(ascii: "9") }
        if i < n, bytes[i] == UInt8(ascii: "-") { literal.negative = true; i += 1 }
        guard isDigit(i) else { return nil }
        if bytes[i] == UInt8(ascii: "0") {
            literal.digits.append(0)
            i += 1
        } else {
            while isDigit(i) { literal.digits.append(bytes[i] - 48); i += 1 }
        }
        literal.integerCount = literal.digits.count
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { return nil }
            while isDigit(i) { literal.digits.append(bytes[i] - 48); i += 1 }
        }
        if i < n, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var negativeExponent = false
            if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                negativeExponent = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard isDigit(i) else { return nil }
            var exponent = 0
            while isDigit(i) {
                exponent = min(exponent * 10 + Int(bytes[i] - 48), 1_000_000_000_000_000)
                i += 1
            }
            literal.exponent = negativeExponent ? -exponent : exponent
        }
        return i == n ? literal : nil
    }

    /// The literal × 10^scale, rounded half-even to an integer, digit by digit from its position.
    /// `exact` is false when a non-zero digit was dropped. `value` is nil outside Int64.
    static func scaled(_ literal: NumberLiteral, scale: Int) -> (value: Int64?, exact: Bool) {
        var magnitude: Int128 = 0
        var overflow = false
        var roundingDigit: UInt8 = 0
        var sticky = false
        for (index, digit) in literal.digits.enumerated() where digit != 0 {
            let power = literal.integerCount - 1 - index + literal.exponent + scale
            if power >= 19 {
                overflow = true   // ≥ 10^19 > 2^63
            } else if power >= 0 {
                var term = Int128(digit)
                for _ in 0..<power { term *= 10 }
                magnitude += term
            } else if power == -1 {
                roundingDigit = digit
            } else {
                sticky = true
            }
        }
        let exact = roundingDigit == 0 && !sticky
        if roundingDigit > 5 || (roundingDigit == 5 && (sticky || magnitude % 2 == 1)) { magnitude += 1 }
        if overflow { return (nil, exact) }
        let limit: Int128 = literal.negative ? Int128(Int64.max) + 1 : Int128(Int64.max)
        guard magnitude <= limit else { return (nil, exact) }
        return (Int64(literal.negative ? -magnitude : magnitude), exact)
    }

    /// What `JSONNumber.roundedMicros()` must return.
    static func roundedMicros(_ literal: NumberLiteral) -> Outcome {
        guard let value = scaled(literal, scale: FixedDecimal.fractionDigits).value else { return .outOfRange }
        return .value(value)
    }

    /// What `JSONNumber.int64Value` must return: a non-zero fraction wins over the range.
    static func int64(_ literal: NumberLiteral) -> Outcome {
        let (value, exact) = scaled(literal, scale: 0)
        guard exact else { return .notAnInteger }
        guard let value else { return .outOfRange }
        return .value(value)
    }

    /// A wire decimal or JSON number as it appears in a JSON tree, the way the decoders read
    /// prices and sizes: strings by the wire grammar, numbers rounded; negatives are malformed.
    static func nonNegativeMicros(_ value: JSONValue) -> Outcome {
        let outcome: Outcome
        switch value {
        case .string(let text):
            var copy = text
            outcome = copy.withUTF8 { wireDecimal($0) }
        case .number(let number):
            var copy = number.text
            guard let literal = copy.withUTF8({ jsonNumber($0) }) else { return .malformed }
            outcome = roundedMicros(literal)
        default:
            return .malformed
        }
        if case .value(let micros) = outcome, micros < 0 { return .malformed }
        return outcome
    }
}
