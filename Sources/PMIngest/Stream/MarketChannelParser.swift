/// What one market-channel text frame contained.
package struct ParseOutcome: Sendable, Equatable {
    /// The decoded events, in wire order.
    package var events: [StreamEvent]
    /// The frame was the heartbeat reply `PONG` (it carries no events).
    package var pong: Bool
    /// Well-formed events of a type this parser does not know (dropped: new types do appear).
    package var unknownEventTypes: Int
    /// Skipped as unusable: a frame that is not JSON (bad syntax, invalid UTF-8, truncated), a
    /// frame or array element that is not an event object, or a known event with a missing or
    /// malformed required field. A bad element of an array frame is skipped alone; a frame that is
    /// not valid JSON counts once and yields no events.
    package var malformed: Int
    /// Why the last skipped item (unknown or malformed) was skipped, briefly; nil when none was.
    package var lastSkipReason: String?

    package init(events: [StreamEvent] = [], pong: Bool = false, unknownEventTypes: Int = 0, malformed: Int = 0,
                lastSkipReason: String? = nil) {
        self.events = events
        self.pong = pong
        self.unknownEventTypes = unknownEventTypes
        self.malformed = malformed
        self.lastSkipReason = lastSkipReason
    }

    /// Items skipped, of both kinds.
    package var skipped: Int { unknownEventTypes + malformed }

    /// The trade-price signals of all events, in order (see `StreamEvent.priceUpdates`; G3: no size).
    package var priceUpdates: [PriceUpdate] { events.flatMap(\.priceUpdates) }

    /// As `priceUpdates`, stamping legacy price changes that have no time at all with `receivedAtMs`.
    package func priceUpdates(receivedAtMs: Int64) -> [PriceUpdate] {
        events.flatMap { $0.priceUpdates(receivedAtMs: receivedAtMs) }
    }
}

/// Parses the text frames of the Polymarket market channel
/// (`wss://ws-subscriptions-clob.polymarket.com/ws/market`, docs/wire/market-channel.md) into
/// `StreamEvent`s.
///
/// - A frame is one event object or an array of them (the initial book dump); every event has
///   `event_type` (the brief's legacy form has `type`).
/// - The heartbeat reply `PONG` is recognised without JSON parsing (`ParseOutcome.pong`).
/// - Unknown event types are dropped and counted; a known event with missing or malformed required
///   fields is skipped and counted without losing its neighbours in an array frame.
/// - `""` means absent for optional decimals (`best_bid`, `best_ask`, `spread`, `size`, …) and
///   strings (`fee_rate_bps`, `transaction_hash`, …); timestamps are ms (strings or numbers);
///   `side` may be lowercase; decimals are exact (never Double).
/// - Nothing traps, whatever the bytes: the parser is meant to run inside trading engines.
///
/// `Sendable`: one parser may serve any number of connections and threads. Its only state is a
/// bounded cache of id strings (`IDStringCache`), which never changes what a frame decodes to.
package struct MarketChannelParser: Sendable {
    /// Maximum JSON nesting accepted in a frame (market-channel events nest 3 levels).
    package let maxDepth: Int
    /// This parser's recent token and condition id strings (one allocation per asset, not per event).
    private let ids = IDStringCache()

    package init(maxDepth: Int = JSONParser.defaultMaxDepth) {
        self.maxDepth = min(max(maxDepth, 1), JSONParser.depthCeiling)
    }

    /// Parses one complete text frame.
    ///
    /// - Parameter receivedAtMs: when the frame arrived (ms since the epoch, the caller's clock).
    ///   Only recorded on the brief's legacy `price_change` form, whose frames often carry no
    ///   timestamp (`LegacyPriceChangeEvent.receivedAtMs`); wire timestamps are never replaced.
    package func parse(_ frame: UnsafeBufferPointer<UInt8>, receivedAtMs: Int64? = nil) -> ParseOutcome {
        // The common frames in one pass; anything it is not sure of goes through the tape.
        if maxDepth >= 4, !MarketChannelParser.isPong(frame),
           let events = ids.withCacheIfFree({ MarketFrameFastPath.decode(frame, ids: $0) }) {
            return ParseOutcome(events: events)
        }
        return parseWithTape(frame, receivedAtMs: receivedAtMs)
    }

    /// The full path alone (`FrameTape` + the event decoders): every frame the fast path leaves,
    /// and the reference the fast path is tested against.
    func parseWithTape(_ frame: UnsafeBufferPointer<UInt8>, receivedAtMs: Int64? = nil) -> ParseOutcome {
        var outcome = ParseOutcome()
        if MarketChannelParser.isPong(frame) {
            outcome.pong = true
            return outcome
        }
        let tape: FrameTape
        do {
            tape = try FrameTape(frame, maxDepth: maxDepth)
        } catch {
            outcome.skipMalformed("not JSON: \(error.message) at byte \(error.offset) (frame starts: \(MarketChannelParser.excerpt(frame)))")
            return outcome
        }
        guard let root = tape.token(0) else {
            outcome.skipMalformed("empty frame")
            return outcome
        }
        switch root.kind {
        case .object:
            outcome.add(tape.decodeEvent(0, receivedAtMs: receivedAtMs), at: nil)
        case .array:
            let elements = tape.elements(0)
            outcome.events.reserveCapacity(elements.count)
            for (position, element) in elements.enumerated() {
                if tape.token(element)?.kind == .object {
                    outcome.add(tape.decodeEvent(element, receivedAtMs: receivedAtMs), at: position)
                } else {
                    outcome.skipMalformed("frame[\(position)]: expected an event object, found \(tape.kindName(element))")
                }
            }
        default:
            outcome.skipMalformed("expected an event object or an array of them, found \(tape.kindName(0))")
        }
        return outcome
    }

    package func parse(_ frame: UnsafeRawBufferPointer, receivedAtMs: Int64? = nil) -> ParseOutcome {
        frame.withMemoryRebound(to: UInt8.self) { parse($0, receivedAtMs: receivedAtMs) }
    }

    package func parse(_ frame: [UInt8], receivedAtMs: Int64? = nil) -> ParseOutcome {
        frame.withUnsafeBufferPointer { parse($0, receivedAtMs: receivedAtMs) }
    }

    package func parse(_ frame: ArraySlice<UInt8>, receivedAtMs: Int64? = nil) -> ParseOutcome {
        frame.withUnsafeBufferPointer { parse($0, receivedAtMs: receivedAtMs) }
    }

    package func parse(_ frame: String, receivedAtMs: Int64? = nil) -> ParseOutcome {
        var copy = frame
        return copy.withUTF8 { parse($0, receivedAtMs: receivedAtMs) }
    }

    /// The text frame `PONG`, allowing surrounding ASCII whitespace.
    static func isPong(_ frame: UnsafeBufferPointer<UInt8>) -> Bool {
        if let first = frame.first, first != UInt8(ascii: "P"), !isSpace(first) { return false }   // every event frame
        var start = 0
        var end = frame.count
        while start < end, isSpace(frame[start]) { start += 1 }
        while end > start, isSpace(frame[end - 1]) { end -= 1 }
        guard end - start == 4 else { return false }
        return frame[start] == UInt8(ascii: "P") && frame[start + 1] == UInt8(ascii: "O")
            && frame[start + 2] == UInt8(ascii: "N") && frame[start + 3] == UInt8(ascii: "G")
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The first bytes of a frame for a skip reason: printable ASCII kept, anything else as '?'.
    static func excerpt(_ frame: UnsafeBufferPointer<UInt8>, limit: Int = 40) -> String {
        var text = ""
        for byte in frame.prefix(limit) {
            text.append(byte >= 0x20 && byte < 0x7F ? Character(Unicode.Scalar(byte)) : "?")
        }
        if frame.count > limit { text += "…" }
        return text
    }
}

extension ParseOutcome {
    mutating func add(_ decoded: FrameTape.DecodedEvent, at position: Int?) {
        switch decoded {
        case .event(let event):
            events.append(event)
        case .unknown(let type):
            unknownEventTypes += 1
            lastSkipReason = MarketChannelParser.located("unknown event_type \"\(type)\"", position)
        case .malformed(let reason):
            skipMalformed(MarketChannelParser.located(reason, position))
        }
    }

    mutating func skipMalformed(_ reason: String) {
        malformed += 1
        lastSkipReason = reason
    }
}

extension MarketChannelParser {
    static func located(_ reason: String, _ position: Int?) -> String {
        guard let position else { return reason }
        return "frame[\(position)]: " + reason
    }
}
