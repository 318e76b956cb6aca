/// The fast path of both JSON string scanners (JSONReader and the stream's FrameTape): skip the
/// bytes that need no attention eight at a time (SWAR), and land exactly on the first one that does.
enum PlainByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first byte at or after `i` that is '"', '\\', a control character or
    /// non-ASCII; or, if none is found in whole words, the index where fewer than 8 bytes remain
    /// (the caller's byte loop takes the tail).
    ///
    /// Landing on the byte (not just on its word) matters: most Polymarket strings are a few bytes
    /// ("0.45", "100"), so the closing quote is almost always inside the first word, and
    /// re-testing that word after every byte cost ~35 instructions a byte.
    @inline(__always)
    static func skipPlain(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var i = start
        while end - i >= 8 {
            let mask = attentionMask(UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)))
            if mask != 0 { return i + mask.trailingZeroBitCount >> 3 }
            i += 8
        }
        return i
    }

    /// As `skipPlain`, sixteen bytes a step (SIMD compares; long ids and hashes are most of a
    /// stream frame's bytes), landing exactly on the byte through `skipPlain` on the last step.
    @inline(__always)
    static func skipPlainWide(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var i = start
        // Keys and decimals end within their first two words: SWAR steps before any SIMD.
        var words = 0
        while words < 2, end - i >= 8 {
            let mask = attentionMask(UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)))
            if mask != 0 { return i + mask.trailingZeroBitCount >> 3 }
            i += 8
            words += 1
        }
        let quote = SIMD16<UInt8>(repeating: 0x22)
        let backslash = SIMD16<UInt8>(repeating: 0x5C)
        let space = SIMD16<UInt8>(repeating: 0x20)
        let high = SIMD16<UInt8>(repeating: 0x80)
        while end - i >= 16 {
            let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self)
            let attention = (v .== quote) .| (v .== backslash) .| (v .< space) .| (v .>= high)
            if any(attention) { return skipPlain(base, from: i, end: i + 16) }
            i += 16
        }
        return skipPlain(base, from: i, end: end)
    }

    /// Whether all of `bytes` are ASCII digits (16 at a time).
    @inline(__always)
    static func allDigits(_ base: UnsafePointer<UInt8>, count: Int) -> Bool {
        var i = 0
        let zero = SIMD16<UInt8>(repeating: 0x30)
        let ten = SIMD16<UInt8>(repeating: 10)
        while count - i >= 16 {
            let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self)
            if any((v &- zero) .>= ten) { return false }
            i += 16
        }
        while i < count {
            if base[i] &- 0x30 >= 10 { return false }
            i += 1
        }
        return true
    }

    /// The high bit of each byte that is '"', '\\', < 0x20 or >= 0x80. (x - 0x01…) & ~x & 0x80…
    /// flags zero bytes, with 0x20… bytes below 0x20; a borrow can also flag bytes above a true
    /// hit, never below one, so the lowest set bit is always exact.
    @inline(__always)
    static func attentionMask(_ word: UInt64) -> UInt64 {
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- ones &* 0x20) & ~word
        return ((hasQuote | hasBackslash | hasControl) | word) & highBits
    }
}
