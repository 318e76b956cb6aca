/// Gamma market objects: camelCase keys; `clobTokenIds`, `outcomes` and `outcomePrices` are JSON
/// *inside strings*; tick size and minimum size are numbers; dates ISO-8601. The asset ids are
/// chosen by `version` (see `assetIDField` and docs/wire/gamma.md). Unknown fields are ignored.
extension WireDecoding {
    public static func gammaMarkets(_ body: JSONValue) throws -> [Market] {
        try rows(body, what: "Gamma markets").enumerated().map { index, row in
            try gammaMarket(row, what: "Gamma markets row \(index)")
        }
    }

    public static func gammaMarket(_ row: JSONValue, what: String) throws -> Market {
        let object = try object(row, what: what)
        let (version, idField) = try assetIDField(object, what: what)
        return try field(what) { () throws(JSONFieldError) -> Market in
            let conditionId = try object.requiredString("conditionId")
            let tokenIds: [String]
            if version == .v2 {
                tokenIds = try object.requiredEmbeddedStringArray(idField)
            } else {
                tokenIds = try object.optionalEmbeddedStringArray(idField) ?? []
            }
            for (index, tokenId) in tokenIds.enumerated() where !FieldCheck.isTokenID(tokenId.utf8) {
                throw JSONFieldError(field: "\(idField)[\(index)]", problem: .invalidTokenID(FieldCheck.tokenIDProblem(tokenId)))
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
                endDateMs: endDate.flatMap(ISO8601.milliseconds),
                protocolVersion: version)
        }
    }

    /// The market's protocol version and the field holding its asset ids:
    /// - `"v1"`: `clobTokenIds`; `"v2"`: `positionIds` (required) — by `version`, even when both
    ///   fields are present;
    /// - no `version` (copies from before it existed): v1, unless the row carries `positionIds`
    ///   — then which field holds the ids cannot be known and the row is refused;
    /// - any other `version`: refused. Every refusal is `.parse`, naming the row and the market.
    static func assetIDField(_ object: JSONObject, what: String) throws -> (MarketProtocolVersion, String) {
        let market = marketName(object)
        let text: String?
        do { text = try object.optionalString("version") } catch {
            throw PMError(.parse, "\(what) (\(market)): \(error)")
        }
        guard let text else {
            if let ids = object["positionIds"], !ids.isNull {
                throw PMError(.parse, "\(what) (\(market)): version: missing, but the market has positionIds — "
                              + "cannot tell whether its asset ids are positionIds (v2) or clobTokenIds (v1)")
            }
            return (.v1, "clobTokenIds")
        }
        switch MarketProtocolVersion(rawValue: text) {
        case .v1: return (.v1, "clobTokenIds")
        case .v2: return (.v2, "positionIds")
        case nil:
            throw PMError(.parse, "\(what) (\(market)): version: unknown protocol version \"\(ResponseExcerpt.truncated(text, limit: 40))\" "
                          + "(expected \"v1\" or \"v2\")")
        }
    }

    /// "market <id> <conditionId>" for error messages, from whatever of the two the row has.
    private static func marketName(_ object: JSONObject) -> String {
        let id = object["id"]?.stringValue ?? "?"
        let condition = object["conditionId"]?.stringValue ?? "?"
        return "market \(ResponseExcerpt.truncated(id, limit: 40)) \(ResponseExcerpt.truncated(condition, limit: 70))"
    }
}
