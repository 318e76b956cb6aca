/// A forward-only JSON byte cursor for the common case: values whose strings are plain printable
/// ASCII without escapes, scanned in place with no token tape and no allocation.
///
/// Every method either consumes a well-formed piece of JSON (RFC 8259, as strict as `JSONParser`)
/// and returns it, or returns nil/false without a diagnosis: "not in the plain subset, or not
/// valid". The caller then hands the whole document to the full reader (`JSONParser`, `FrameTape`),
/// which accepts or refuses it and says why. So the cursor never has to reproduce an error message,
/// and it can refuse anything unusual (an escape, a non-ASCII byte, a nested value it was not asked
/// to read) at no cost to correctness.
///
/// Every byte read is preceded by an explicit `< end` check: nothing here traps, whatever the input.
struct JSONCursor {
    let base: UnsafePointer<UInt8>
    let end: Int
    var position: Int

    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return nil }
        self.base = base
        self.end = bytes.count
        self.position = 0
    }

    /// The byte at the position, or nil at the end.
    @inline(__always)
    var peek: UInt8? { position < end ? base[position] : nil }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            let byte = base[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    /// Consumes `byte` (after optional whitespace) if it is next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < end, base[position] == byte else { return false }
        position += 1
        return true
    }

    /// A plain string whose opening quote is at the position: printable ASCII, no escape. Returns
    /// its content span (after the opening quote ..< the closing quote) and moves past the quote.
    @inline(__always)
    mutating func plainString() -> Range<Int>? {
        guard position < end, base[position] == UInt8(ascii: "\"") else { return nil }
        let start = position + 1
        var i = PlainByteScan.skipPlainWide(base, from: start, end: end)
        while i < end {
            let byte = base[i]
            if byte == UInt8(ascii: "\"") {
                position = i + 1
                return start..<i
            }
            // '\\', a control character or a non-ASCII byte: the full reader's business.
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            i += 1
        }
        return nil
    }

    /// A number literal at the position (RFC 8259 grammar); returns its span.
    @inline(__always)
    mutating func number() -> Range<Int>? {
        let start = position
        let bytes = UnsafeBufferPointer(start: base, count: end)
        guard let after = try? JSONNumber.scanLiteral(bytes, from: start), after > start, after <= end else { return nil }
        position = after
        return start..<after
    }

    /// `true`, `false` or `null` at the position: 1, 0 or -1; nil for anything else.
    @inline(__always)
    mutating func literal() -> Int8? {
        guard position < end else { return nil }
        switch base[position] {
        case UInt8(ascii: "t"):
            guard matches(0x6575_7274, length: 4) else { return nil }   // "true"
            position += 4
            return 1
        case UInt8(ascii: "f"):
            guard position + 5 <= end, matches(0x6573_6C61, length: 4, at: position + 1) else { return nil }   // "alse"
            position += 5
            return 0
        case UInt8(ascii: "n"):
            guard matches(0x6C6C_756E, length: 4) else { return nil }   // "null"
            position += 4
            return -1
        default:
            return nil
        }
    }

    @inline(__always)
    private func matches(_ word: UInt32, length: Int, at offset: Int? = nil) -> Bool {
        let at = offset ?? position
        guard at >= 0, at + length <= end else { return false }
        return UInt32(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: UInt32.self)) == word
    }

    /// A key of 4...16 bytes as two overlapping little-endian words (first and last 4 or 8 bytes),
    /// which together with its length identify it among a fixed set of keys; nil for other lengths.
    @inline(__always)
    func keyWords(_ span: Range<Int>) -> (UInt64, UInt64)? {
        let count = span.count
        guard span.lowerBound >= 0, span.upperBound <= end, count >= 4, count <= 16 else { return nil }
        let raw = UnsafeRawPointer(base + span.lowerBound)
        if count < 8 {
            let first = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let last = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
            return (first | last << 32, 0)
        }
        return (UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)),
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)))
    }

    /// Skips a scalar value (plain string, number, literal); false for containers and anything else.
    @inline(__always)
    mutating func skipScalar() -> Bool {
        guard position < end else { return false }
        switch base[position] {
        case UInt8(ascii: "\""): return plainString() != nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number() != nil
        default: return literal() != nil
        }
    }

    /// The bytes of `span` (which the cursor returned, so in bounds).
    @inline(__always)
    func bytes(_ span: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        guard span.lowerBound >= 0, span.upperBound <= end else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base + span.lowerBound, count: span.count)
    }

    /// After a member value: `,` (true, more follow) or `close` (false, the container ended);
    /// nil for anything else.
    @inline(__always)
    mutating func nextMember(close: UInt8) -> Bool? {
        skipWhitespace()
        guard position < end else { return nil }
        let byte = base[position]
        position += 1
        if byte == UInt8(ascii: ",") { return true }
        if byte == close { return false }
        return nil
    }
}
