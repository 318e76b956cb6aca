/// Prices and sizes from JSON values: decimal strings (CLOB, WebSocket) parse exactly; JSON
/// numbers (Data API, Gamma) round half-even to 1e-6. Negative values are refused.
extension Price {
    /// Rounds the literal half-even to micro-units; negative → `.malformed`, too large → `.outOfRange`.
    package init(jsonNumber: JSONNumber) throws(DecimalError) {
        self.init(micros: try JSONNumberRounding.nonNegativeMicros(jsonNumber))
    }

    /// A number (rounded) or a decimal string (exact, `DecimalParse` grammar): endpoints such as
    /// `/tick-size` and `/prices-history` send either.
    package init(json value: JSONValue) throws(DecimalError) {
        self.init(micros: try JSONNumberRounding.nonNegativeMicros(value))
    }
}

extension Size {
    /// Rounds the literal half-even to micro-units; negative → `.malformed`, too large → `.outOfRange`.
    package init(jsonNumber: JSONNumber) throws(DecimalError) {
        self.init(micros: try JSONNumberRounding.nonNegativeMicros(jsonNumber))
    }

    /// A number (rounded) or a decimal string (exact, `DecimalParse` grammar).
    package init(json value: JSONValue) throws(DecimalError) {
        self.init(micros: try JSONNumberRounding.nonNegativeMicros(value))
    }
}

extension JSONNumberRounding {
    static func nonNegativeMicros(_ number: JSONNumber) throws(DecimalError) -> Int64 {
        let micros = try number.roundedMicros()
        guard micros >= 0 else { throw .malformed(number.text) }
        return micros
    }

    static func nonNegativeMicros(_ value: JSONValue) throws(DecimalError) -> Int64 {
        switch value {
        case .number(let number): return try nonNegativeMicros(number)
        case .string(let text): return try DecimalParse.micros(text)
        default: throw .malformed(value.description)
        }
    }
}

/// Field helpers for decoders. The `optional…` forms return nil for an absent key, null, or ""
/// (the CLOB and WebSocket send "" for an absent decimal, e.g. `best_bid` on an empty side).
extension JSONObject {
    package func requiredPrice(_ key: String) throws(JSONFieldError) -> Price {
        Price(micros: try micros(key))
    }

    package func optionalPrice(_ key: String) throws(JSONFieldError) -> Price? {
        guard let micros = try optionalMicros(key) else { return nil }
        return Price(micros: micros)
    }

    package func requiredSize(_ key: String) throws(JSONFieldError) -> Size {
        Size(micros: try micros(key))
    }

    package func optionalSize(_ key: String) throws(JSONFieldError) -> Size? {
        guard let micros = try optionalMicros(key) else { return nil }
        return Size(micros: micros)
    }

    private func micros(_ key: String) throws(JSONFieldError) -> Int64 {
        try required(key) { (value) throws(JSONFieldError) in try JSONObject.micros(value, field: key) }
    }

    private func optionalMicros(_ key: String) throws(JSONFieldError) -> Int64? {
        if self[key]?.stringValue?.isEmpty == true { return nil }
        return try optional(key) { (value) throws(JSONFieldError) in try JSONObject.micros(value, field: key) }
    }

    private static func micros(_ value: JSONValue, field: String) throws(JSONFieldError) -> Int64 {
        switch value {
        case .number, .string:
            do {
                return try JSONNumberRounding.nonNegativeMicros(value)
            } catch {
                throw JSONFieldError(field: field, problem: .invalidDecimal(error))
            }
        default:
            throw JSONFieldError(field: field, problem: .wrongType(expected: "decimal string or number", found: value.kindName))
        }
    }
}
