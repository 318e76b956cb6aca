/// Typed member access for decoders. `required…` throws `.missing` for an absent key or a null;
/// `optional…` returns nil for both. Both throw `.wrongType` for any other type: schema drift
/// must be loud, not silently read as absent. Strings holding `\u0000` are `.containsNUL`: what a
/// decoder reads may be handed to C, whose strings end at NUL.
extension JSONObject {
    package func requiredValue(_ key: String) throws(JSONFieldError) -> JSONValue {
        guard let value = self[key] else { throw JSONFieldError(field: key, problem: .missing) }
        return value
    }

    package func requiredString(_ key: String) throws(JSONFieldError) -> String {
        try required(key) { (value) throws(JSONFieldError) in try value.string(field: key) }
    }

    package func optionalString(_ key: String) throws(JSONFieldError) -> String? {
        try optional(key) { (value) throws(JSONFieldError) in try value.string(field: key) }
    }

    /// A token id: a string of 1...78 decimal digits (`.invalidTokenID` otherwise).
    package func requiredTokenID(_ key: String) throws(JSONFieldError) -> String {
        try required(key) { (value) throws(JSONFieldError) in try value.tokenID(field: key) }
    }

    package func requiredBool(_ key: String) throws(JSONFieldError) -> Bool {
        try required(key) { (value) throws(JSONFieldError) in try value.bool(field: key) }
    }

    package func optionalBool(_ key: String) throws(JSONFieldError) -> Bool? {
        try optional(key) { (value) throws(JSONFieldError) in try value.bool(field: key) }
    }

    package func requiredNumber(_ key: String) throws(JSONFieldError) -> JSONNumber {
        try required(key) { (value) throws(JSONFieldError) in try value.number(field: key) }
    }

    package func optionalNumber(_ key: String) throws(JSONFieldError) -> JSONNumber? {
        try optional(key) { (value) throws(JSONFieldError) in try value.number(field: key) }
    }

    package func requiredArray(_ key: String) throws(JSONFieldError) -> [JSONValue] {
        try required(key) { (value) throws(JSONFieldError) in try value.array(field: key) }
    }

    /// Also nil for null: the CLOB sends `"bids": null` for an empty side.
    package func optionalArray(_ key: String) throws(JSONFieldError) -> [JSONValue]? {
        try optional(key) { (value) throws(JSONFieldError) in try value.array(field: key) }
    }

    package func requiredObject(_ key: String) throws(JSONFieldError) -> JSONObject {
        try required(key) { (value) throws(JSONFieldError) in try value.object(field: key) }
    }

    package func optionalObject(_ key: String) throws(JSONFieldError) -> JSONObject? {
        try optional(key) { (value) throws(JSONFieldError) in try value.object(field: key) }
    }

    /// An exact integer from a JSON number (Data API `timestamp: 1767225600`) or from a string
    /// holding one (CLOB/WS `"timestamp":"1767225600123"`). No unit conversion here.
    package func requiredInt64(_ key: String) throws(JSONFieldError) -> Int64 {
        try required(key) { (value) throws(JSONFieldError) in try value.int64(field: key) }
    }

    package func optionalInt64(_ key: String) throws(JSONFieldError) -> Int64? {
        try optional(key) { (value) throws(JSONFieldError) in try value.int64(field: key) }
    }

    /// A string holding a JSON document, parsed (Gamma's `"clobTokenIds":"[\"123\",\"456\"]"`).
    /// An array or object in its place is returned as is, so a fix of that quirk upstream does not
    /// break decoding.
    package func requiredEmbeddedJSON(_ key: String) throws(JSONFieldError) -> JSONValue {
        try required(key) { (value) throws(JSONFieldError) in try value.embeddedJSON(field: key) }
    }

    /// As `requiredEmbeddedJSON`, but absent, null or "" give nil.
    package func optionalEmbeddedJSON(_ key: String) throws(JSONFieldError) -> JSONValue? {
        if self[key]?.stringValue?.isEmpty == true { return nil }
        return try optional(key) { (value) throws(JSONFieldError) in try value.embeddedJSON(field: key) }
    }

    /// An array of strings, given directly or embedded in a string (Gamma's `clobTokenIds`,
    /// `outcomes`, `outcomePrices`).
    package func requiredEmbeddedStringArray(_ key: String) throws(JSONFieldError) -> [String] {
        try JSONObject.stringArray(try requiredEmbeddedJSON(key), field: key)
    }

    /// As `requiredEmbeddedStringArray`, but absent, null or "" give nil.
    package func optionalEmbeddedStringArray(_ key: String) throws(JSONFieldError) -> [String]? {
        guard let value = try optionalEmbeddedJSON(key) else { return nil }
        return try JSONObject.stringArray(value, field: key)
    }

    private static func stringArray(_ value: JSONValue, field: String) throws(JSONFieldError) -> [String] {
        let elements = try value.array(field: field)
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            strings.append(try element.string(field: "\(field)[\(index)]"))
        }
        return strings
    }

    /// Looks up `key`, refusing absent and null, then converts.
    func required<T>(_ key: String, _ convert: (JSONValue) throws(JSONFieldError) -> T) throws(JSONFieldError) -> T {
        guard let value = self[key], !value.isNull else { throw JSONFieldError(field: key, problem: .missing) }
        return try convert(value)
    }

    /// Looks up `key`, mapping absent and null to nil, then converts.
    func optional<T>(_ key: String, _ convert: (JSONValue) throws(JSONFieldError) -> T) throws(JSONFieldError) -> T? {
        guard let value = self[key], !value.isNull else { return nil }
        return try convert(value)
    }
}

/// The same conversions on a value already in hand (array elements), naming `field` in errors.
extension JSONValue {
    /// A string without NUL (`.containsNUL` otherwise).
    package func string(field: String) throws(JSONFieldError) -> String {
        guard case .string(let text) = self else { throw wrongType("string", field) }
        if text.utf8.contains(0) { throw JSONFieldError(field: field, problem: .containsNUL) }
        return text
    }

    /// A string of 1...78 decimal digits.
    package func tokenID(field: String) throws(JSONFieldError) -> String {
        let text = try string(field: field)
        guard FieldCheck.isTokenID(text.utf8) else {
            throw JSONFieldError(field: field, problem: .invalidTokenID(FieldCheck.tokenIDProblem(text)))
        }
        return text
    }

    package func bool(field: String) throws(JSONFieldError) -> Bool {
        guard case .bool(let flag) = self else { throw wrongType("bool", field) }
        return flag
    }

    package func number(field: String) throws(JSONFieldError) -> JSONNumber {
        guard case .number(let number) = self else { throw wrongType("number", field) }
        return number
    }

    package func array(field: String) throws(JSONFieldError) -> [JSONValue] {
        guard case .array(let elements) = self else { throw wrongType("array", field) }
        return elements
    }

    package func object(field: String) throws(JSONFieldError) -> JSONObject {
        guard case .object(let object) = self else { throw wrongType("object", field) }
        return object
    }

    /// An exact Int64 from a number or from a string holding a JSON integer literal.
    package func int64(field: String) throws(JSONFieldError) -> Int64 {
        let number: JSONNumber
        switch self {
        case .number(let value): number = value
        case .string(let text):
            guard let parsed = JSONNumber(text) else {
                throw JSONFieldError(field: field, problem: .invalidInteger(.notAnInteger(text)))
            }
            number = parsed
        default: throw wrongType("integer", field)
        }
        do {
            return try number.int64Value
        } catch {
            throw JSONFieldError(field: field, problem: .invalidInteger(error))
        }
    }

    /// Parses the JSON held in a string; an array or object is returned as is.
    package func embeddedJSON(field: String) throws(JSONFieldError) -> JSONValue {
        switch self {
        case .string(let text):
            do {
                return try JSONValue(parsing: text)
            } catch {
                throw JSONFieldError(field: field, problem: .invalidEmbeddedJSON(error))
            }
        case .array, .object: return self
        default: throw wrongType("string holding JSON", field)
        }
    }

    private func wrongType(_ expected: String, _ field: String) -> JSONFieldError {
        JSONFieldError(field: field, problem: .wrongType(expected: expected, found: kindName))
    }
}
