/// The CLOB's batch price answers (docs/wire/clob.md, "Batch prices"): `POST /prices`
/// `{"<token>":{"BUY":"0.5","SELL":"0.52"}}`, `POST /midpoints` `{"<token>":"0.51"}` and
/// `POST /last-trades-prices` `[{"token_id":…,"price":"0.5","side":"BUY"}]`. Prices are decimal
/// strings parsed exactly (a JSON number is rounded half-even to 1e-6); a token whose value is
/// missing, null or "" is left out, never read as zero.
extension WireDecoding {
    /// `POST /prices`: the `side` price of each token that has one.
    public static func clobPrices(_ body: JSONValue, side: TradeSide, what: String = "POST /prices") throws -> [String: Price] {
        let envelope = try object(body, what: what)
        var result: [String: Price] = [:]
        for member in envelope.members {
            let token = try priceKey(member.key, what: what)
            if member.value.isNull { continue }
            let sides = try object(member.value, what: "\(what) [\(token)]")
            if let price = try field("\(what) [\(token)]", { () throws(JSONFieldError) -> Price? in
                try sides.optionalPrice(side.rawValue)
            }) {
                result[token] = price
            }
        }
        return result
    }

    /// `POST /midpoints`: the midpoint of each token that has one.
    public static func clobMidpoints(_ body: JSONValue, what: String = "POST /midpoints") throws -> [String: Price] {
        let envelope = try object(body, what: what)
        var result: [String: Price] = [:]
        for member in envelope.members {
            let token = try priceKey(member.key, what: what)
            if member.value.isNull || member.value.stringValue == "" { continue }
            do {
                result[token] = try Price(json: member.value)
            } catch {
                throw PMError.decimal(error, field: "\(what) [\(token)]")
            }
        }
        return result
    }

    /// `POST /last-trades-prices`: the last trade of each token that has one.
    public static func clobLastTradePrices(_ body: JSONValue, what: String = "POST /last-trades-prices") throws -> [String: LastTradePrice] {
        guard let rows = body.arrayValue else {
            throw PMError(.parse, "\(what): expected a JSON array, found \(body.kindName)")
        }
        var result: [String: LastTradePrice] = [:]
        for (index, row) in rows.enumerated() {
            let rowWhat = "\(what) row \(index)"
            let object = try object(row, what: rowWhat)
            let (token, price, sideText) = try field(rowWhat) { () throws(JSONFieldError) -> (String, Price?, String?) in
                (try object.requiredTokenID("token_id"), try object.optionalPrice("price"), try object.optionalString("side"))
            }
            guard let price else { continue }
            var side: TradeSide?
            if let sideText, !sideText.isEmpty {
                guard let known = TradeSide(wire: sideText) else {
                    throw PMError(.parse, "\(rowWhat): side: expected BUY or SELL, found \(WireDecoding.excerpt(Array(sideText.utf8)))")
                }
                side = known
            }
            result[token] = LastTradePrice(price: price, side: side)
        }
        return result
    }

    private static func priceKey(_ key: String, what: String) throws -> String {
        guard FieldCheck.isTokenID(key.utf8) else { throw PMError(.parse, "\(what): key: \(FieldCheck.tokenIDProblem(key))") }
        return key
    }
}
