/// Digit-by-digit decimal parsing into micro-units. No Double anywhere on this path.
package enum DecimalParse {
    /// Parses a wire decimal string: digits, an optional "." and at most six fraction digits
    /// ("0.95", ".48", "5.", "1218691.83", "0"). Refused: empty text, signs, exponents, spaces,
    /// NaN/Infinity, more than six fraction digits (a wire decimal never needs rounding).
    package static func micros(_ text: String) throws(DecimalError) -> Int64 {
        try micros(bytes: text.utf8, text: text)
    }

    /// Parses the same grammar from raw bytes (used by the JSON decoders on their input buffer).
    /// `text` is only used to build the error message.
    package static func micros<Bytes: Sequence<UInt8>>(bytes: Bytes, text: @autoclosure () -> String) throws(DecimalError) -> Int64 {
        var integer: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var integerDigits = 0
        var sawPoint = false
        // An overflowing integer part is reported after the whole text passed the grammar: a text
        // that is not a decimal at all ("99999999999999999999x") is malformed, not out of range.
        var overflow = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int64(byte &- UInt8(ascii: "0"))
                if sawPoint {
                    fractionDigits += 1
                    if fractionDigits > FixedDecimal.fractionDigits { throw .malformed(text()) }
                    fraction = fraction * 10 + digit
                } else {
                    integerDigits += 1
                    let (times10, o1) = integer.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(digit)
                    if o1 || o2 { overflow = true } else { integer = sum }
                }
            case UInt8(ascii: "."):
                if sawPoint { throw .malformed(text()) }
                sawPoint = true
            default:
                throw .malformed(text())
            }
        }
        if integerDigits + fractionDigits == 0 { throw .malformed(text()) }
        if overflow { throw .outOfRange(text()) }
        while fractionDigits < FixedDecimal.fractionDigits { fraction *= 10; fractionDigits += 1 }
        let (scaled, o1) = integer.multipliedReportingOverflow(by: FixedDecimal.scale)
        let (total, o2) = scaled.addingReportingOverflow(fraction)
        if o1 || o2 { throw .outOfRange(text()) }
        return total
    }
}

/// Canonical formatting of micro-units.
package enum DecimalFormat {
    package static func format(micros: Int64) -> String {
        // Int64.min has no positive counterpart: work on the magnitude as UInt64.
        let negative = micros < 0
        let magnitude = micros.magnitude
        let integer = magnitude / UInt64(FixedDecimal.scale)
        var fraction = magnitude % UInt64(FixedDecimal.scale)
        var text = negative ? "-" : ""
        text += String(integer)
        if fraction != 0 {
            var digits = FixedDecimal.fractionDigits
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text
    }
}
