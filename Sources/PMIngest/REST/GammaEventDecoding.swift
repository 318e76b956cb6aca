/// Gamma event objects (`/events`, `/events/keyset`): camelCase keys, `markets` an array of market
/// objects (docs/wire/gamma.md). Unknown fields are ignored.
extension WireDecoding {
    public static func gammaEvents(_ body: JSONValue) throws -> [GammaEvent] {
        try rows(body, what: "Gamma events").enumerated().map { index, row in
            try gammaEvent(row, what: "Gamma events row \(index)")
        }
    }

    public static func gammaEvent(_ row: JSONValue, what: String) throws -> GammaEvent {
        let object = try object(row, what: what)
        let (id, slug, title, active, closed, rows) = try field(what) {
            () throws(JSONFieldError) -> (String, String?, String?, Bool, Bool, [JSONValue]) in
            (try object.requiredString("id"), try object.optionalString("slug"), try object.optionalString("title"),
             try object.optionalBool("active") ?? false, try object.optionalBool("closed") ?? false,
             try object.optionalArray("markets") ?? [])
        }
        let markets = try rows.enumerated().map { index, market in
            try gammaMarket(market, what: "\(what) (event \(ResponseExcerpt.truncated(id, limit: 40))) markets[\(index)]")
        }
        return GammaEvent(id: id, slug: slug, title: title, active: active, closed: closed, markets: markets)
    }
}
