/// The market channel's common frames decoded in one pass over the bytes: no token tape, no
/// per-field lookups, no intermediate strings. `price_change` (current schema), `last_trade_price`
/// and `book`, as one object or an array of them, whose strings are plain ASCII (`JSONCursor`).
///
/// It returns the events only when it is sure they are exactly what the full path
/// (`FrameTape` + `MarketEventDecoding`) would return, and nil otherwise — for any other event
/// type, a repeated key, an escape, a non-ASCII byte, a nested value where a scalar is expected, a
/// JSON number for a decimal, a missing required field, a malformed value, invalid JSON. The parser
/// then runs the full path on the frame, which decodes it or says precisely what is wrong. So this
/// file holds no error messages and refuses freely; the fuzz properties and the parser tests hold
/// it to the full path's results on every input.
struct MarketFrameFastPath {
    private var cursor: JSONCursor
    /// Where token and condition id strings come from when given (see `IDStringCache`).
    private let ids: IDStringCache?

    /// The events of `frame`, or nil when the full path must decide. Needs `maxDepth >= 4`
    /// (array frame → event → levels → level); the caller checks.
    static func decode(_ frame: UnsafeBufferPointer<UInt8>, ids: IDStringCache? = nil) -> [StreamEvent]? {
        guard let cursor = JSONCursor(frame) else { return nil }
        var fast = MarketFrameFastPath(cursor: cursor, ids: ids)
        return fast.frame()
    }

    private mutating func frame() -> [StreamEvent]? {
        cursor.skipWhitespace()
        var events: [StreamEvent] = []
        switch cursor.peek {
        case UInt8(ascii: "{"):
            guard let event = event() else { return nil }
            events.append(event)
        case UInt8(ascii: "["):
            cursor.position += 1
            if cursor.consume(UInt8(ascii: "]")) { break }
            while true {
                cursor.skipWhitespace()
                guard cursor.peek == UInt8(ascii: "{"), let event = event() else { return nil }
                events.append(event)
                guard let more = cursor.nextMember(close: UInt8(ascii: "]")) else { return nil }
                if !more { break }
            }
        default:
            return nil
        }
        cursor.skipWhitespace()
        guard cursor.position == cursor.end else { return nil }   // trailing data
        return events
    }

    // MARK: scalar slots

    /// One scanned member value.
    struct Value {
        enum Kind: UInt8 { case absent, string, number, bool, null }
        var kind: Kind = .absent
        var flag = false
        var span: Range<Int> = 0..<0

        /// Absent, null or `""`: what the full path's `present` treats as missing.
        @inline(__always)
        var isMissing: Bool {
            kind == .absent || kind == .null || (kind == .string && span.isEmpty)
        }
    }

    /// Scans a scalar member value into `slot`; false for a repeated key or a non-scalar value.
    @inline(__always)
    private mutating func scalar(into slot: inout Value) -> Bool {
        guard slot.kind == .absent else { return false }   // a repeated key: the full path's rules
        guard let byte = cursor.peek else { return false }
        switch byte {
        case UInt8(ascii: "\""):
            guard let span = cursor.plainString() else { return false }
            slot = Value(kind: .string, span: span)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let span = cursor.number() else { return false }
            slot = Value(kind: .number, span: span)
        default:
            guard let literal = cursor.literal() else { return false }
            slot = literal < 0 ? Value(kind: .null) : Value(kind: .bool, flag: literal == 1)
        }
        return true
    }

    /// Starts an object member: after `{` or `,`, reads `"key":` and returns the key's span.
    @inline(__always)
    private mutating func key() -> Range<Int>? {
        cursor.skipWhitespace()
        guard let span = cursor.plainString(), cursor.consume(UInt8(ascii: ":")) else { return nil }
        cursor.skipWhitespace()
        return span
    }

    // MARK: events

    private struct EventFields {
        var eventType = Value(), assetID = Value(), market = Value(), timestamp = Value(), hash = Value()
        var price = Value(), size = Value(), side = Value(), feeRateBps = Value(), transactionHash = Value()
        var tickSize = Value(), minOrderSize = Value(), negRisk = Value(), lastTradePrice = Value()
        var changes: [LevelChange]?, changesSeen = false
        var bids: [OrderBookLevel]?, bidsSeen = false
        var asks: [OrderBookLevel]?, asksSeen = false
    }

    /// One event object at the cursor (`{`).
    private mutating func event() -> StreamEvent? {
        cursor.position += 1
        var f = EventFields()
        if !cursor.consume(UInt8(ascii: "}")) {
            while true {
                guard let name = key() else { return nil }
                // A key of a length the decoders never read: (0, 0) matches no case below.
                let words = cursor.keyWords(name) ?? (0, 0)
                let ok: Bool
                switch (name.count, words.0, words.1) {
                case (10, 0x7974_5F74_6E65_7665, 0x6570_7974_5F74_6E65): ok = scalar(into: &f.eventType)
                case (8, 0x6469_5F74_6573_7361, _): ok = scalar(into: &f.assetID)
                case (6, 0x7465_6B72_6B72_616D, _): ok = scalar(into: &f.market)
                case (9, 0x6D61_7473_656D_6974, 0x706D_6174_7365_6D69): ok = scalar(into: &f.timestamp)
                case (4, 0x6873_6168_6873_6168, _): ok = scalar(into: &f.hash)
                case (5, 0x6563_6972_6369_7270, _): ok = scalar(into: &f.price)
                case (4, 0x657A_6973_657A_6973, _): ok = scalar(into: &f.size)
                case (4, 0x6564_6973_6564_6973, _): ok = scalar(into: &f.side)
                case (12, 0x6574_6172_5F65_6566, 0x7370_625F_6574_6172): ok = scalar(into: &f.feeRateBps)
                case (16, 0x7463_6173_6E61_7274, 0x6873_6168_5F6E_6F69): ok = scalar(into: &f.transactionHash)
                case (9, 0x7A69_735F_6B63_6974, 0x657A_6973_5F6B_6369): ok = scalar(into: &f.tickSize)
                case (14, 0x6564_726F_5F6E_696D, 0x657A_6973_5F72_6564): ok = scalar(into: &f.minOrderSize)
                case (8, 0x6B73_6972_5F67_656E, _): ok = scalar(into: &f.negRisk)
                case (16, 0x6172_745F_7473_616C, 0x6563_6972_705F_6564): ok = scalar(into: &f.lastTradePrice)
                case (13, 0x6863_5F65_6369_7270, 0x7365_676E_6168_635F):
                    guard !f.changesSeen else { return nil }
                    f.changesSeen = true
                    if cursor.peek == UInt8(ascii: "[") {
                        guard let items = changes() else { return nil }
                        f.changes = items
                        ok = true
                    } else {
                        ok = cursor.literal() == -1   // null: as absent
                    }
                case (4, 0x7364_6962_7364_6962, _):
                    guard !f.bidsSeen else { return nil }
                    f.bidsSeen = true
                    if cursor.peek == UInt8(ascii: "[") {
                        guard let items = levels() else { return nil }
                        f.bids = items
                        ok = true
                    } else {
                        ok = cursor.literal() == -1   // null: as absent
                    }
                case (4, 0x736B_7361_736B_7361, _):
                    guard !f.asksSeen else { return nil }
                    f.asksSeen = true
                    if cursor.peek == UInt8(ascii: "[") {
                        guard let items = levels() else { return nil }
                        f.asks = items
                        ok = true
                    } else {
                        ok = cursor.literal() == -1   // null: as absent
                    }
                default:
                    ok = skipUnknownMember()
                }
                guard ok, let more = cursor.nextMember(close: UInt8(ascii: "}")) else { return nil }
                if !more { break }
            }
        }
        guard f.eventType.kind == .string else { return nil }   // absent, null (then "type"), or not a string
        let type = cursor.bytes(f.eventType.span)
        if MarketFrameFastPath.equals(type, "price_change") { return priceChange(f) }
        if MarketFrameFastPath.equals(type, "last_trade_price") { return lastTrade(f) }
        if MarketFrameFastPath.equals(type, "book") { return book(f) }
        return nil
    }

    /// A member the decoders ignore: any scalar is skipped; a container sends the frame to the full path.
    @inline(__always)
    private mutating func skipUnknownMember() -> Bool { cursor.skipScalar() }

    /// The entries of `price_changes` after its `[`, through its `]`.
    private mutating func changes() -> [LevelChange]? {
        cursor.position += 1   // "["
        var result: [LevelChange] = []
        if cursor.consume(UInt8(ascii: "]")) { return result }
        result.reserveCapacity(4)
        while true {
            guard cursor.consume(UInt8(ascii: "{")) else { return nil }
            var assetID = Value(), price = Value(), size = Value(), side = Value(), hash = Value()
            var bestBid = Value(), bestAsk = Value()
            if !cursor.consume(UInt8(ascii: "}")) {
                while true {
                    guard let name = key() else { return nil }
                    let ok: Bool
                    if let words = cursor.keyWords(name) {
                        switch (name.count, words.0) {
                        case (8, 0x6469_5F74_6573_7361): ok = scalar(into: &assetID)
                        case (5, 0x6563_6972_6369_7270): ok = scalar(into: &price)
                        case (4, 0x657A_6973_657A_6973): ok = scalar(into: &size)
                        case (4, 0x6564_6973_6564_6973): ok = scalar(into: &side)
                        case (4, 0x6873_6168_6873_6168): ok = scalar(into: &hash)
                        case (8, 0x6469_625F_7473_6562): ok = scalar(into: &bestBid)
                        case (8, 0x6B73_615F_7473_6562): ok = scalar(into: &bestAsk)
                        default: ok = cursor.skipScalar()
                        }
                    } else {
                        ok = cursor.skipScalar()
                    }
                    guard ok, let more = cursor.nextMember(close: UInt8(ascii: "}")) else { return nil }
                    if !more { break }
                }
            }
            guard let tokenId = tokenID(assetID), let side = self.side(side),
                  let price = requiredMicros(price), let size = requiredMicros(size),
                  let bestBid = optionalMicros(bestBid), let bestAsk = optionalMicros(bestAsk),
                  let hash = optionalString(hash)
            else { return nil }
            result.append(LevelChange(tokenId: tokenId, side: side, price: Price(micros: price), size: Size(micros: size),
                                      bestBid: bestBid.map(Price.init(micros:)), bestAsk: bestAsk.map(Price.init(micros:)),
                                      hash: hash))
            guard let more = cursor.nextMember(close: UInt8(ascii: "]")) else { return nil }
            if !more { return result }
        }
    }

    /// The `{price,size}` rows of `bids`/`asks` after its `[`, through its `]`.
    private mutating func levels() -> [OrderBookLevel]? {
        cursor.position += 1   // "["
        var result: [OrderBookLevel] = []
        if cursor.consume(UInt8(ascii: "]")) { return result }
        result.reserveCapacity(32)
        while true {
            guard cursor.consume(UInt8(ascii: "{")) else { return nil }
            var price = Value(), size = Value()
            if !cursor.consume(UInt8(ascii: "}")) {
                while true {
                    guard let name = key() else { return nil }
                    let ok: Bool
                    if let words = cursor.keyWords(name) {
                        switch (name.count, words.0) {
                        case (5, 0x6563_6972_6369_7270): ok = scalar(into: &price)
                        case (4, 0x657A_6973_657A_6973): ok = scalar(into: &size)
                        default: ok = cursor.skipScalar()
                        }
                    } else {
                        ok = cursor.skipScalar()
                    }
                    guard ok, let more = cursor.nextMember(close: UInt8(ascii: "}")) else { return nil }
                    if !more { break }
                }
            }
            guard let price = requiredMicros(price), let size = requiredMicros(size) else { return nil }
            result.append(OrderBookLevel(price: Price(micros: price), size: Size(micros: size)))
            guard let more = cursor.nextMember(close: UInt8(ascii: "]")) else { return nil }
            if !more { return result }
        }
    }

    private func priceChange(_ f: EventFields) -> StreamEvent? {
        // No `price_changes` (or null): the legacy forms, which the full path decodes.
        guard let changes = f.changes, let timestampMs = requiredInt64(f.timestamp),
              let conditionId = optionalID(f.market)
        else { return nil }
        return .priceChange(PriceChangeEvent(conditionId: conditionId, timestampMs: timestampMs, changes: changes))
    }

    private func lastTrade(_ f: EventFields) -> StreamEvent? {
        guard let tokenId = tokenID(f.assetID), let conditionId = optionalID(f.market),
              let price = requiredMicros(f.price), let size = optionalMicros(f.size), let side = optionalSide(f.side),
              let feeRateBps = optionalIdentifier(f.feeRateBps), let timestampMs = requiredInt64(f.timestamp),
              let transactionHash = optionalString(f.transactionHash)
        else { return nil }
        return .lastTradePrice(LastTradeEvent(
            tokenId: tokenId, conditionId: conditionId, price: Price(micros: price), size: size.map(Size.init(micros:)),
            side: side, feeRateBps: feeRateBps, timestampMs: timestampMs, transactionHash: transactionHash))
    }

    private func book(_ f: EventFields) -> StreamEvent? {
        guard let tokenId = tokenID(f.assetID), let conditionId = optionalID(f.market),
              let timestampMs = optionalInt64(f.timestamp), let hash = optionalString(f.hash),
              let tickSize = optionalMicros(f.tickSize), let minOrderSize = optionalMicros(f.minOrderSize),
              let negRisk = optionalBool(f.negRisk), let lastTradePrice = optionalMicros(f.lastTradePrice)
        else { return nil }
        return .book(OrderBook(
            tokenId: tokenId, conditionId: conditionId, timestampMs: timestampMs, hash: hash,
            bids: f.bids ?? [], asks: f.asks ?? [], tickSize: tickSize.map(Price.init(micros:)),
            minOrderSize: minOrderSize.map(Size.init(micros:)), negRisk: negRisk,
            lastTradePrice: lastTradePrice.map(Price.init(micros:))))
    }

    // MARK: typed values, with the full path's conventions (FrameTape+Fields.swift)
    // Each returns nil for "the full path decides"; an optional's absence is `.some(nil)`.

    /// A token id: a plain string of 1...78 digits.
    @inline(__always)
    private func tokenID(_ value: Value) -> String? {
        guard value.kind == .string else { return nil }
        let content = cursor.bytes(value.span)
        guard let base = content.baseAddress, content.count > 0, content.count <= FieldCheck.tokenIDMaxDigits,
              PlainByteScan.allDigits(base, count: content.count)
        else { return nil }
        return ids?.string(content) ?? String(decoding: content, as: UTF8.self)
    }

    /// `market`: an optional string, shared through the id cache.
    @inline(__always)
    private func optionalID(_ value: Value) -> String?? {
        if value.isMissing { return .some(nil) }
        guard value.kind == .string else { return nil }
        let content = cursor.bytes(value.span)
        return .some(ids?.string(content) ?? String(decoding: content, as: UTF8.self))
    }

    @inline(__always)
    private func optionalString(_ value: Value) -> String?? {
        if value.isMissing { return .some(nil) }
        guard value.kind == .string else { return nil }
        return .some(String(decoding: cursor.bytes(value.span), as: UTF8.self))
    }

    /// A string, or a number's literal text (`optionalIdentifier`).
    @inline(__always)
    private func optionalIdentifier(_ value: Value) -> String?? {
        if value.isMissing { return .some(nil) }
        guard value.kind == .string || value.kind == .number else { return nil }
        return .some(String(decoding: cursor.bytes(value.span), as: UTF8.self))
    }

    @inline(__always)
    private func requiredMicros(_ value: Value) -> Int64? {
        guard value.kind == .string else { return nil }
        return MarketFrameFastPath.micros(cursor.bytes(value.span))
    }

    @inline(__always)
    private func optionalMicros(_ value: Value) -> Int64?? {
        if value.isMissing { return .some(nil) }
        guard value.kind == .string, let micros = MarketFrameFastPath.micros(cursor.bytes(value.span)) else { return nil }
        return .some(micros)
    }

    /// A timestamp: a string or number of plain digits (anything else: the full path's `JSONNumber` rules).
    @inline(__always)
    private func requiredInt64(_ value: Value) -> Int64? {
        guard value.kind == .string || value.kind == .number else { return nil }
        return FrameTape.plainDigits(cursor.bytes(value.span))
    }

    @inline(__always)
    private func optionalInt64(_ value: Value) -> Int64?? {
        if value.isMissing { return .some(nil) }
        guard let int = requiredInt64(value) else { return nil }
        return .some(int)
    }

    @inline(__always)
    private func optionalBool(_ value: Value) -> Bool?? {
        if value.isMissing { return .some(nil) }
        guard value.kind == .bool else { return nil }
        return .some(value.flag)
    }

    @inline(__always)
    private func side(_ value: Value) -> TradeSide? {
        guard value.kind == .string else { return nil }
        let content = cursor.bytes(value.span)
        if FrameTape.equalsIgnoringCase(content, "BUY") { return .buy }
        if FrameTape.equalsIgnoringCase(content, "SELL") { return .sell }
        return nil
    }

    @inline(__always)
    private func optionalSide(_ value: Value) -> TradeSide?? {
        if value.isMissing { return .some(nil) }
        guard let side = side(value) else { return nil }
        return .some(side)
    }

    /// `DecimalParse.micros`'s grammar and value (digits, one optional ".", at most six fraction
    /// digits, at least one digit), for the values that fit comfortably; nil for anything else,
    /// including every text `DecimalParse` refuses.
    @inline(__always)
    static func micros(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        let count = text.count
        guard count > 0, count <= 24, let base = text.baseAddress else { return nil }
        var i = 0
        var integer: Int64 = 0
        while i < count {
            let digit = base[i] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            guard i < 12 else { return nil }   // ≥ 10^12 units: leave the range checks to DecimalParse
            integer = integer &* 10 &+ Int64(digit)
            i += 1
        }
        let integerDigits = i
        var fraction: Int64 = 0
        var fractionDigits = 0
        if i < count {
            guard base[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            while i < count {
                let digit = base[i] &- UInt8(ascii: "0")
                guard digit < 10, fractionDigits < FixedDecimal.fractionDigits else { return nil }
                fraction = fraction &* 10 &+ Int64(digit)
                fractionDigits += 1
                i += 1
            }
        }
        guard integerDigits + fractionDigits > 0 else { return nil }
        while fractionDigits < FixedDecimal.fractionDigits {
            fraction = fraction &* 10
            fractionDigits += 1
        }
        return integer &* FixedDecimal.scale &+ fraction   // < 10^12 × 10^6 + 10^6: no overflow
    }

    @inline(__always)
    static func equals(_ content: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { expected in
            guard expected.count == content.count else { return false }
            var k = 0
            while k < expected.count {
                if content[k] != expected[k] { return false }
                k += 1
            }
            return true
        }
    }
}
