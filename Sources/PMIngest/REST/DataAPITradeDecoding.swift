/// Data API `GET /trades` rows: a bare array, float `price`/`size`, integer SECONDS `timestamp`
/// (docs/wire/data-api.md). Floats round half-even to 1e-6 from their literal digits; seconds
/// become milliseconds here, once, so every later age check compares like with like.
extension WireDecoding {
    public static func dataAPITrades(_ body: JSONValue) throws -> [PolymarketTrade] {
        try rows(body, what: "Data API trades").enumerated().map { index, row in
            try dataAPITrade(row, what: "Data API trades row \(index)")
        }
    }

    public static func dataAPITrade(_ row: JSONValue, what: String) throws -> PolymarketTrade {
        let object = try object(row, what: what)
        return try field(what) { () throws(JSONFieldError) -> PolymarketTradeFields in
            let sideText = try object.requiredString("side")
            guard let side = TradeSide(wire: sideText) else {
                throw JSONFieldError(field: "side", problem: .wrongType(expected: "BUY or SELL", found: "\"\(sideText)\""))
            }
            return PolymarketTradeFields(
                tokenId: try object.requiredTokenID("asset"), conditionId: try object.optionalString("conditionId"),
                side: side, price: try object.requiredPrice("price"), size: try object.requiredSize("size"),
                timestampSeconds: try object.requiredInt64("timestamp"),
                transactionHash: try object.optionalString("transactionHash"),
                proxyWallet: try object.optionalString("proxyWallet"), outcome: try object.optionalString("outcome"))
        }.trade(what: what)
    }
}

/// The raw fields of a Data API row, before model validation.
struct PolymarketTradeFields {
    let tokenId: String
    let conditionId: String?
    let side: TradeSide
    let price: Price
    let size: Size
    let timestampSeconds: Int64
    let transactionHash: String?
    let proxyWallet: String?
    let outcome: String?

    func trade(what: String) throws -> PolymarketTrade {
        // No EpochSeconds guard here: a recent-trades row stamped in the wrong unit lands far in the
        // future and TradeFetcher's future check drops it (counted apart from stale ones) while the
        // rest of the page is used; the history walks refuse such a page (EpochSeconds).
        let (ms, overflow) = timestampSeconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { throw PMError(.parse, "\(what): timestamp \(timestampSeconds) out of range") }
        do {
            return try PolymarketTrade(tokenId: tokenId, conditionId: conditionId, side: side, price: price, size: size,
                                       timestampMs: ms, transactionHash: transactionHash, proxyWallet: proxyWallet,
                                       outcome: outcome)
        } catch let error as PMError {
            throw PMError(.parse, "\(what): \(error.message)")
        }
    }
}
