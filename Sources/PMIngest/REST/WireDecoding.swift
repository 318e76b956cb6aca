/// Decoders from the real wire formats (docs/wire-format.md and docs/wire/) to pmingest's models. Every failure is
/// a `PMError(.parse)` that names the row and field; nothing here traps on any input.
@_spi(PMIngestTools) public enum WireDecoding {
    /// Parses a response body, mapping JSON errors to `.parse` with a short excerpt of the body.
    public static func parseBody(_ bytes: [UInt8], what: String) throws -> JSONValue {
        do {
            return try JSONParser().parse(bytes)
        } catch {
            throw PMError(.parse, "\(what): \(error) (body starts: \(excerpt(bytes)))")
        }
    }

    /// A one-line excerpt of a body for error messages (an HTML page's title and text).
    public static func excerpt(_ bytes: [UInt8], limit: Int = 120) -> String {
        ResponseExcerpt.of(bytes, limit: limit)
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
