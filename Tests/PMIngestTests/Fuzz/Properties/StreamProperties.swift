@_spi(PMIngestTools) @testable import PMIngest

/// The market channel (docs/wire/market-channel.md): each input is one WebSocket text frame.
extension FuzzProperty {
    static let receivedAtMs: Int64 = 1_767_225_600_000

    /// fuzz-stream: one frame through the stream's own checks, as `WebSocketEngine.complete` runs
    /// them: `WebSocketUTF8.isValid`, then `MarketChannelParser.parse`.
    /// - The UTF-8 check agrees with the standard library's validator.
    /// - `PONG` (trimmed) and nothing else is a pong; every entry point gives the same outcome,
    ///   and the one-pass decoder (`MarketFrameFastPath`) the same as the tape alone.
    /// - A frame `JSONParser` refuses is one malformed skip with no events; an accepted frame
    ///   accounts for every element (events + skipped); invalid UTF-8 is never accepted.
    /// - Decoded events match their JSON objects field by field (`eventProblem`).
    public static func stream(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        var violations = Violations()
        func shown() -> String { fuzzExcerpt(input) }   // only built for a message
        let parser = MarketChannelParser()
        let outcome = parser.parse(input, receivedAtMs: receivedAtMs)

        let utf8 = WebSocketUTF8.isValid(input)
        violations.check(utf8 == (String(validating: input, as: UTF8.self) != nil),
                         "WebSocketUTF8.isValid = \(utf8), the standard library disagrees: \(shown())")
        violations.check(parser.parse(Array(input), receivedAtMs: receivedAtMs) == outcome, "[UInt8] entry point differs: \(shown())")
        violations.check(parser.parseWithTape(input, receivedAtMs: receivedAtMs) == outcome,
                         "the one-pass decoder and the tape disagree: \(shown())")
        if utf8 {
            let text = String(decoding: input, as: UTF8.self)
            violations.check(parser.parse(text, receivedAtMs: receivedAtMs) == outcome, "String entry point differs: \(shown())")
        }
        var trimmed = input[...]
        while let first = trimmed.first, [0x20, 0x0A, 0x0D, 0x09].contains(first) { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, [0x20, 0x0A, 0x0D, 0x09].contains(last) { trimmed = trimmed.dropLast() }
        violations.check(outcome.pong == trimmed.elementsEqual("PONG".utf8), "pong = \(outcome.pong) for \(shown())")
        if outcome.skipped > 0 { violations.check(outcome.lastSkipReason != nil, "skipped \(outcome.skipped) without a reason") }

        let tree = try? JSONParser().parse(input)
        if !utf8 { violations.check(tree == nil, "JSONParser accepted invalid UTF-8: \(shown())") }
        if outcome.pong {
            violations.check(outcome.events.isEmpty && outcome.skipped == 0, "a pong with events or skips")
        } else if let tree {
            var objects: [JSONObject?]
            switch tree {
            case .array(let rows): objects = rows.map(\.objectValue)
            default: objects = [tree.objectValue]
            }
            violations.check(outcome.events.count + outcome.skipped == objects.count,
                             "\(outcome.events.count) events + \(outcome.skipped) skipped for \(objects.count) elements: \(shown())")
            // Without skips, events and elements pair up in order.
            if outcome.skipped == 0, outcome.events.count == objects.count {
                for (index, (event, object)) in zip(outcome.events, objects).enumerated() {
                    guard let object else { violations.fail("element \(index) is not an object but decoded"); break }
                    if let problem = eventProblem(event, object) { violations.fail("event \(index) (\(event.eventType)): \(problem) in \(shown())") }
                }
            }
        } else {
            violations.check(outcome.events.isEmpty && outcome.malformed == 1 && outcome.unknownEventTypes == 0,
                             "a frame JSONParser refuses gave \(outcome.events.count) events, \(outcome.malformed) malformed, \(outcome.unknownEventTypes) unknown: \(shown())")
        }
        return violations.first
    }

    /// A decoded market-channel event against its JSON object.
    static func eventProblem(_ event: StreamEvent, _ object: JSONObject) -> String? {
        typealias F = FieldReference
        var violations = Violations()
        func compare(_ problem: String?) { if let problem { violations.fail(problem) } }
        switch event {
        case .book(let book):
            compare(bookProblem(book, object))
        case .priceChange(let change):
            compare(F.mismatch("timestamp", change.timestampMs, F.int64(object["timestamp"])))
            compare(F.textMismatch("market", change.conditionId, F.string(object["market"])))
            let rows = (change.schema == .priceChanges ? object["price_changes"] : object["changes"])?.arrayValue ?? []
            violations.check(rows.count == change.changes.count, "\(change.changes.count) changes from \(rows.count) entries")
            for (index, (level, row)) in zip(change.changes, rows).enumerated() {
                guard let entry = row.objectValue else { violations.fail("change \(index) is not an object"); break }
                let path = "changes[\(index)]."
                compare(F.mismatch(path + "side", level.side, F.side(entry["side"])))
                compare(F.mismatch(path + "price", level.price.micros, F.micros(entry["price"])))
                compare(F.mismatch(path + "size", level.size.micros, F.micros(entry["size"])))
                switch change.schema {
                case .priceChanges:
                    compare(F.textMismatch(path + "asset_id", level.tokenId, F.string(entry["asset_id"])))
                    compare(F.textMismatch(path + "hash", level.hash, F.string(entry["hash"])))
                    compare(F.mismatch(path + "best_bid", level.bestBid?.micros, F.micros(entry["best_bid"])))
                    compare(F.mismatch(path + "best_ask", level.bestAsk?.micros, F.micros(entry["best_ask"])))
                case .legacyChanges:
                    compare(F.textMismatch(path + "asset_id", level.tokenId, F.string(object["asset_id"])))
                    compare(F.textMismatch(path + "hash", level.hash, F.string(object["hash"])))
                    violations.check(level.bestBid == nil && level.bestAsk == nil, path + "best bid/ask invented")
                }
            }
        case .lastTradePrice(let trade):
            compare(F.textMismatch("asset_id", trade.tokenId, F.string(object["asset_id"])))
            compare(F.mismatch("price", trade.price.micros, F.micros(object["price"])))
            compare(F.mismatch("size", trade.size?.micros, F.micros(object["size"])))
            compare(F.mismatch("side", trade.side, F.side(object["side"])))
            compare(F.mismatch("timestamp", trade.timestampMs, F.int64(object["timestamp"])))
        case .tickSizeChange(let tick):
            compare(F.textMismatch("asset_id", tick.tokenId, F.string(object["asset_id"])))
            compare(F.mismatch("old_tick_size", tick.oldTickSize?.micros, F.micros(object["old_tick_size"])))
            compare(F.mismatch("new_tick_size", tick.newTickSize.micros, F.micros(object["new_tick_size"])))
            compare(F.mismatch("timestamp", tick.timestampMs, F.int64(object["timestamp"])))
        case .bestBidAsk(let top):
            compare(F.textMismatch("asset_id", top.tokenId, F.string(object["asset_id"])))
            compare(F.mismatch("best_bid", top.bestBid?.micros, F.micros(object["best_bid"])))
            compare(F.mismatch("best_ask", top.bestAsk?.micros, F.micros(object["best_ask"])))
            compare(F.mismatch("spread", top.spread?.micros, F.micros(object["spread"])))
            compare(F.mismatch("timestamp", top.timestampMs, F.int64(object["timestamp"])))
        case .legacyPriceChange(let legacy):
            compare(F.textMismatch("asset_id", legacy.tokenId, F.string(object["asset_id"])))
            compare(F.mismatch("price", legacy.price.micros, F.micros(object["price"])))
            compare(F.mismatch("timestamp", legacy.timestampMs, F.int64(object["timestamp"])))
            violations.check(legacy.receivedAtMs == receivedAtMs, "receivedAtMs \(legacy.receivedAtMs.map(String.init) ?? "nil") is not the frame's")
        case .newMarket(let market):
            violations.check(!market.conditionId.isEmpty, "empty condition id accepted")
            compare(F.mismatch("order_price_min_tick_size", market.tickSize?.micros, F.micros(object["order_price_min_tick_size"])))
            compare(F.mismatch("timestamp", market.timestampMs, F.int64(object["timestamp"])))
        case .marketResolved(let resolved):
            violations.check(!resolved.conditionId.isEmpty && !resolved.winningAssetId.isEmpty, "empty id accepted")
            compare(F.textMismatch("winning_asset_id", resolved.winningAssetId, F.string(object["winning_asset_id"])))
            compare(F.mismatch("timestamp", resolved.timestampMs, F.int64(object["timestamp"])))
        case .reconnected:
            violations.fail("the parser produced the client's own reconnected event")
        }
        return violations.first
    }
}
