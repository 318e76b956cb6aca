import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Random and mutated inputs: the parser must return or throw, never trap, and what it accepts must
/// survive a serialise → parse round trip.
@Suite struct JSONFuzzTests {
    static let interestingBytes: [UInt8] = Array(#"{}[]",:\/-+.eE0123456789tfnu "#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF, 0xEF, 0xBB]

    @Test func randomAndMutatedInputsNeverTrap() throws {
        var rng = JSONTestRNG(seed: 0xF022)
        var corpus = [
            JSONPolymarketPayloadTests.gammaMarkets, JSONPolymarketPayloadTests.clobBook,
            JSONPolymarketPayloadTests.dataTrades, JSONPolymarketPayloadTests.wsArrayFrame,
            #"{"s":"\uD83D\uDE00\n\u00e9é","n":[-0.5e-7,1E+2,0],"t":true,"f":false,"z":null}"#,
        ].map { Array($0.utf8) }
        var generator = JSONDocumentGenerator(rng: JSONTestRNG(seed: 0xF023))
        for _ in 0..<50 { corpus.append(Array(generator.document().utf8)) }

        var accepted = 0
        for iteration in 0..<10_000 {
            var bytes: [UInt8]
            if iteration % 10 == 0 {
                bytes = (0..<rng.int(0...64)).map { _ in
                    rng.chance(0.5) ? Self.interestingBytes[rng.int(0...(Self.interestingBytes.count - 1))] : UInt8.random(in: 0...255, using: &rng)
                }
            } else {
                bytes = corpus[rng.int(0...(corpus.count - 1))]
                for _ in 0..<rng.int(1...4) { mutate(&bytes, &rng, corpus) }
            }
            do {
                let value = try JSONValue(parsing: bytes)
                accepted += 1
                #expect(try JSONValue(parsing: value.serialized()) == value)
            } catch {
                #expect(error.offset >= 0 && error.offset <= bytes.count)
                #expect(!error.message.isEmpty)
            }
            // Slices at a non-zero start exercise the pointer arithmetic at other alignments.
            if bytes.count > 3 { _ = try? JSONValue(parsing: bytes[3...]) }
        }
        #expect(accepted > 100)   // mutations must not all be rejected, or the round trip is untested
    }

    private func mutate(_ bytes: inout [UInt8], _ rng: inout JSONTestRNG, _ corpus: [[UInt8]]) {
        func randomByte(_ rng: inout JSONTestRNG) -> UInt8 {
            rng.chance(0.7) ? Self.interestingBytes[rng.int(0...(Self.interestingBytes.count - 1))] : UInt8.random(in: 0...255, using: &rng)
        }
        let position = bytes.isEmpty ? 0 : rng.int(0...(bytes.count - 1))
        switch rng.int(0...5) {
        case 0 where !bytes.isEmpty: bytes[position] = randomByte(&rng)
        case 1: bytes.insert(randomByte(&rng), at: position)
        case 2 where !bytes.isEmpty: bytes.remove(at: position)
        case 3: bytes = Array(bytes.prefix(position))
        case 4 where !bytes.isEmpty:
            let length = rng.int(0...min(16, bytes.count - position))
            bytes.insert(contentsOf: bytes[position..<(position + length)], at: rng.int(0...bytes.count))
        default:
            let donor = corpus[rng.int(0...(corpus.count - 1))]
            guard !donor.isEmpty else { return }
            let start = rng.int(0...(donor.count - 1))
            bytes.insert(contentsOf: donor[start..<min(donor.count, start + rng.int(1...32))], at: position)
        }
    }
}
