/// `GET /book` for a token without a book — a resolved market's token, or one the CLOB does not
/// know — answers HTTP 404 with `{"error":"No orderbook exists for the requested token id"}`
/// (docs/wire/clob.md). That is an answer, not a failure: the transport delivers a 404 without
/// retrying it, and `PolymarketClient.fetchOrderBook` turns it into `PMError(.noOrderBook)`.
///
/// Any 404 on `/book` is this outcome, whatever its body: the CLOB has no other reason to send
/// one, and a misconfigured base URL still shows in the message, which quotes the body.
enum NoOrderBook {
    /// The error text the CLOB uses for it.
    static let wireMessage = "No orderbook exists for the requested token id"

    static func error(tokenId: String, body: [UInt8]) -> PMError {
        PMError(.noOrderBook, "no order book: market resolved or unknown (token \(tokenId)) "
                + "(HTTP 404: \(WireDecoding.excerpt(body)))", httpStatus: 404)
    }
}
