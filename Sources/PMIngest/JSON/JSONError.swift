/// Why a byte string is not a JSON document (RFC 8259), and where.
@_spi(PMIngestTools) public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of the failure, for callers and tests that must tell failures apart.
    public enum Kind: Sendable, Equatable {
        /// The input ended inside a value (also: empty input, unterminated string).
        case unexpectedEnd
        /// A byte that cannot start or continue the expected token.
        case unexpectedByte
        /// A malformed number literal ("01", "1.", "-", "1e").
        case invalidNumber
        /// An unknown escape ("\x") or a malformed "\u" escape.
        case invalidEscape
        /// A "\u" escape of a high surrogate without its low half, or a low half alone.
        case loneSurrogate
        /// Bytes inside a string that are not well-formed UTF-8.
        case invalidUTF8
        /// An unescaped byte below 0x20 inside a string.
        case controlCharacter
        /// Arrays/objects nested deeper than the parser's limit.
        case tooDeep
        /// Anything but whitespace after the top-level value.
        case trailingData
    }

    public let kind: Kind
    /// Byte offset into the input (a leading BOM counts) where the problem was found.
    public let offset: Int
    /// Short human-readable detail.
    public let message: String

    public init(_ kind: Kind, offset: Int, message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
