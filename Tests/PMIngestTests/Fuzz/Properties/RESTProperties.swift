@_spi(PMIngestTools) @testable import PMIngest

/// The REST decoders (docs/wire-format.md, docs/wire/): each input is one response body.
extension FuzzProperty {
    /// fuzz-book: CLOB `GET /book` and `POST /books` bodies through `WireDecoding.clobBook(s)`.
    /// - The token tape accepts exactly the documents `JSONParser` accepts.
    /// - A decoded book matches the body field by field (`bookProblem`); a refused body gives a
    ///   `.parse`/`.bookInvalid` error with a message, never another error type.
    public static func book(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        var violations = Violations()
        func shown() -> String { fuzzExcerpt(input) }   // only built for a message
        let tree = try? JSONParser().parse(input)
        let tapeAccepts = (try? FrameTape(input, maxDepth: JSONParser.defaultMaxDepth)) != nil
        violations.check(tapeAccepts == (tree != nil),
                         "FrameTape \(tapeAccepts ? "accepted" : "refused") what JSONParser \(tree != nil ? "accepted" : "refused"): \(shown())")
        let body = Array(input)
        do {
            let book = try WireDecoding.clobBook(body: body, what: "fuzz")
            if case .object(let object)? = tree {
                if let problem = bookProblem(book, object) { violations.fail("clobBook: \(problem) in \(shown())") }
            } else {
                violations.fail("clobBook decoded a body that is not a JSON object: \(shown())")
            }
        } catch {
            if let problem = refusalProblem(error, "clobBook") { violations.fail(problem) }
        }
        // POST /books only for arrays: on anything else it fails as clobBook did (same tape, same
        // error path), and running the excerpt twice would halve the executions per second.
        if case .array? = tree {} else { return violations.first }
        do {
            let books = try WireDecoding.clobBooks(body: body, what: "fuzz")
            if case .array(let rows)? = tree {
                let objects = rows.compactMap(\.objectValue)
                let nulls = rows.filter(\.isNull).count
                violations.check(objects.count + nulls == rows.count && books.count == objects.count,
                                 "clobBooks: \(books.count) books from \(rows.count) rows (\(nulls) null) in \(shown())")
                for (index, (book, object)) in zip(books, objects).enumerated() {
                    if let problem = bookProblem(book, object) { violations.fail("clobBooks row \(index): \(problem) in \(shown())") }
                }
            } else {
                violations.fail("clobBooks decoded a body that is not a JSON array: \(shown())")
            }
        } catch {
            if let problem = refusalProblem(error, "clobBooks") { violations.fail(problem) }
        }
        return violations.first
    }

    /// fuzz-trades: Data API `GET /trades` bodies through `parseBody` + `dataAPITrades`.
    /// Every row of an accepted body becomes one trade matching it: price and size as the
    /// reference rounds them (never negative), seconds × 1000, a valid token id, a 64-hex id.
    public static func trades(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        var violations = Violations()
        func shown() -> String { fuzzExcerpt(input) }   // only built for a message
        guard let tree = parsedBody(input, &violations) else { return violations.first }
        do {
            let trades = try WireDecoding.dataAPITrades(tree)
            guard case .array(let rows) = tree, rows.count == trades.count else {
                return "dataAPITrades: \(trades.count) trades from a body that is not an array of as many rows: \(shown())"
            }
            for (index, (trade, row)) in zip(trades, rows).enumerated() {
                guard case .object(let object) = row else { return "dataAPITrades row \(index) is not an object: \(shown())" }
                if let problem = tradeProblem(trade, object) { violations.fail("dataAPITrades row \(index): \(problem) in \(shown())") }
            }
        } catch {
            if let problem = refusalProblem(error, "dataAPITrades") { violations.fail(problem) }
        }
        return violations.first
    }

    /// fuzz-markets: Gamma `GET /markets` bodies through `parseBody` + `gammaMarkets`.
    /// Every row becomes one market: condition id, tokens from the embedded `clobTokenIds` with
    /// their outcomes and rounded non-negative prices, tick and minimum size as the reference
    /// reads them, and an end date that survives an ISO-8601 round trip.
    public static func markets(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        var violations = Violations()
        func shown() -> String { fuzzExcerpt(input) }   // only built for a message
        guard let tree = parsedBody(input, &violations) else { return violations.first }
        do {
            let markets = try WireDecoding.gammaMarkets(tree)
            guard case .array(let rows) = tree, rows.count == markets.count else {
                return "gammaMarkets: \(markets.count) markets from a body that is not an array of as many rows: \(shown())"
            }
            for (index, (market, row)) in zip(markets, rows).enumerated() {
                guard case .object(let object) = row else { return "gammaMarkets row \(index) is not an object: \(shown())" }
                if let problem = marketProblem(market, object) { violations.fail("gammaMarkets row \(index): \(problem) in \(shown())") }
            }
        } catch {
            if let problem = refusalProblem(error, "gammaMarkets") { violations.fail(problem) }
        }
        return violations.first
    }

    // MARK: shared checks

    /// The tree of a body `JSONParser` accepts; otherwise checks that `parseBody` refuses it the
    /// way the client reports it (`.parse`, with an excerpt) and returns nil.
    static func parsedBody(_ input: UnsafeBufferPointer<UInt8>, _ violations: inout Violations) -> JSONValue? {
        if let tree = try? JSONParser().parse(input) { return tree }
        do {
            _ = try WireDecoding.parseBody(Array(input), what: "fuzz")
            violations.fail("parseBody accepted what JSONParser refused: \(fuzzExcerpt(input))")
        } catch {
            if let problem = refusalProblem(error, "parseBody") { violations.fail(problem) }
        }
        return nil
    }

    /// nil when `error` is a decoder's refusal as documented (a PMError of a parse kind with a message).
    static func refusalProblem(_ error: any Error, _ what: String) -> String? {
        guard let error = error as? PMError else { return "\(what) threw a \(type(of: error)), not a PMError: \(error)" }
        guard error.kind.isDecodingRefusal, !error.message.isEmpty else {
            return "\(what) refused with kind \(error.kind) \"\(error.message)\""
        }
        return nil
    }

    /// An order book (REST summary or stream `book` event) against its JSON object.
    static func bookProblem(_ book: OrderBook, _ object: JSONObject) -> String? {
        typealias F = FieldReference
        var violations = Violations()
        violations.check(!book.tokenId.isEmpty, "empty asset_id accepted")
        if let problem = F.textMismatch("asset_id", book.tokenId, F.string(object["asset_id"])) { violations.fail(problem) }
        if let problem = F.textMismatch("market", book.conditionId, F.string(object["market"])) { violations.fail(problem) }
        if let problem = F.textMismatch("hash", book.hash, F.string(object["hash"])) { violations.fail(problem) }
        if let problem = F.mismatch("timestamp", book.timestampMs, F.int64(object["timestamp"])) { violations.fail(problem) }
        if let problem = F.mismatch("tick_size", book.tickSize?.micros, F.micros(object["tick_size"])) { violations.fail(problem) }
        if let problem = F.mismatch("min_order_size", book.minOrderSize?.micros, F.micros(object["min_order_size"])) { violations.fail(problem) }
        if let problem = F.mismatch("last_trade_price", book.lastTradePrice?.micros, F.micros(object["last_trade_price"])) { violations.fail(problem) }
        if let problem = F.mismatch("neg_risk", book.negRisk, F.bool(object["neg_risk"])) { violations.fail(problem) }
        violations.check(zip(book.bids, book.bids.dropFirst()).allSatisfy { $0.price >= $1.price }, "bids not best (highest) first")
        violations.check(zip(book.asks, book.asks.dropFirst()).allSatisfy { $0.price <= $1.price }, "asks not best (lowest) first")
        for (side, levels) in [("bids", book.bids), ("asks", book.asks)] {
            let decoded = levels.map { [$0.price.micros, $0.size.micros] }.sorted { $0.lexicographicallyPrecedes($1) }
            var expected: [[Int64]] = []
            switch object[side] {
            case nil, .null?: break
            case .array(let rows)?:
                for row in rows {
                    guard case .value(let price) = F.micros(row["price"]), case .value(let size) = F.micros(row["size"]) else {
                        violations.fail("\(side): decoded although the reference refuses level \(row)")
                        break
                    }
                    if size > 0 { expected.append([price, size]) }   // OrderBook leaves size-0 levels out
                }
            default:
                violations.fail("\(side): decoded although it is a \(object[side]?.kindName ?? "?")")
            }
            expected.sort { $0.lexicographicallyPrecedes($1) }
            violations.check(decoded == expected, "\(side): decoded levels \(decoded), reference \(expected)")
        }
        return violations.first
    }

    static func tradeProblem(_ trade: PolymarketTrade, _ object: JSONObject) -> String? {
        typealias F = FieldReference
        var violations = Violations()
        let tokenBytes = Array(trade.tokenId.utf8)
        violations.check(!tokenBytes.isEmpty && tokenBytes.count <= 256 && tokenBytes.allSatisfy { $0 > 0x20 && $0 < 0x7F },
                         "token id \"\(fuzzExcerpt(trade.tokenId))\" is not a printable ASCII identifier")
        if let problem = F.textMismatch("asset", trade.tokenId, F.string(object["asset"])) { violations.fail(problem) }
        if let problem = F.mismatch("side", trade.side, F.side(object["side"])) { violations.fail(problem) }
        if let problem = F.mismatch("price", trade.price.micros, F.micros(object["price"])) { violations.fail(problem) }
        if let problem = F.mismatch("size", trade.size.micros, F.micros(object["size"])) { violations.fail(problem) }
        let seconds = F.int64(object["timestamp"])
        violations.check(trade.timestampMs > 0 && seconds == .value(trade.timestampMs / 1000) && trade.timestampMs % 1000 == 0,
                         "timestamp: \(trade.timestampMs) ms from \(seconds) s")
        if let problem = F.textMismatch("conditionId", trade.conditionId, F.string(object["conditionId"])) { violations.fail(problem) }
        if let problem = F.textMismatch("transactionHash", trade.transactionHash, F.string(object["transactionHash"])) { violations.fail(problem) }
        if let problem = F.textMismatch("outcome", trade.outcome, F.string(object["outcome"])) { violations.fail(problem) }
        let hex = Array("0123456789abcdef".utf8)
        violations.check(trade.id.utf8.count == 64 && trade.id.utf8.allSatisfy(hex.contains), "id \"\(trade.id)\" is not 64 hex digits")
        return violations.first
    }

    static func marketProblem(_ market: Market, _ object: JSONObject) -> String? {
        typealias F = FieldReference
        var violations = Violations()
        if let problem = F.textMismatch("conditionId", market.conditionId, F.treeString(object["conditionId"])) { violations.fail(problem) }
        let tokenIds = embeddedStrings(object["clobTokenIds"])
        let outcomes = embeddedStrings(object["outcomes"])
        let prices = embeddedStrings(object["outcomePrices"])
        violations.check(market.tokens.count == tokenIds?.count ?? 0, "\(market.tokens.count) tokens from clobTokenIds \(tokenIds ?? [])")
        for (index, token) in market.tokens.enumerated() {
            violations.check(F.sameBytes(token.tokenId, tokenIds?[safe: index]), "token \(index): id \(token.tokenId)")
            violations.check(F.sameBytes(token.outcome, outcomes?[safe: index]), "token \(index): outcome \(token.outcome ?? "nil")")
            // Indicative price: a JSON number literal in a string, rounded; unreadable or negative is absent.
            var expected: Int64?
            if var text = prices?[safe: index], let literal = text.withUTF8({ DecimalReference.jsonNumber($0) }),
               case .value(let micros) = DecimalReference.roundedMicros(literal), micros >= 0 {
                expected = micros
            }
            violations.check(token.price?.micros == expected, "token \(index): price \(token.price.map(\.description) ?? "nil"), reference \(expected.map(String.init) ?? "nil")")
        }
        if let problem = F.mismatch("orderPriceMinTickSize", market.tickSize?.micros, F.micros(object["orderPriceMinTickSize"])) { violations.fail(problem) }
        if let problem = F.mismatch("orderMinSize", market.minOrderSize?.micros, F.micros(object["orderMinSize"])) { violations.fail(problem) }
        if let ms = market.endDateMs {
            violations.check(ISO8601.milliseconds(ISO8601.format(milliseconds: ms)) == ms, "endDate \(ms) ms does not survive an ISO-8601 round trip")
        }
        return violations.first
    }

    /// Gamma's string-held JSON arrays (`"[\"Yes\",\"No\"]"`), or a plain array; nil when absent.
    static func embeddedStrings(_ value: JSONValue?) -> [String]? {
        guard !FieldReference.isAbsent(value), let value else { return nil }
        let array: JSONValue
        if case .string(let text) = value {
            guard let parsed = try? JSONParser().parse(text) else { return nil }
            array = parsed
        } else {
            array = value
        }
        return array.arrayValue?.compactMap(\.stringValue)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
