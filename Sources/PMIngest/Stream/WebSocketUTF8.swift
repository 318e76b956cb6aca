/// Strict UTF-8 validation of a text frame (RFC 3629: no overlong forms, no surrogates, nothing
/// above U+10FFFF), without copying. libwebsockets' own check (`LWS_SERVER_OPTION_VALIDATE_UTF8`)
/// is not used: it *closes the connection* on a bad frame, and the stream must survive one.
enum WebSocketUTF8 {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        while i < n {
            // Fast path: 8 ASCII bytes at a time.
            while i + 8 <= n {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            guard i < n else { return true }
            let b0 = base[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            if b0 >= 0xC2 && b0 <= 0xDF {
                guard i + 1 < n, isContinuation(base[i + 1]) else { return false }
                i += 2
            } else if b0 >= 0xE0 && b0 <= 0xEF {
                guard i + 2 < n else { return false }
                let b1 = base[i + 1]
                let lower: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80   // no overlongs
                let upper: UInt8 = b0 == 0xED ? 0x9F : 0xBF   // no surrogates
                guard b1 >= lower, b1 <= upper, isContinuation(base[i + 2]) else { return false }
                i += 3
            } else if b0 >= 0xF0 && b0 <= 0xF4 {
                guard i + 3 < n else { return false }
                let b1 = base[i + 1]
                let lower: UInt8 = b0 == 0xF0 ? 0x90 : 0x80   // no overlongs
                let upper: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF   // nothing above U+10FFFF
                guard b1 >= lower, b1 <= upper, isContinuation(base[i + 2]), isContinuation(base[i + 3]) else {
                    return false
                }
                i += 4
            } else {
                return false   // 0x80...0xC1 (stray continuation, overlong lead) or 0xF5...0xFF
            }
        }
        return true
    }

    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { isValid($0) }
    }

    @inline(__always)
    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
