/// One WebSocket text frame as a validated, flat "tape" of JSON tokens over the frame's own bytes.
///
/// Why not `JSONParser`: the generic tree allocates a `String` for every key and value and an
/// array per object. A market-channel decoder reads a handful of fields per event, so the tape
/// validates the whole frame with the same strictness as `JSONParser` (RFC 8259, well-formed UTF-8,
/// escapes, surrogate pairs, no control characters, nesting limit, no trailing data, BOM tolerated)
/// but records only token kinds and byte spans. Keys are matched by comparing bytes, and strings,
/// decimals and integers are materialised only for the fields a decoder asks for.
///
/// Every byte access is preceded by an explicit bounds check (an `UnsafeBufferPointer` subscript
/// is unchecked in release builds), and every tape lookup goes through `token(_:)`, which returns
/// nil out of range: nothing here traps, whatever the input.
struct FrameTape {
    enum Kind: UInt8 {
        case object, array, string, number, bool, null
    }

    struct Token {
        var kind: Kind
        /// Strings: the content has at least one backslash escape. Bools: the value.
        var flag: Bool
        /// Strings: index after the opening quote. Numbers: first byte. Containers: the bracket.
        var start: Int
        /// Strings: index of the closing quote. Numbers: index after the literal. Containers:
        /// index after the closing bracket.
        var end: Int
        /// Index of the token following this value and everything nested in it.
        var next: Int
        /// Strings: the first (up to) eight content bytes, little-endian, zero-padded — compared
        /// before any byte loop, so a key lookup rejects most members with one comparison.
        var prefix: UInt64 = 0
    }

    /// The first (up to) eight bytes of `text` as `Token.prefix` computes them.
    @inline(__always)
    static func prefixWord(_ text: UnsafeBufferPointer<UInt8>) -> UInt64 {
        if text.count >= 8, let base = text.baseAddress {
            return UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(as: UInt64.self))
        }
        var word: UInt64 = 0
        var k = 0
        while k < text.count, k < 8 {
            word |= UInt64(text[k]) << UInt64(8 * k)
            k += 1
        }
        return word
    }

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var tokens: [Token]

    /// Validates `bytes` as one JSON document and builds its tape; the root value is token 0.
    init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) throws(JSONError) {
        var builder = TapeBuilder(bytes: bytes, maxDepth: maxDepth)
        try builder.parseDocument()
        self.bytes = bytes
        self.tokens = builder.tokens
    }

    @inline(__always)
    func token(_ index: Int) -> Token? {
        guard index >= 0, index < tokens.count else { return nil }
        return tokens[index]
    }

    /// The raw bytes of a string's content (between the quotes, escapes not decoded) or of a
    /// number literal; empty for anything else or an inconsistent span.
    @inline(__always)
    func span(_ token: Token) -> UnsafeBufferPointer<UInt8> {
        guard token.kind == .string || token.kind == .number,
              token.start >= 0, token.start <= token.end, token.end <= bytes.count
        else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(rebasing: bytes[token.start..<token.end])
    }

    /// The decoded text of a string token (nil for other kinds).
    func string(_ index: Int) -> String? {
        guard let token = token(index), token.kind == .string else { return nil }
        if !token.flag { return String(decoding: span(token), as: UTF8.self) }
        // Escapes: re-read the quoted token with the full parser (already validated; rare).
        let quotedStart = token.start - 1
        let quotedEnd = token.end + 1
        guard quotedStart >= 0, quotedStart < quotedEnd, quotedEnd <= bytes.count else { return nil }
        let quoted = UnsafeBufferPointer(rebasing: bytes[quotedStart..<quotedEnd])
        return (try? JSONParser(maxDepth: 0).parse(quoted))?.stringValue
    }

    /// Whether the string `token` (at `index`) holds exactly the bytes `expected` (UTF-8), whose
    /// prefix word is `expectedPrefix`.
    @inline(__always)
    private func matches(_ token: Token, _ index: Int, _ expected: UnsafeBufferPointer<UInt8>,
                         _ expectedPrefix: UInt64) -> Bool {
        if token.flag {
            // Escaped text ("\u0069d"): compare the decoded string (rare).
            return string(index) == String(decoding: expected, as: UTF8.self)
        }
        let count = token.end - token.start
        guard count == expected.count, token.prefix == expectedPrefix else { return false }
        guard count > 8 else { return true }
        guard token.start >= 0, token.end <= bytes.count, let base = bytes.baseAddress, let wanted = expected.baseAddress
        else { return false }
        let content = base + token.start
        var k = 8
        while k < count {
            if content[k] != wanted[k] { return false }
            k += 1
        }
        return true
    }

    /// Whether the string token at `index` equals `literal` (ASCII), comparing bytes directly.
    func stringEquals(_ index: Int, _ literal: StaticString) -> Bool {
        guard let token = token(index), token.kind == .string else { return false }
        return literal.withUTF8Buffer { matches(token, index, $0, FrameTape.prefixWord($0)) }
    }

    /// The value token of the member `key` of the object at `object` (the last one if the key is
    /// repeated, as `JSONObject` does); nil when absent or when `object` is not an object.
    func member(_ object: Int, _ key: StaticString) -> Int? {
        guard let container = token(object), container.kind == .object else { return nil }
        return key.withUTF8Buffer { expected -> Int? in
            let expectedPrefix = FrameTape.prefixWord(expected)
            var found: Int?
            var keyIndex = object + 1
            while keyIndex < container.next, let name = token(keyIndex), let value = token(keyIndex + 1) {
                if name.kind == .string, matches(name, keyIndex, expected, expectedPrefix) { found = keyIndex + 1 }
                guard value.next > keyIndex else { break }   // the tape always advances; be sure
                keyIndex = value.next
            }
            return found
        }
    }

    /// The token indices of the elements of the array at `array` (empty for other kinds).
    func elements(_ array: Int) -> [Int] {
        guard let container = token(array), container.kind == .array else { return [] }
        var result: [Int] = []
        var index = array + 1
        while index < container.next, let element = token(index) {
            result.append(index)
            guard element.next > index else { break }
            index = element.next
        }
        return result
    }

    /// "object", "string", … for error messages.
    func kindName(_ index: Int) -> String {
        guard let token = token(index) else { return "nothing" }
        switch token.kind {
        case .object: return "object"
        case .array: return "array"
        case .string: return "string"
        case .number: return "number"
        case .bool: return "bool"
        case .null: return "null"
        }
    }
}

/// Builds a `FrameTape`: recursive descent with the same grammar and limits as `JSONReader`.
private struct TapeBuilder {
    let bytes: UnsafeBufferPointer<UInt8>
    let end: Int
    let maxDepth: Int
    var position = 0
    var depth = 0
    var tokens: [FrameTape.Token] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.end = bytes.count
        self.maxDepth = min(max(maxDepth, 0), JSONParser.depthCeiling)
        // A typical market-channel frame has one token per ~10 bytes.
        tokens.reserveCapacity(min(bytes.count / 10 + 8, 4096))
    }

    mutating func parseDocument() throws(JSONError) {
        if end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        skipWhitespace()
        try parseValue()
        skipWhitespace()
        if position < end {
            throw JSONError(.trailingData, offset: position, message: "unexpected \(describe(bytes[position])) after the value")
        }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    @inline(__always)
    mutating func append(_ kind: FrameTape.Kind, flag: Bool = false, start: Int, end: Int, prefix: UInt64 = 0) {
        tokens.append(FrameTape.Token(kind: kind, flag: flag, start: start, end: end, next: tokens.count + 1, prefix: prefix))
    }

    mutating func parseValue() throws(JSONError) {
        guard position < end else { throw JSONError(.unexpectedEnd, offset: position, message: "expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "{"): try parseObject()
        case UInt8(ascii: "["): try parseArray()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = position
            let stop = try JSONNumber.scanLiteral(bytes, from: start)
            append(.number, start: start, end: stop)
            position = stop
        case UInt8(ascii: "t"):
            let start = position
            try expectLiteral("true")
            append(.bool, flag: true, start: start, end: position)
        case UInt8(ascii: "f"):
            let start = position
            try expectLiteral("false")
            append(.bool, flag: false, start: start, end: position)
        case UInt8(ascii: "n"):
            let start = position
            try expectLiteral("null")
            append(.null, start: start, end: position)
        case let byte:
            throw JSONError(.unexpectedByte, offset: position, message: "expected a value, found \(describe(byte))")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let matched: Result<Int, JSONError> = literal.withUTF8Buffer { expected in
            var k = 0
            while k < expected.count {
                let at = position + k
                guard at < end else {
                    return .failure(JSONError(.unexpectedEnd, offset: at, message: "input ends inside '\(literal)'"))
                }
                guard bytes[at] == expected[k] else {
                    return .failure(JSONError(.unexpectedByte, offset: at,
                                              message: "expected '\(literal)', found \(describe(bytes[at]))"))
                }
                k += 1
            }
            return .success(expected.count)
        }
        position += try matched.get()
    }

    mutating func enterContainer() throws(JSONError) {
        guard depth < maxDepth else {
            throw JSONError(.tooDeep, offset: position, message: "nesting deeper than \(maxDepth)")
        }
        depth += 1
    }

    /// Closes the container token at `index`: records where it ends and what follows it.
    @inline(__always)
    mutating func close(_ index: Int) {
        guard index >= 0, index < tokens.count else { return }
        tokens[index].end = position
        tokens[index].next = tokens.count
    }

    mutating func parseArray() throws(JSONError) {
        try enterContainer()
        defer { depth -= 1 }
        let index = tokens.count
        append(.array, start: position, end: position)
        position += 1   // "["
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "]") {
            position += 1
            close(index)
            return
        }
        while true {
            try parseValue()
            skipWhitespace()
            guard position < end else {
                throw JSONError(.unexpectedEnd, offset: position, message: "array not closed")
            }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                close(index)
                return
            case let byte:
                throw JSONError(.unexpectedByte, offset: position, message: "expected ',' or ']', found \(describe(byte))")
            }
        }
    }

    mutating func parseObject() throws(JSONError) {
        try enterContainer()
        defer { depth -= 1 }
        let index = tokens.count
        append(.object, start: position, end: position)
        position += 1   // "{"
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "}") {
            position += 1
            close(index)
            return
        }
        while true {
            guard position < end else {
                throw JSONError(.unexpectedEnd, offset: position, message: "object not closed")
            }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw JSONError(.unexpectedByte, offset: position, message: "expected a string key, found \(describe(bytes[position]))")
            }
            try parseString()
            skipWhitespace()
            guard position < end else {
                throw JSONError(.unexpectedEnd, offset: position, message: "expected ':' after key")
            }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw JSONError(.unexpectedByte, offset: position, message: "expected ':', found \(describe(bytes[position]))")
            }
            position += 1
            skipWhitespace()
            try parseValue()
            skipWhitespace()
            guard position < end else {
                throw JSONError(.unexpectedEnd, offset: position, message: "object not closed")
            }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                close(index)
                return
            case let byte:
                throw JSONError(.unexpectedByte, offset: position, message: "expected ',' or '}', found \(describe(byte))")
            }
        }
    }

    // MARK: strings

    /// Validates the string whose opening quote is at `position` and appends its token.
    mutating func parseString() throws(JSONError) {
        let start = position + 1
        var i = start
        var escaped = false
        while true {
            if let base = bytes.baseAddress { i = PlainByteScan.skipPlain(base, from: i, end: end) }
            guard i < end else {
                throw JSONError(.unexpectedEnd, offset: end, message: "string not closed")
            }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                let prefix = start <= i ? FrameTape.prefixWord(UnsafeBufferPointer(rebasing: bytes[start..<i])) : 0
                append(.string, flag: escaped, start: start, end: i, prefix: prefix)
                position = i + 1
                return
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
                i = try endOfEscape(at: i)
            } else if byte < 0x20 {
                throw JSONError(.controlCharacter, offset: i, message: "unescaped control character \(describe(byte)) in string")
            } else if byte < 0x80 {
                i += 1
            } else {
                i = try endOfUTF8Sequence(at: i)
            }
        }
    }

    /// Validates the escape whose backslash is at `i`; returns the index after it.
    private func endOfEscape(at i: Int) throws(JSONError) -> Int {
        guard i + 1 < end else {
            throw JSONError(.unexpectedEnd, offset: end, message: "input ends inside an escape")
        }
        switch bytes[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return i + 2
        case UInt8(ascii: "u"):
            let unit = try hex4(at: i + 2)
            let next = i + 6
            if unit >= 0xD800, unit <= 0xDBFF {
                let backslash = next < end && bytes[next] == UInt8(ascii: "\\")
                let lowEscape = backslash && next + 1 < end && bytes[next + 1] == UInt8(ascii: "u")
                if !lowEscape {
                    if next >= end || (backslash && next + 1 >= end) {
                        throw JSONError(.unexpectedEnd, offset: end, message: "input ends after a high surrogate")
                    }
                    throw JSONError(.loneSurrogate, offset: i, message: "high surrogate not followed by a low surrogate")
                }
                let low = try hex4(at: next + 2)
                guard low >= 0xDC00, low <= 0xDFFF else {
                    throw JSONError(.loneSurrogate, offset: i, message: "high surrogate not followed by a low surrogate")
                }
                return next + 6
            }
            if unit >= 0xDC00, unit <= 0xDFFF {
                throw JSONError(.loneSurrogate, offset: i, message: "low surrogate without a high surrogate")
            }
            return next
        case let other:
            throw JSONError(.invalidEscape, offset: i, message: "invalid escape after '\\': \(describe(other))")
        }
    }

    /// Four hex digits at `j...j+3`.
    private func hex4(at j: Int) throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        var k = j
        while k < j + 4 {
            guard k < end else {
                throw JSONError(.unexpectedEnd, offset: end, message: "input ends inside a \\u escape")
            }
            let byte = bytes[k]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default:
                throw JSONError(.invalidEscape, offset: k, message: "expected a hex digit in \\u escape, found \(describe(byte))")
            }
            value = value << 4 | UInt32(digit)
            k += 1
        }
        return value
    }

    /// Validates the multi-byte UTF-8 sequence at `i` (first byte ≥ 0x80); returns the index after it.
    private func endOfUTF8Sequence(at i: Int) throws(JSONError) -> Int {
        guard i < end else { throw JSONError(.unexpectedEnd, offset: end, message: "string not closed") }
        switch UTF8Validation.sequence(in: bytes, at: i, end: end) {
        case .valid(let length): return i + length
        case .invalidLead: throw JSONError(.invalidUTF8, offset: i, message: "invalid UTF-8 lead byte \(describe(bytes[i]))")
        case .truncated: throw JSONError(.invalidUTF8, offset: i, message: "truncated UTF-8 sequence")
        case .invalidContinuation: throw JSONError(.invalidUTF8, offset: i, message: "invalid UTF-8 sequence")
        }
    }

    /// A byte for an error message: the character if printable ASCII, else hex.
    func describe(_ byte: UInt8) -> String {
        if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
