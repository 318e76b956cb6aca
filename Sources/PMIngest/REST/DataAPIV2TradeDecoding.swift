/// Data API `GET /v2/trades` pages (docs/wire/data-api.md): an envelope
/// `{"data":[…],"pagination":{"has_more":…,"next_cursor":…}}` of snake_case rows with float
/// `price`/`size` (rounded half-even to 1e-6 from their literal digits, never through Double) and
/// integer SECONDS `timestamp`, converted to milliseconds here once.
///
/// Combo (multi-leg) rows — a `condition_id` of 62 hex digits instead of 64 — belong to no single
/// market: they are skipped deliberately and counted (`TradeTapePage.combos`), never stored as a
/// trade of the market whose feed carried them.
extension WireDecoding {
    public static func dataAPIV2TradePage(_ body: JSONValue, what: String = "GET /v2/trades") throws -> TradeTapePage {
        let envelope = try object(body, what: what)
        let (rows, hasMore, cursor) = try field(what) { () throws(JSONFieldError) -> ([JSONValue], Bool, String?) in
            let rows = try envelope.requiredArray("data")
            let pagination = try envelope.optionalObject("pagination")
            let hasMore = try pagination?.optionalBool("has_more") ?? false
            let cursor = FieldCheck.nonEmpty(try pagination?.optionalString("next_cursor"))
            return (rows, hasMore, cursor)
        }
        var trades: [PolymarketTrade] = []
        trades.reserveCapacity(rows.count)
        var combos = 0
        var oldest: Int64?
        for (index, row) in rows.enumerated() {
            let rowWhat = "\(what) row \(index)"
            let object = try object(row, what: rowWhat)
            let seconds = try field(rowWhat) { () throws(JSONFieldError) -> Int64 in try object.requiredInt64("timestamp") }
            _ = try EpochSeconds.milliseconds(seconds, what: rowWhat)  // combo rows too: they move the walk
            if let current = oldest { oldest = min(current, seconds) } else { oldest = seconds }
            if try field(rowWhat, { () throws(JSONFieldError) -> Bool in isCombo(try object.optionalString("condition_id")) }) {
                combos += 1
                continue
            }
            trades.append(try dataAPIV2Trade(object, timestampSeconds: seconds, what: rowWhat))
        }
        let oldestMs = try oldest.map { try EpochSeconds.milliseconds($0, what: what) }
        return TradeTapePage(trades: trades, combos: combos, rows: rows.count, oldestTimestampMs: oldestMs,
                             hasMore: hasMore, nextCursor: cursor)
    }

    static func dataAPIV2Trade(_ object: JSONObject, timestampSeconds: Int64, what: String) throws -> PolymarketTrade {
        try field(what) { () throws(JSONFieldError) -> PolymarketTradeFields in
            let sideText = try object.requiredString("side")
            guard let side = TradeSide(wire: sideText) else {
                throw JSONFieldError(field: "side", problem: .wrongType(expected: "BUY or SELL", found: "\"\(sideText)\""))
            }
            return PolymarketTradeFields(
                tokenId: try object.requiredTokenID("token_id"), conditionId: try object.optionalString("condition_id"),
                side: side, price: try object.requiredPrice("price"), size: try object.requiredSize("size"),
                timestampSeconds: timestampSeconds, transactionHash: try object.optionalString("transaction_hash"),
                proxyWallet: try object.optionalString("proxy_wallet"), outcome: try object.optionalString("outcome"))
        }.trade(what: what)
    }

    /// A combo (multi-leg) trade's condition id: "0x" and 62 hex digits (a market's has 64).
    static func isCombo(_ conditionId: String?) -> Bool {
        guard let conditionId else { return false }
        let bytes = Array(conditionId.utf8)
        guard bytes.count == 64, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X") else {
            return false
        }
        return bytes.dropFirst(2).allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }
    }
}

/// One page of the v2 trade tape, newest first.
public struct TradeTapePage: Sendable, Equatable {
    /// The market trades of the page (combo rows left out), in wire order.
    public let trades: [PolymarketTrade]
    /// Combo (multi-leg) rows skipped.
    public let combos: Int
    /// Rows on the page, combos included.
    public let rows: Int
    /// The oldest row timestamp on the page (combos included), ms; nil for an empty page.
    public let oldestTimestampMs: Int64?
    public let hasMore: Bool
    /// The cursor of the next page; nil when absent or empty.
    public let nextCursor: String?
}
