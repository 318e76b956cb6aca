/// Strict RFC 8259 parser over raw bytes.
///
/// - Any value may be the top-level value ("1", "\"x\"" as well as objects and arrays).
/// - A leading UTF-8 BOM (EF BB BF) is tolerated and skipped (RFC 8259 §8.1 allows ignoring it);
///   offsets in errors still count it.
/// - Refused with a `JSONError`: invalid UTF-8, unescaped control characters in strings, lone
///   surrogates in "\u" escapes, nesting deeper than `maxDepth`, anything but whitespace after the value.
/// - Never traps, whatever the input.
@_spi(PMIngestTools) public struct JSONParser: Sendable {
    /// The default nesting limit: far above any Polymarket payload, far below the stack's limit.
    public static let defaultMaxDepth = 64
    /// The recursion is bounded by this whatever the caller asks, to keep small thread stacks safe.
    public static let depthCeiling = 256

    /// Maximum nesting of arrays/objects; 0 allows only scalars. Clamped to 0...depthCeiling.
    public let maxDepth: Int

    public init(maxDepth: Int = JSONParser.defaultMaxDepth) {
        self.maxDepth = min(max(maxDepth, 0), JSONParser.depthCeiling)
    }

    public func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONValue {
        var reader = JSONReader(bytes: bytes, maxDepth: maxDepth)
        return try reader.parseDocument()
    }

    public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        let result = bytes.withMemoryRebound(to: UInt8.self) { buffer in
            Result { () throws(JSONError) in try parse(buffer) }
        }
        return try result.get()
    }

    public func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONError) in try parse(buffer) }
        }
        return try result.get()
    }

    public func parse(_ bytes: ArraySlice<UInt8>) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONError) in try parse(buffer) }
        }
        return try result.get()
    }

    public func parse(_ text: String) throws(JSONError) -> JSONValue {
        var copy = text
        let result = copy.withUTF8 { buffer in
            Result { () throws(JSONError) in try parse(buffer) }
        }
        return try result.get()
    }
}

extension JSONValue {
    /// Parses a whole document with the default parser.
    public init(parsing bytes: [UInt8]) throws(JSONError) { self = try JSONParser().parse(bytes) }
    public init(parsing bytes: ArraySlice<UInt8>) throws(JSONError) { self = try JSONParser().parse(bytes) }
    public init(parsing bytes: UnsafeRawBufferPointer) throws(JSONError) { self = try JSONParser().parse(bytes) }
    public init(parsing bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) { self = try JSONParser().parse(bytes) }
    public init(parsing text: String) throws(JSONError) { self = try JSONParser().parse(text) }
}
