/// Gamma `GET /markets` objects: camelCase keys; `clobTokenIds`, `outcomes` and `outcomePrices`
/// are JSON *inside strings*; tick size and minimum size are numbers; dates ISO-8601
/// (polymarket-api.md §1.1).
extension WireDecoding {
    public static func gammaMarkets(_ body: JSONValue) throws -> [Market] {
        try rows(body, what: "Gamma markets").enumerated().map { index, row in
            try gammaMarket(row, what: "Gamma markets row \(index)")
        }
    }

    public static func gammaMarket(_ row: JSONValue, what: String) throws -> Market {
        let object = try object(row, what: what)
        return try field(what) { () throws(JSONFieldError) -> Market in
            let conditionId = try object.requiredString("conditionId")
            let tokenIds = try object.optionalEmbeddedStringArray("clobTokenIds") ?? []
            for (index, tokenId) in tokenIds.enumerated() where !FieldCheck.isTokenID(tokenId.utf8) {
                throw JSONFieldError(field: "clobTokenIds[\(index)]", problem: .invalidTokenID(FieldCheck.tokenIDProblem(tokenId)))
            }
            let outcomes = try object.optionalEmbeddedStringArray("outcomes") ?? []
            let prices = try object.optionalEmbeddedStringArray("outcomePrices") ?? []
            var tokens: [Market.Token] = []
            for (index, tokenId) in tokenIds.enumerated() {
                // Indicative only, and Gamma sends float noise ("0.5149999999999999"): round
                // half-even like any JSON number; an unreadable one is absent, not an error.
                let priceText = index < prices.count ? prices[index] : ""
                let price = JSONNumber(priceText).flatMap { try? Price(jsonNumber: $0) }
                tokens.append(Market.Token(tokenId: tokenId, outcome: index < outcomes.count ? outcomes[index] : nil, price: price))
            }
            let endDate = try object.optionalString("endDate")
            return Market(
                id: try object.optionalString("id") ?? "",
                conditionId: conditionId,
                question: try object.optionalString("question"),
                slug: try object.optionalString("slug"),
                tokens: tokens,
                active: try object.optionalBool("active") ?? false,
                closed: try object.optionalBool("closed") ?? false,
                archived: try object.optionalBool("archived") ?? false,
                acceptingOrders: try object.optionalBool("acceptingOrders") ?? false,
                enableOrderBook: try object.optionalBool("enableOrderBook") ?? false,
                negRisk: try object.optionalBool("negRisk") ?? false,
                tickSize: try object.optionalPrice("orderPriceMinTickSize"),
                minOrderSize: try object.optionalSize("orderMinSize"),
                endDateMs: endDate.flatMap(ISO8601.milliseconds))
        }
    }
}
