/// An exact decimal with six fraction digits, held as int64 micro-units (value × 1_000_000).
///
/// Every Polymarket tick (0.1 … 0.0025) and the 6-decimal on-chain precision fit exactly, and
/// arithmetic never goes through binary floating point. `Price` and `Size` wrap this type so a
/// size can never be passed where a price is expected.
public struct FixedDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Micro-units per unit.
    public static let scale: Int64 = 1_000_000
    /// Number of fraction digits.
    public static let fractionDigits = 6

    /// The value in micro-units.
    public let micros: Int64

    public init(micros: Int64) { self.micros = micros }

    public static let zero = FixedDecimal(micros: 0)

    public static func < (lhs: FixedDecimal, rhs: FixedDecimal) -> Bool { lhs.micros < rhs.micros }

    /// Canonical text: no exponent, no trailing fraction zeros, "0" for zero ("0.95", "1250.5").
    public var description: String { DecimalFormat.format(micros: micros) }
}

/// Why a decimal could not be read.
public enum DecimalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a decimal at all, or a form that is refused (sign, exponent, NaN, spaces, too many digits).
    case malformed(String)
    /// A well-formed decimal beyond the int64 micro-unit range.
    case outOfRange(String)

    public var description: String {
        switch self {
        case .malformed(let text): return "not a decimal: \"\(DecimalError.excerpt(text))\""
        case .outOfRange(let text): return "decimal out of range: \"\(DecimalError.excerpt(text))\""
        }
    }

    static func excerpt(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(40)) + "…"
    }
}
