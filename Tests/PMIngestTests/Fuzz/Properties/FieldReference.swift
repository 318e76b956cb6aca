@_spi(PMIngestTools) @testable import PMIngest

/// The decoders' documented field conventions, restated over the generic JSON tree (`JSONParser`),
/// so a value decoded by the token tape or the REST decoders can be checked field by field against
/// an independent reading of the same bytes.
///
/// Conventions (FrameTape+Fields, Price+JSON): absent, null and `""` are "absent" for optional
/// fields; decimals are wire strings (exact) or JSON numbers (rounded half-even), never negative;
/// integers are exact, from a number or a string holding one; sides are BUY/SELL in any ASCII case.
enum FieldReference {
    /// A field read: absent, a value, or refused (missing when required, wrong type, bad text).
    enum Read<T: Equatable>: Equatable {
        case absent
        case value(T)
        case refused
    }

    static func isAbsent(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: return true
        case .string(let text)?: return text.isEmpty
        default: return false
        }
    }

    static func micros(_ value: JSONValue?) -> Read<Int64> {
        guard !isAbsent(value), let value else { return .absent }
        guard case .value(let micros) = DecimalReference.nonNegativeMicros(value) else { return .refused }
        return .value(micros)
    }

    static func int64(_ value: JSONValue?) -> Read<Int64> {
        guard !isAbsent(value), let value else { return .absent }
        var text: String
        switch value {
        case .string(let string): text = string
        case .number(let number): text = number.text
        default: return .refused
        }
        guard let literal = text.withUTF8({ DecimalReference.jsonNumber($0) }),
              case .value(let integer) = DecimalReference.int64(literal) else { return .refused }
        return .value(integer)
    }

    static func string(_ value: JSONValue?) -> Read<String> {
        guard !isAbsent(value), let value else { return .absent }
        guard case .string(let text) = value else { return .refused }
        return .value(text)
    }

    /// A string as the tree decoders (Gamma) read it: only absent and null are absent, `""` is a
    /// value (JSONObject.requiredString).
    static func treeString(_ value: JSONValue?) -> Read<String> {
        switch value {
        case nil, .null?: return .absent
        case .string(let text)?: return .value(text)
        default: return .refused
        }
    }

    static func bool(_ value: JSONValue?) -> Read<Bool> {
        guard !isAbsent(value), let value else { return .absent }
        guard case .bool(let flag) = value else { return .refused }
        return .value(flag)
    }

    /// "BUY"/"SELL" with ASCII letters in any case; any other text (including non-ASCII letters
    /// that Unicode upper-cases to S, such as U+017F "ſ") is refused.
    static func side(_ value: JSONValue?) -> Read<TradeSide> {
        guard !isAbsent(value), let value else { return .absent }
        guard case .string(let text) = value else { return .refused }
        let upper = text.utf8.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 0x20 : $0 }
        if upper == Array("BUY".utf8) { return .value(.buy) }
        if upper == Array("SELL".utf8) { return .value(.sell) }
        return .refused
    }

    /// Compares a decoded optional with the reference read; nil when they agree.
    static func mismatch<T: Equatable>(_ field: String, _ decoded: T?, _ expected: Read<T>) -> String? {
        switch (decoded, expected) {
        case (nil, .absent): return nil
        case (let decoded?, .value(let wanted)) where decoded == wanted: return nil
        default: return "\(field): decoded \(decoded.map { "\($0)" } ?? "nil"), reference reads \(expected)"
        }
    }

    /// As `mismatch`, comparing strings byte for byte.
    static func textMismatch(_ field: String, _ decoded: String?, _ expected: Read<String>) -> String? {
        switch (decoded, expected) {
        case (nil, .absent): return nil
        case (let decoded?, .value(let wanted)) where sameBytes(decoded, wanted): return nil
        default: return "\(field): decoded \(decoded.map { "\"\(fuzzExcerpt($0))\"" } ?? "nil"), reference reads \(expected)"
        }
    }

    /// Byte equality (Swift's `==` on String is canonical equivalence, which would hide a decoder
    /// that changed the text's bytes).
    static func sameBytes(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return a.utf8.elementsEqual(b.utf8)
        default: return false
        }
    }
}

extension FieldReference.Read where T == String {
    var text: String? {
        if case .value(let text) = self { return text }
        return nil
    }
}
