/// Decoders from the real wire formats (polymarket-api.md) to pmingest's models. Every failure is
/// a `PMError(.parse)` that names the row and field; nothing here traps on any input.
public enum WireDecoding {
    /// Parses a response body, mapping JSON errors to `.parse` with a short excerpt of the body.
    public static func parseBody(_ bytes: [UInt8], what: String) throws -> JSONValue {
        do {
            return try JSONParser().parse(bytes)
        } catch {
            throw PMError(.parse, "\(what): \(error) (body starts: \(excerpt(bytes)))")
        }
    }

    /// At most 120 printable characters of a body, whitespace collapsed: enough to recognise an
    /// HTML error page in a log line.
    public static func excerpt(_ bytes: [UInt8], limit: Int = 120) -> String {
        var out = ""
        var lastWasSpace = false
        for byte in bytes.prefix(limit * 4) {
            if out.count >= limit { out += "…"; break }
            let isSpace = byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09
            if isSpace {
                if !lastWasSpace && !out.isEmpty { out += " " }
                lastWasSpace = true
            } else {
                out.append(byte >= 0x20 && byte < 0x7f ? Character(Unicode.Scalar(byte)) : "?")
                lastWasSpace = false
            }
        }
        return out
    }

    static func field<T>(_ what: String, _ body: () throws(JSONFieldError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw PMError(.parse, "\(what): \(error)")
        }
    }

    static func rows(_ value: JSONValue, what: String) throws -> [JSONValue] {
        guard let rows = value.arrayValue else {
            throw PMError(.parse, "\(what): expected a JSON array, found \(value.kindName)")
        }
        return rows
    }

    static func object(_ value: JSONValue, what: String) throws -> JSONObject {
        guard let object = value.objectValue else {
            throw PMError(.parse, "\(what): expected a JSON object, found \(value.kindName)")
        }
        return object
    }
}
