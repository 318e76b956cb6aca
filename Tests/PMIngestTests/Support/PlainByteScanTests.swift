import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The SWAR skip must land on exactly the byte a byte-by-byte scan would stop at.
@Suite struct PlainByteScanTests {
    static func needsAttention(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80
    }

    /// What skipPlain promises: the first attention byte if one starts within a whole word,
    /// else the index where fewer than 8 bytes remain.
    static func naive(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        while bytes.count - i >= 8 {
            for k in i..<(i + 8) where needsAttention(bytes[k]) { return k }
            i += 8
        }
        return i
    }

    static func scan(_ bytes: [UInt8], from start: Int) -> Int {
        bytes.withUnsafeBufferPointer { PlainByteScan.skipPlain($0.baseAddress!, from: start, end: $0.count) }
    }

    @Test func everySpecialByteAtEveryPositionOfAWord() {
        let specials: [UInt8] = [0x22, 0x5C, 0x00, 0x1F, 0x80, 0xC3, 0xFF]
        for special in specials {
            for position in 0..<16 {
                // Neighbours that defeat naive borrow logic: 0x21 (just above '"'), 0x20, 0x5B/0x5D, 0x7F.
                var bytes = Array(repeating: UInt8(0x21), count: 24)
                bytes[position] = special
                #expect(Self.scan(bytes, from: 0) == position, "special \(special) at \(position)")
                for filler: UInt8 in [0x20, 0x5B, 0x5D, 0x7F, 0x01] where position > 0 {
                    bytes[position - 1] = filler == 0x01 ? 0x23 : filler
                    #expect(Self.scan(bytes, from: 0) == Self.naive(bytes, from: 0), "special \(special) at \(position), filler \(filler)")
                }
            }
        }
    }

    @Test func randomBuffersAgreeWithTheByteLoop() {
        var rng = JSONTestRNG(seed: 0x5EED_0F_B17E5)
        // Mostly plain ASCII with occasional specials, like JSON text.
        let alphabet: [UInt8] = Array(0x20...0x7E) + [0x22, 0x5C, 0x0A, 0x00, 0x80, 0xE2, 0xFF]
        for _ in 0..<20_000 {
            let count = Int(rng.next() % 40)
            let bytes = (0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let start = count == 0 ? 0 : Int(rng.next() % UInt64(count + 1))
            #expect(Self.scan(bytes, from: start) == Self.naive(bytes, from: start), "\(bytes) from \(start)")
        }
    }

    @Test func plainTextRunsToTheTail() {
        let bytes = Array("price0.45size1520.35abc".utf8)        // 23 plain bytes
        #expect(Self.scan(bytes, from: 0) == 16)                 // two whole words, 7 left for the byte loop
        #expect(Self.scan(bytes, from: 20) == 20)
    }
}
