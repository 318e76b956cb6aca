/// String tokens: validate in place, build the String once.
///
/// The common case (no escape) scans to the closing quote — eight bytes at a time while the bytes
/// are plain ASCII — and decodes the validated slice with one `String(decoding:as:)`. Only strings
/// with escapes are assembled in the reusable `scratch` buffer.
extension JSONReader {
    /// Parses the string whose opening quote is at `position`.
    mutating func parseString() throws(JSONError) -> String {
        let start = position + 1
        var i = start
        while true {
            if let base = bytes.baseAddress { i = PlainByteScan.skipPlain(base, from: i, end: end) }
            guard i < end else {
                throw JSONError(.unexpectedEnd, offset: end, message: "string not closed")
            }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                position = i + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(start: start, firstEscape: i)
            } else if byte < 0x20 {
                throw controlCharacterError(at: i, byte)
            } else if byte < 0x80 {
                i += 1
            } else {
                i = try endOfUTF8Sequence(at: i)
            }
        }
    }

    /// Slow path from the first backslash on: bytes go through `scratch`.
    private mutating func parseEscapedString(start: Int, firstEscape: Int) throws(JSONError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<firstEscape]))
        var i = firstEscape
        while true {
            // Copy the run of bytes that need no decoding in one append.
            let runStart = i
            while i < end {
                let byte = bytes[i]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw controlCharacterError(at: i, byte) }
                if byte < 0x80 { i += 1 } else { i = try endOfUTF8Sequence(at: i) }
            }
            if i > runStart { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            guard i < end else {
                throw JSONError(.unexpectedEnd, offset: end, message: "string not closed")
            }
            if bytes[i] == UInt8(ascii: "\"") {
                position = i + 1
                return String(decoding: scratch, as: UTF8.self)
            }
            i = try decodeEscape(at: i)
        }
    }

    /// Decodes the escape whose backslash is at `i` into `scratch`; returns the index after it.
    private mutating func decodeEscape(at i: Int) throws(JSONError) -> Int {
        guard i + 1 < end else {
            throw JSONError(.unexpectedEnd, offset: end, message: "input ends inside an escape")
        }
        let decoded: UInt8
        switch bytes[i + 1] {
        case UInt8(ascii: "\""): decoded = 0x22
        case UInt8(ascii: "\\"): decoded = 0x5C
        case UInt8(ascii: "/"): decoded = 0x2F
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"): return try decodeUnicodeEscape(at: i)
        case let other:
            throw JSONError(.invalidEscape, offset: i, message: "invalid escape '\\\(describeEscape(other))'")
        }
        scratch.append(decoded)
        return i + 2
    }

    /// "\uXXXX", or a surrogate pair "\uD83D\uDE00"; a lone surrogate is an error.
    private mutating func decodeUnicodeEscape(at i: Int) throws(JSONError) -> Int {
        let unit = try hex4(at: i + 2)
        var next = i + 6
        var scalar = unit
        if unit >= 0xD800, unit <= 0xDBFF {
            // The low half must follow at once as "\u".
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
            scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            next += 6
        } else if unit >= 0xDC00, unit <= 0xDFFF {
            throw JSONError(.loneSurrogate, offset: i, message: "low surrogate without a high surrogate")
        }
        appendUTF8(scalar)
        return next
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
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw JSONError(.invalidEscape, offset: k, message: "expected a hex digit in \\u escape, found \(describe(byte))")
            }
            value = value << 4 | UInt32(digit)
            k += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(truncatingIfNeeded: scalar))
        case 0x80..<0x800:
            scratch.append(0xC0 | UInt8(truncatingIfNeeded: scalar >> 6))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(0xE0 | UInt8(truncatingIfNeeded: scalar >> 12))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: (scalar >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(truncatingIfNeeded: scalar >> 18))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: (scalar >> 12) & 0x3F))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: (scalar >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        }
    }

    /// Validates the multi-byte UTF-8 sequence starting at `i` (first byte ≥ 0x80); returns the
    /// index after it.
    private func endOfUTF8Sequence(at i: Int) throws(JSONError) -> Int {
        switch UTF8Validation.sequence(in: bytes, at: i, end: end) {
        case .valid(let length): return i + length
        case .invalidLead:
            throw JSONError(.invalidUTF8, offset: i, message: "invalid UTF-8 lead byte 0x\(String(bytes[i], radix: 16, uppercase: true))")
        case .truncated: throw JSONError(.invalidUTF8, offset: i, message: "truncated UTF-8 sequence")
        case .invalidContinuation: throw JSONError(.invalidUTF8, offset: i, message: "invalid UTF-8 sequence")
        }
    }

    private func controlCharacterError(at i: Int, _ byte: UInt8) -> JSONError {
        JSONError(.controlCharacter, offset: i, message: "unescaped control character \(describe(byte)) in string")
    }

    private func describeEscape(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : describe(byte)
    }
}
