/// Typed member access on a `FrameTape` object, with the market channel's conventions:
/// - `required…` throws `.missing` for an absent key, null, or `""`; `optional…` returns nil for
///   all three (the stream sends `""` for an absent decimal such as `best_bid` on an empty side).
/// - Decimals: decimal strings parse exactly (`DecimalParse`); JSON numbers round half-even to
///   1e-6 from their literal; negatives are refused. Never through Double.
/// - Integers (timestamps): a string or number holding an exact integer ("1767225600123").
/// - Any other JSON type is `.wrongType`: schema drift is loud, never silently read as absent.
/// - Strings holding `\u0000` are `.containsNUL`: every string read here may be handed to C, whose
///   strings end at NUL (an id would arrive truncated). Only escaped strings can hold one.
/// - Token ids (`asset_id`, …) must be 1...78 decimal digits (`.invalidTokenID`).
extension FrameTape {
    /// The value token of `key` unless it is absent, null or the empty string.
    @inline(__always)
    func present(_ object: Int, _ key: StaticString) -> Int? {
        guard let index = member(object, key), let value = token(index) else { return nil }
        switch value.kind {
        case .null: return nil
        case .string where value.start == value.end: return nil
        default: return index
        }
    }

    func requiredString(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> String {
        guard let value = try optionalString(object, key) else { throw missing(key) }
        return value
    }

    func optionalString(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> String? {
        guard let index = present(object, key) else { return nil }
        return try text(index, fieldName(key), key)
    }

    /// The decoded string at `index`, refusing NUL; errors name `field`.
    @inline(__always)
    func text(_ index: Int, _ field: @autoclosure () -> String, _ key: StaticString) throws(JSONFieldError) -> String {
        guard let text = string(index) else { throw wrongType(key, "string", index) }
        if token(index)?.flag == true, text.utf8.contains(0) {
            throw JSONFieldError(field: field(), problem: .containsNUL)
        }
        return text
    }

    /// A string, or the literal text of a number (ids such as Gamma's `"id"` may come as either).
    func optionalIdentifier(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> String? {
        guard let index = present(object, key), let value = token(index) else { return nil }
        if value.kind == .number { return String(decoding: span(value), as: UTF8.self) }
        return try text(index, fieldName(key), key)
    }

    func requiredTokenID(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> String {
        guard let id = try optionalTokenID(object, key) else { throw missing(key) }
        return id
    }

    /// A token id: 1...78 decimal digits. Fast path: plain digits, checked on the bytes.
    func optionalTokenID(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> String? {
        guard let index = present(object, key), let value = token(index) else { return nil }
        guard value.kind == .string else { throw wrongType(key, "string", index) }
        if !value.flag {
            let content = span(value)
            if FieldCheck.isTokenID(content) { return String(decoding: content, as: UTF8.self) }
        }
        return try FrameTape.tokenID(try text(index, fieldName(key), key), field: fieldName(key))
    }

    /// `text` when it is a token id, else `.invalidTokenID` naming `field`.
    static func tokenID(_ text: String, field: @autoclosure () -> String) throws(JSONFieldError) -> String {
        guard FieldCheck.isTokenID(text.utf8) else {
            throw JSONFieldError(field: field(), problem: .invalidTokenID(FieldCheck.tokenIDProblem(text)))
        }
        return text
    }

    /// An array of token ids (`assets_ids`); nil when absent, null or `""`.
    func optionalTokenIDArray(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> [String]? {
        guard let ids = try optionalStringArray(object, key) else { return nil }
        for (position, id) in ids.enumerated() {
            _ = try FrameTape.tokenID(id, field: "\(fieldName(key))[\(position)]")
        }
        return ids
    }

    func optionalBool(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> Bool? {
        guard let index = present(object, key), let value = token(index) else { return nil }
        guard value.kind == .bool else { throw wrongType(key, "bool", index) }
        return value.flag
    }

    func requiredPrice(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> Price {
        Price(micros: try requiredMicros(object, key))
    }

    func optionalPrice(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> Price? {
        guard let micros = try optionalMicros(object, key) else { return nil }
        return Price(micros: micros)
    }

    func requiredSize(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> Size {
        Size(micros: try requiredMicros(object, key))
    }

    func optionalSize(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> Size? {
        guard let micros = try optionalMicros(object, key) else { return nil }
        return Size(micros: micros)
    }

    func requiredMicros(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> Int64 {
        guard let micros = try optionalMicros(object, key) else { throw missing(key) }
        return micros
    }

    func optionalMicros(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> Int64? {
        guard let index = present(object, key), let value = token(index) else { return nil }
        let parsed: Result<Int64, DecimalError>
        switch value.kind {
        case .string where !value.flag:
            let content = span(value)
            parsed = Result { () throws(DecimalError) in
                try DecimalParse.micros(bytes: content, text: String(decoding: content, as: UTF8.self))
            }
        case .string:
            let text = string(index) ?? ""
            parsed = Result { () throws(DecimalError) in try DecimalParse.micros(text) }
        case .number:
            let literal = JSONNumber(validatedText: String(decoding: span(value), as: UTF8.self))
            parsed = Result { () throws(DecimalError) in try JSONNumberRounding.nonNegativeMicros(literal) }
        default:
            throw wrongType(key, "decimal string or number", index)
        }
        switch parsed {
        case .success(let micros): return micros
        case .failure(let error): throw JSONFieldError(field: fieldName(key), problem: .invalidDecimal(error))
        }
    }

    func requiredInt64(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> Int64 {
        guard let value = try optionalInt64(object, key) else { throw missing(key) }
        return value
    }

    /// An exact Int64 from a number or a string holding one. Fast path: plain digit strings.
    func optionalInt64(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> Int64? {
        guard let index = present(object, key), let value = token(index) else { return nil }
        let text: String
        switch value.kind {
        case .string where !value.flag:
            let content = span(value)
            if let fast = FrameTape.plainDigits(content) { return fast }
            text = String(decoding: content, as: UTF8.self)
        case .string:
            text = string(index) ?? ""
        case .number:
            let content = span(value)
            if let fast = FrameTape.plainDigits(content) { return fast }
            text = String(decoding: content, as: UTF8.self)
        default:
            throw wrongType(key, "integer", index)
        }
        guard let number = JSONNumber(text) else {
            throw JSONFieldError(field: fieldName(key), problem: .invalidInteger(.notAnInteger(text)))
        }
        do {
            return try number.int64Value
        } catch {
            throw JSONFieldError(field: fieldName(key), problem: .invalidInteger(error))
        }
    }

    /// 1…18 ASCII digits without a leading zero (cannot overflow Int64); nil otherwise.
    @inline(__always)
    static func plainDigits(_ content: UnsafeBufferPointer<UInt8>) -> Int64? {
        let count = content.count
        guard count > 0, count <= 18 else { return nil }
        if count > 1, content[0] == UInt8(ascii: "0") { return nil }
        var value: Int64 = 0
        var k = 0
        while k < count {
            let digit = content[k] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int64(digit)
            k += 1
        }
        return value
    }

    /// "BUY"/"SELL" in any letter case.
    func requiredSide(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> TradeSide {
        guard let side = try optionalSide(object, key) else { throw missing(key) }
        return side
    }

    func optionalSide(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> TradeSide? {
        guard let index = present(object, key), let value = token(index) else { return nil }
        guard value.kind == .string else { throw wrongType(key, "\"BUY\" or \"SELL\"", index) }
        if !value.flag {
            let content = span(value)
            if FrameTape.equalsIgnoringCase(content, "BUY") { return .buy }
            if FrameTape.equalsIgnoringCase(content, "SELL") { return .sell }
        } else if let text = string(index), let side = TradeSide(wire: text) {
            return side
        }
        let shown = DecimalError.excerpt(string(index) ?? "")
        throw JSONFieldError(field: fieldName(key), problem: .wrongType(expected: "\"BUY\" or \"SELL\"", found: "\"\(shown)\""))
    }

    /// ASCII case-insensitive comparison with an upper-case literal.
    @inline(__always)
    static func equalsIgnoringCase(_ content: UnsafeBufferPointer<UInt8>, _ upper: StaticString) -> Bool {
        upper.withUTF8Buffer { expected in
            guard expected.count == content.count else { return false }
            var k = 0
            while k < expected.count {
                var byte = content[k]
                if byte >= UInt8(ascii: "a"), byte <= UInt8(ascii: "z") { byte &-= 0x20 }
                if byte != expected[k] { return false }
                k += 1
            }
            return true
        }
    }

    /// An array of strings; nil when absent, null or `""`.
    func optionalStringArray(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> [String]? {
        guard let index = present(object, key), let value = token(index) else { return nil }
        if value.kind == .string {
            // Gamma-style JSON held in a string ("[\"Yes\",\"No\"]"): accept it as Gamma decoding does.
            guard let text = string(index), let parsed = try? JSONValue(parsing: text), let items = parsed.arrayValue else {
                throw wrongType(key, "array of strings", index)
            }
            var strings: [String] = []
            for (position, item) in items.enumerated() {
                guard let text = item.stringValue else {
                    throw JSONFieldError(field: "\(fieldName(key))[\(position)]",
                                         problem: .wrongType(expected: "string", found: item.kindName))
                }
                if text.utf8.contains(0) { throw JSONFieldError(field: "\(fieldName(key))[\(position)]", problem: .containsNUL) }
                strings.append(text)
            }
            return strings
        }
        guard value.kind == .array else { throw wrongType(key, "array of strings", index) }
        let items = elements(index)
        var strings: [String] = []
        strings.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            guard token(item)?.kind == .string else {
                throw JSONFieldError(field: "\(fieldName(key))[\(position)]",
                                     problem: .wrongType(expected: "string", found: kindName(item)))
            }
            strings.append(try text(item, "\(fieldName(key))[\(position)]", key))
        }
        return strings
    }

    /// The element indices of an array member; nil when absent or null.
    func optionalArray(_ object: Int, _ key: StaticString) throws(JSONFieldError) -> [Int]? {
        guard let index = member(object, key), let value = token(index), value.kind != .null else { return nil }
        guard value.kind == .array else { throw wrongType(key, "array", index) }
        return elements(index)
    }

    func fieldName(_ key: StaticString) -> String {
        key.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
    }

    func missing(_ key: StaticString) -> JSONFieldError {
        JSONFieldError(field: fieldName(key), problem: .missing)
    }

    func wrongType(_ key: StaticString, _ expected: String, _ index: Int) -> JSONFieldError {
        JSONFieldError(field: fieldName(key), problem: .wrongType(expected: expected, found: kindName(index)))
    }
}
