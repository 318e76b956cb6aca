/// Strict UTF-8 validation of a text frame (the shared `UTF8Validation` table), without copying,
/// with an 8-bytes-at-a-time ASCII fast path. libwebsockets' own check (`LWS_SERVER_OPTION_VALIDATE_UTF8`)
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
            guard case .valid(let length) = UTF8Validation.sequence(in: bytes, at: i, end: n) else { return false }
            i += length
        }
        return true
    }

    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { isValid($0) }
    }
}
