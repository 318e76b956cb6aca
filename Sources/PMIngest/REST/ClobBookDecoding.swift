/// CLOB `GET /book` and `POST /books` OrderBookSummary objects: decimal strings, ms timestamp as a
/// string, bids ascending / asks descending on the wire (docs/wire-format.md, "Order books").
///
/// Decoded straight from the body bytes with the stream parser's token tape and its `book`
/// decoder: the REST summary and the WebSocket `book` event are one shape, so they have one
/// definition — and no JSON tree is built per response (it cost ~20% of a fetch).
extension WireDecoding {
    public static func clobBook(body: [UInt8], what: String) throws -> OrderBook {
        try body.withUnsafeBufferPointer { bytes in
            let tape = try tape(bytes, what: what)
            guard let root = tape.token(0) else { throw PMError(.parse, "\(what): empty body") }
            switch root.kind {
            case .null: throw PMError(.bookInvalid, "\(what): the server sent null instead of an order book")
            case .object: return try field(what) { () throws(JSONFieldError) -> OrderBook in try tape.book(0) }
            default: throw PMError(.parse, "\(what): expected a JSON object, found \(tape.kindName(0))")
            }
        }
    }

    /// `POST /books`: an array of summaries; `null` entries (tokens without a book) are left out.
    public static func clobBooks(body: [UInt8], what: String) throws -> [OrderBook] {
        try body.withUnsafeBufferPointer { bytes in
            let tape = try tape(bytes, what: what)
            guard tape.token(0)?.kind == .array else {
                throw PMError(.parse, "\(what): expected a JSON array, found \(tape.kindName(0))")
            }
            var books: [OrderBook] = []
            for (index, element) in tape.elements(0).enumerated() {
                switch tape.token(element)?.kind {
                case .null?: continue
                case .object?: books.append(try field("\(what) row \(index)") { () throws(JSONFieldError) -> OrderBook in
                    try tape.book(element)
                })
                default: throw PMError(.parse, "\(what) row \(index): expected an object, found \(tape.kindName(element))")
                }
            }
            return books
        }
    }

    private static func tape(_ bytes: UnsafeBufferPointer<UInt8>, what: String) throws -> FrameTape {
        do {
            return try FrameTape(bytes, maxDepth: JSONParser.defaultMaxDepth)
        } catch {
            throw PMError(.parse, "\(what): \(error) (body starts: \(excerpt(Array(bytes.prefix(512)))))")
        }
    }
}
