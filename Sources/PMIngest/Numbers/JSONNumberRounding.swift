/// JSON number literal → int64 micro-units, rounded half-even to 1e-6 from the literal's digits.
///
/// The Data API sends prices and sizes as JSON floats (`0.55`, `50.0`, sometimes float noise such
/// as `0.30000000000000004`); rounding the exact decimal literal — never a Double — gives the
/// micro value the sender meant. Half-even (banker's) rounding has no upward bias over many trades.
extension JSONNumber {
    /// The value in micro-units, rounded half-even: "0.30000000000000004" → 300000,
    /// "5e-7" → 0, "1.5e-6" → 2, "2.5e-6" → 2, "1e-400" → 0, "-0.01" → -10000.
    /// Throws `DecimalError.outOfRange` when the rounded value does not fit Int64 ("1e400").
    /// Negative values are returned; callers decide whether they are allowed.
    public func roundedMicros() throws(DecimalError) -> Int64 {
        let text = self.text
        let result: Result<Int64, DecimalError> = withParts { parts in
            guard let value = JSONNumberRounding.roundedMicros(parts) else { return .failure(.outOfRange(text)) }
            return .success(value)
        }
        return try result.get()
    }
}

enum JSONNumberRounding {
    /// nil when out of Int64 range.
    static func roundedMicros(_ parts: JSONNumberParts) -> Int64? {
        let n = parts.digitCount
        if n == 0 { return 0 }
        // value × 10^6 = significand × 10^scaledExponent
        let scaledExponent = parts.pointExponent + FixedDecimal.fractionDigits
        var magnitude: UInt64
        if scaledExponent >= 0 {
            guard n + scaledExponent <= 20,
                  let lead = parts.leadingValue(count: n),
                  let scaled = JSONNumberParts.scale(lead, byPowerOfTen: scaledExponent)
            else { return nil }
            magnitude = scaled
        } else {
            // Drop the last `-scaledExponent` significant digits, rounding half-even on them.
            let kept = n + scaledExponent
            if kept < 0 { return 0 }   // below half a micro: the first dropped digit is an implicit 0
            guard let lead = parts.leadingValue(count: kept) else { return nil }
            magnitude = lead
            let roundingDigit = parts.digit(kept)
            let roundUp: Bool
            if roundingDigit > 5 {
                roundUp = true
            } else if roundingDigit < 5 {
                roundUp = false
            } else {
                // Exactly half only if nothing non-zero follows; then round to even.
                roundUp = parts.anyNonZero(from: kept + 1) || magnitude & 1 == 1
            }
            if roundUp {
                let (sum, overflow) = magnitude.addingReportingOverflow(1)
                if overflow { return nil }
                magnitude = sum
            }
        }
        return JSONNumberParts.signed(magnitude, negative: parts.negative)
    }
}
