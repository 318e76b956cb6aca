/// The one UTF-8 well-formedness table of the core (Unicode Table 3-7: no overlong forms, no
/// encoded surrogates, nothing above U+10FFFF), shared by the JSON reader, the stream's token tape
/// and the WebSocket frame check so the three cannot disagree on what is valid.
enum UTF8Validation {
    enum Sequence: Equatable {
        /// A well-formed sequence of this many bytes.
        case valid(length: Int)
        /// A byte that cannot start a sequence (0x80...0xC1, 0xF5...0xFF).
        case invalidLead
        /// The sequence runs past `end`.
        case truncated
        /// A second or later byte outside its allowed range.
        case invalidContinuation
    }

    /// Classifies the multi-byte sequence starting at `i` (its first byte ≥ 0x80); `end` is one
    /// past the last readable index.
    @inline(__always)
    static func sequence(in bytes: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Sequence {
        let lead = bytes[i]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0          // no overlongs
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F         // no surrogates
        case 0xF0: length = 4; secondLow = 0x90          // no overlongs
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F         // nothing above U+10FFFF
        default: return .invalidLead
        }
        guard end - i >= length else { return .truncated }
        let second = bytes[i + 1]
        guard second >= secondLow, second <= secondHigh else { return .invalidContinuation }
        var k = i + 2
        while k < i + length {
            guard bytes[k] & 0xC0 == 0x80 else { return .invalidContinuation }
            k += 1
        }
        return .valid(length: length)
    }
}
