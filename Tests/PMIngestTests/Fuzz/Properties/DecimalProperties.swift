@_spi(PMIngestTools) @testable import PMIngest

extension FuzzProperty {
    /// fuzz-decimal: the input is one candidate text, read every way the core reads a number.
    /// - `DecimalParse` (wire decimals) agrees with `DecimalReference` on value or error kind, from
    ///   bytes and from a String; an accepted value formats to the canonical text and re-parses to
    ///   itself (the round trip).
    /// - `JSONNumber` accepts exactly RFC 8259 literals; `roundedMicros()` and `int64Value` agree
    ///   with the reference; a rounded value formats to a literal that rounds to itself; prices
    ///   refuse negatives.
    public static func decimal(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        var violations = Violations()
        func shown() -> String { fuzzExcerpt(input) }   // only built for a message
        let text = String(decoding: input, as: UTF8.self)

        let expected = DecimalReference.wireDecimal(input)
        let fromBytes = outcome { () throws(DecimalError) in try DecimalParse.micros(bytes: input, text: text) }
        let fromText = outcome { () throws(DecimalError) in try DecimalParse.micros(text) }
        violations.check(fromBytes == expected, "DecimalParse(\"\(shown())\") = \(fromBytes), expected \(expected)")
        violations.check(fromText == fromBytes, "DecimalParse from String (\(fromText)) != from bytes (\(fromBytes)) for \"\(shown())\"")
        if case .value(let micros) = fromBytes {
            let formatted = DecimalFormat.format(micros: micros)
            let canonical = DecimalReference.canonicalText(input)
            violations.check(formatted == canonical, "format(\(micros)) = \"\(formatted)\", canonical text of \"\(shown())\" is \"\(canonical ?? "-")\"")
            let reparsed = outcome { () throws(DecimalError) in try DecimalParse.micros(formatted) }
            violations.check(reparsed == .value(micros), "\"\(formatted)\" re-parses to \(reparsed), not \(micros)")
            violations.check((try? Price(formatted))?.description == formatted, "Price(\"\(formatted)\") does not print as itself")
        }

        let literal = DecimalReference.jsonNumber(input)
        let number = JSONNumber(text)
        violations.check((literal != nil) == (number != nil),
                         "JSONNumber(\"\(shown())\") \(number == nil ? "refused" : "accepted") an RFC 8259 \(literal == nil ? "non-" : "")number")
        if let literal, let number {
            let rounded = outcome { () throws(DecimalError) in try number.roundedMicros() }
            let expectedRounded = DecimalReference.roundedMicros(literal)
            violations.check(rounded == expectedRounded, "roundedMicros(\(shown())) = \(rounded), expected \(expectedRounded)")
            let integer: DecimalReference.Outcome
            do {
                integer = .value(try number.int64Value)
            } catch {
                switch error {
                case .notAnInteger: integer = .notAnInteger
                case .outOfRange: integer = .outOfRange
                }
            }
            let expectedInteger = DecimalReference.int64(literal)
            violations.check(integer == expectedInteger, "int64Value(\(shown())) = \(integer), expected \(expectedInteger)")
            if case .value(let micros) = rounded {
                let formatted = DecimalFormat.format(micros: micros)
                let again = JSONNumber(formatted).map { n in outcome { () throws(DecimalError) in try n.roundedMicros() } }
                violations.check(again == .value(micros), "format(\(micros)) = \"\(formatted)\" rounds back to \(again.map(\.description) ?? "no number")")
                let price = try? Price(jsonNumber: number)
                violations.check(micros < 0 ? price == nil : price?.micros == micros,
                                 "Price(jsonNumber: \(shown())) = \(price.map(\.description) ?? "refused") for rounded \(micros)")
            }
        }
        // The token tape's fast path for integer fields.
        if let fast = FrameTape.plainDigits(input) {
            let expectedInteger = literal.map { DecimalReference.int64($0) }
            violations.check(expectedInteger == .value(fast), "FrameTape.plainDigits(\(shown())) = \(fast), expected \(expectedInteger.map(\.description) ?? "no number")")
        }
        return violations.first
    }

    private static func outcome(_ body: () throws(DecimalError) -> Int64) -> DecimalReference.Outcome {
        do {
            return .value(try body())
        } catch {
            switch error {
            case .malformed: return .malformed
            case .outOfRange: return .outOfRange
            }
        }
    }
}
