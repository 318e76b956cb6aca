/// An exact price in USDC per share, e.g. 0.95. Parsed from decimal strings, never from Double.
public struct Price: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: FixedDecimal
    public var micros: Int64 { value.micros }

    public init(micros: Int64) { value = FixedDecimal(micros: micros) }

    /// Parses a wire decimal ("0.95", ".48"). Throws for "", garbage, signs, exponents, overflow.
    public init(_ text: String) throws(DecimalError) {
        self.init(micros: try DecimalParse.micros(text))
    }

    /// Parses an optional wire decimal: "" means absent (nil), as the CLOB and WebSocket send it.
    public static func optional(_ text: String) throws(DecimalError) -> Price? {
        text.isEmpty ? nil : try Price(text)
    }

    public static func < (lhs: Price, rhs: Price) -> Bool { lhs.micros < rhs.micros }
    public var description: String { value.description }
}

/// An exact size in shares, e.g. 1218691.83. Parsed from decimal strings, never from Double.
public struct Size: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: FixedDecimal
    public var micros: Int64 { value.micros }

    public init(micros: Int64) { value = FixedDecimal(micros: micros) }

    /// Parses a wire decimal ("50", "84.17"). Throws for "", garbage, signs, exponents, overflow.
    public init(_ text: String) throws(DecimalError) {
        self.init(micros: try DecimalParse.micros(text))
    }

    /// Parses an optional wire decimal: "" means absent (nil).
    public static func optional(_ text: String) throws(DecimalError) -> Size? {
        text.isEmpty ? nil : try Size(text)
    }

    public static func < (lhs: Size, rhs: Size) -> Bool { lhs.micros < rhs.micros }
    public var description: String { value.description }
}
