import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// 20,000 random, mutated and generated frames: the parser must never trap, must reject exactly
/// what the strict `JSONParser` rejects, and must account for every element of what it accepts.
@Suite struct StreamParserFuzzTests {
    static let interesting: [UInt8] = Array(#"{}[]",:\/-+.eE0123456789tfnu "#.utf8)
        + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF, 0xEF, 0xBB]
    static let fieldNames = ["event_type", "type", "asset_id", "market", "timestamp", "price", "size", "side", "hash",
                             "best_bid", "best_ask", "spread", "fee_rate_bps", "transaction_hash", "bids", "asks",
                             "price_changes", "changes", "old_tick_size", "new_tick_size", "assets_ids", "outcomes",
                             "winning_asset_id", "condition_id", "tick_size", "neg_risk", "id", "question"]
    static let eventTypes = ["book", "price_change", "last_trade_price", "tick_size_change", "best_bid_ask",
                             "new_market", "market_resolved", "future_thing", ""]
    static let scalars = [#""0.5""#, #""""#, "null", "true", "0.25", "-1", "1e400", #""99999999999999999999999""#,
                          #""1767225600123""#, "1767225600123", #""BUY""#, #""sell""#, #""x\u00e9""#, #""\ud800""#,
                          #"".48""#, #""0.1234567""#, "[]", "{}", #"["1","2"]"#, "[1]", #""0""#]

    @Test func randomMutatedAndGeneratedFramesNeverTrap() throws {
        var rng = StreamRNG(seed: 0x57EA_4D)
        var corpus = try StreamFixtures.names.map { try StreamFixtures.bytes($0) }
        corpus.append(Array("PONG".utf8))
        let parser = MarketChannelParser()
        var accepted = 0
        var events = 0
        for iteration in 0..<20_000 {
            var bytes: [UInt8]
            switch iteration % 10 {
            case 0:
                bytes = (0..<rng.below(80)).map { _ in
                    rng.below(2) == 0 ? Self.interesting[rng.below(Self.interesting.count)] : UInt8(truncatingIfNeeded: rng.next())
                }
            case 1, 2, 3:
                bytes = Array(generatedFrame(&rng).utf8)
            default:
                bytes = corpus[rng.below(corpus.count)]
                for _ in 0...rng.below(4) { mutate(&bytes, &rng, corpus) }
            }
            let outcome = parser.parse(bytes)
            events += outcome.events.count
            // Determinism, and every entry point agrees.
            #expect(parser.parse(bytes) == outcome)
            // Differential check against the strict tree parser.
            let tree = try? JSONParser().parse(bytes)
            if outcome.pong {
                #expect(outcome.events.isEmpty && outcome.skipped == 0)
            } else if let tree {
                accepted += 1
                let expected: Int
                switch tree {
                case .object: expected = 1
                case .array(let items): expected = items.count
                default: expected = 1
                }
                #expect(outcome.events.count + outcome.skipped == expected, "iteration \(iteration)")
            } else {
                #expect(outcome.events.isEmpty && outcome.malformed == 1 && outcome.unknownEventTypes == 0,
                        "iteration \(iteration): accepted what JSONParser refuses: \(String(decoding: bytes, as: UTF8.self))")
            }
            if outcome.skipped > 0 { #expect(outcome.lastSkipReason != nil) }
            _ = outcome.priceUpdates
            _ = outcome.priceUpdates(receivedAtMs: 1)
        }
        #expect(accepted > 2_000 && events > 1_000)   // the loop reached the decoders, not only the tokenizer
    }

    /// An event object with random fields and values, often valid enough to reach the decoders.
    func generatedFrame(_ rng: inout StreamRNG) -> String {
        func event(_ rng: inout StreamRNG) -> String {
            var members = [#""event_type":"\#(Self.eventTypes[rng.below(Self.eventTypes.count)])""#]
            for _ in 0..<rng.below(10) {
                let name = Self.fieldNames[rng.below(Self.fieldNames.count)]
                var value = Self.scalars[rng.below(Self.scalars.count)]
                if name == "price_changes" || name == "changes" || name == "bids" || name == "asks", rng.below(3) > 0 {
                    let entries = (0..<rng.below(3)).map { _ in
                        "{" + (0..<rng.below(7)).map { _ in
                            let key = ["asset_id", "price", "size", "side", "best_bid", "best_ask", "hash"][rng.below(7)]
                            return #""\#(key)":\#(Self.scalars[rng.below(Self.scalars.count)])"#
                        }.joined(separator: ",") + "}"
                    }
                    value = "[" + entries.joined(separator: ",") + "]"
                }
                members.append(#""\#(name)":\#(value)"#)
            }
            return "{" + members.joined(separator: ",") + "}"
        }
        if rng.below(3) == 0 {
            return "[" + (0..<rng.below(4)).map { _ in event(&rng) }.joined(separator: ",") + "]"
        }
        return event(&rng)
    }

    func mutate(_ bytes: inout [UInt8], _ rng: inout StreamRNG, _ corpus: [[UInt8]]) {
        switch rng.below(7) {
        case 0 where !bytes.isEmpty:   // flip a bit
            let at = rng.below(bytes.count)
            bytes[at] ^= UInt8(truncatingIfNeeded: 1 << rng.below(8))
        case 1:   // insert an interesting byte
            bytes.insert(Self.interesting[rng.below(Self.interesting.count)], at: rng.below(bytes.count + 1))
        case 2 where !bytes.isEmpty:   // delete a range
            let start = rng.below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + rng.below(8)))
        case 3 where !bytes.isEmpty:   // truncate
            bytes = Array(bytes.prefix(rng.below(bytes.count)))
        case 4 where !bytes.isEmpty:   // duplicate a range
            let start = rng.below(bytes.count)
            let slice = bytes[start..<min(bytes.count, start + 1 + rng.below(16))]
            bytes.insert(contentsOf: slice, at: rng.below(bytes.count + 1))
        case 5:   // splice with another frame
            let other = corpus[rng.below(corpus.count)]
            bytes = Array(bytes.prefix(rng.below(bytes.count + 1))) + Array(other.suffix(rng.below(other.count + 1)))
        default:   // swap a digit or quote for another token-ish byte
            guard let at = bytes.indices.filter({ bytes[$0] == UInt8(ascii: "\"") || JSONNumber.isDigit(bytes[$0]) }).randomElement(using: &rng)
            else { return }
            bytes[at] = Array(#"0159."-e"#.utf8)[rng.below(8)]
        }
    }
}
